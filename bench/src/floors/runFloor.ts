import { setTimeout as delay } from 'node:timers/promises';
import { wallNow } from './IdleStreamClients.js';
import { IdleStreamFleet } from './IdleStreamFleet.js';
import { startColdHoldServer } from './startColdHoldServer.js';
import { startHoldServer } from './startHoldServer.js';

/** The bare server a floor run shuts down: in this process (warm) or in a fresh process of its own (cold). */
export interface FloorServer {
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** Calls `tryShutdown`; resolves with the moment of the call, on this process's clock. */
  tryShutdown(): Promise<number>;
}

/** How a floor is run: how often, with the clients in how many processes, warm or cold. */
export interface FloorRunOptions {
  readonly runs: number;
  readonly clientProcesses: number;
  /**
   * Each run in fresh processes (the server in a process of its own that shuts down once, fresh client
   * processes) with no warm-up run; else the server in this process and one set of client processes for
   * every run, after an unmeasured warm-up run.
   */
  readonly isCold: boolean;
}

/**
 * Runs `measure` `options.runs` times, each with a fresh server and the clients' fleet (aligned clocks),
 * warm or cold; returns the runs and the largest clock error of any process.
 */
export async function runFloor<T>(
  options: FloorRunOptions,
  measure: (fleet: IdleStreamFleet, server: FloorServer) => Promise<T>,
): Promise<{ readonly runs: T[]; readonly clockErrorMs: number }> {
  const runs: T[] = [];
  let clockErrorMs = 0;
  const measureIn = async (fleet: IdleStreamFleet) => {
    await fleet.alignClocks();
    clockErrorMs = Math.max(clockErrorMs, fleet.clockErrorMs);
    if (options.isCold) {
      const server = await startColdHoldServer();
      try {
        clockErrorMs = Math.max(clockErrorMs, Math.abs(server.clock.offsetMs) + server.clock.errorMs);
        return await measure(fleet, server);
      } finally {
        await server.stop();
      }
    }
    const server = await startHoldServer();
    let drained: Promise<void> | undefined;
    try {
      return await measure(fleet, {
        address: server.address,
        async tryShutdown() {
          const calledAt = wallNow();
          drained = server.tryShutdown();
          return calledAt;
        },
      });
    } finally {
      if (drained !== undefined) await Promise.race([drained, delay(5_000)]);
      server.forceShutdown();
    }
  };
  if (options.isCold) {
    for (let run = 0; run < options.runs; run++) {
      const fleet = new IdleStreamFleet(options.clientProcesses);
      try {
        runs.push(await measureIn(fleet));
      } finally {
        await fleet.stop();
      }
    }
  } else {
    const fleet = new IdleStreamFleet(options.clientProcesses);
    try {
      for (let run = 0; run <= options.runs; run++) {
        const times = await measureIn(fleet);
        if (run > 0) runs.push(times); // the first run warms up both processes
      }
    } finally {
      await fleet.stop();
    }
  }
  return { runs, clockErrorMs };
}
