import { setTimeout as delay } from 'node:timers/promises';
import { ChildScript } from './ChildScript.js';
import { wallNow } from './IdleStreamClients.js';
import { IdleStreamFleet } from './IdleStreamFleet.js';
import { median } from './median.js';
import { HOLD_METHOD_PATH, startHoldServer } from './startHoldServer.js';

/** Options of `measureBareReconnectFloor`. */
export interface ReconnectFloorOptions {
  /** Idle streams per connection (an agent's tunnels). Default 2. */
  readonly streamsPerConnection?: number;
  /** Measured runs, after one unmeasured warm-up. Default 3. */
  readonly runs?: number;
  /** Client processes the agents are spread over. Default 1. */
  readonly clientProcesses?: number;
}

/** When the agents' replacement connections were live, in ms from `tryShutdown` on the first server. */
export interface ReconnectTimes {
  readonly firstMs: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly lastMs: number;
}

/** The bare reconnect floor: medians over runs. */
export interface ReconnectFloor extends ReconnectTimes {
  readonly connections: number;
  readonly streamsPerConnection: number;
  readonly clientProcesses: number;
  readonly runs: readonly ReconnectTimes[];
  readonly clockErrorMs: number;
}

const REPLACED_TIMEOUT_MS = 30_000;

type HoldServerReply = { readonly type: 'listening'; readonly address: string };

/**
 * The floor of "SIGTERM → every agent live on the other replica": `connections` agents (each its own
 * connection with `streamsPerConnection` idle streams, in `clientProcesses` child processes) on a bare
 * grpc-js server in this process; `tryShutdown`; on GOAWAY each agent cancels its streams and, on a later
 * event-loop turn (one agent per turn, as agentk paces it), opens a connection with as many streams to a
 * second bare server running in a process of its own; the time from the call until each agent's streams
 * are all live there (the server sent response metadata). What is left for kas beside this is its own
 * work: authentication, the registry, the directory, its logs.
 */
export async function measureBareReconnectFloor(
  connections = 500,
  options: ReconnectFloorOptions = {},
): Promise<ReconnectFloor> {
  const streamsPerConnection = options.streamsPerConnection ?? 2;
  const runCount = options.runs ?? 3;
  const fleet = new IdleStreamFleet(options.clientProcesses ?? 1);
  try {
    await fleet.alignClocks();
    const runs: ReconnectTimes[] = [];
    for (let run = 0; run <= runCount; run++) {
      const times = await measureOnce(fleet, connections, streamsPerConnection);
      if (run > 0) runs.push(times);
    }
    return {
      connections,
      streamsPerConnection,
      clientProcesses: fleet.processes,
      firstMs: median(runs.map((times) => times.firstMs)),
      medianMs: median(runs.map((times) => times.medianMs)),
      p99Ms: median(runs.map((times) => times.p99Ms)),
      lastMs: median(runs.map((times) => times.lastMs)),
      runs,
      clockErrorMs: fleet.clockErrorMs,
    };
  } finally {
    await fleet.stop();
  }
}

async function measureOnce(
  fleet: IdleStreamFleet,
  connections: number,
  streamsPerConnection: number,
): Promise<ReconnectTimes> {
  // A fresh target process per run, as the kas runs have a fresh replica B.
  const target = new ChildScript<never, HoldServerReply>(new URL('./holdServerProcess.ts', import.meta.url));
  const server = await startHoldServer();
  try {
    const { address } = await target.next('listening', 30_000);
    await fleet.open({
      address: server.address,
      path: HOLD_METHOD_PATH,
      connections,
      streamsPerConnection,
      firstMessage: Buffer.from('idle'),
      tokenPrefix: 'reconnect-',
      reconnectTo: address,
    });
    await delay(200); // let the connection storm's garbage and timers settle
    const calledAt = wallNow();
    const drained = server.tryShutdown();
    const replaced = await fleet.awaitReplaced(REPLACED_TIMEOUT_MS);
    if (replaced.wallMs.length < connections) {
      throw new Error(
        `only ${replaced.wallMs.length} of ${connections} agents were live on the second server within ${REPLACED_TIMEOUT_MS}ms of tryShutdown`,
      );
    }
    const sinceCall = replaced.wallMs.map((wallMs) => wallMs - calledAt);
    await fleet.closeAll();
    await Promise.race([drained, delay(5_000)]);
    return {
      firstMs: sinceCall[0] as number,
      medianMs: median(sinceCall),
      p99Ms: sinceCall[Math.ceil(0.99 * sinceCall.length) - 1] as number,
      lastMs: sinceCall.at(-1) as number,
    };
  } finally {
    server.forceShutdown();
    await target.stop();
  }
}
