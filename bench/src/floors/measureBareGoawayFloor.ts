import { setTimeout as delay } from 'node:timers/promises';
import type { IdleStreamFleet } from './IdleStreamFleet.js';
import { median } from './median.js';
import { type FloorServer, runFloor } from './runFloor.js';
import { HOLD_METHOD_PATH } from './startHoldServer.js';

/** Options of `measureBareGoawayFloor`. */
export interface GoawayFloorOptions {
  /** Idle streams per connection. Default 1 (benchmark 1's agents hold 2 tunnels: pass 2 to match). */
  readonly streamsPerConnection?: number;
  /** Measured runs, after one unmeasured warm-up. Default 5. */
  readonly runs?: number;
  /** Client processes the connections are spread over. Default 1. */
  readonly clientProcesses?: number;
  /**
   * Every run in fresh processes, with no warm-up run: the server in a process of its own that shuts down
   * once, and fresh client processes, as a kas run has a fresh replica and fresh agentk processes (what
   * grpc-js does at a shutdown then runs cold, as in kas). Default false: the server in this process and
   * the same client processes for every run, after one unmeasured warm-up run.
   */
  readonly isCold?: boolean;
}

/** When client channels left READY after `tryShutdown`, in ms from the call. */
export interface GoawayTimes {
  readonly firstMs: number;
  readonly medianMs: number;
  readonly lastMs: number;
}

/** The bare GOAWAY floor: medians over runs of each run's first, median and last client reaction. */
export interface GoawayFloor extends GoawayTimes {
  readonly connections: number;
  readonly streamsPerConnection: number;
  readonly clientProcesses: number;
  readonly runs: readonly GoawayTimes[];
  /** How far the clients' clocks may be from this process's: the largest offset + error of any. */
  readonly clockErrorMs: number;
}

/** How long the clients may take to see GOAWAY before a run counts as failed. */
const LEFT_READY_TIMEOUT_MS = 10_000;

/**
 * The floor of "SIGTERM → last agent sees GOAWAY": a bare grpc-js server in this process (`isCold`: in a
 * fresh process of its own) holding
 * `connections` client connections with idle bidirectional streams (the clients in `clientProcesses`
 * child processes, each connection its own: `grpc.use_local_subchannel_pool`), then `tryShutdown`; the
 * time from the call until the first, the median and the last client channel leaves READY, on wall
 * clocks aligned by a ping. Each run uses a fresh server and fresh connections (`isCold`: fresh processes).
 */
export async function measureBareGoawayFloor(
  connections = 500,
  options: GoawayFloorOptions = {},
): Promise<GoawayFloor> {
  const streamsPerConnection = options.streamsPerConnection ?? 1;
  const clientProcesses = options.clientProcesses ?? 1;
  const { runs, clockErrorMs } = await runFloor(
    { runs: options.runs ?? 5, clientProcesses, isCold: options.isCold === true },
    (fleet, server) => measureOnce(fleet, server, connections, streamsPerConnection),
  );
  return {
    connections,
    streamsPerConnection,
    clientProcesses,
    firstMs: median(runs.map((times) => times.firstMs)),
    medianMs: median(runs.map((times) => times.medianMs)),
    lastMs: median(runs.map((times) => times.lastMs)),
    runs,
    clockErrorMs,
  };
}

async function measureOnce(
  fleet: IdleStreamFleet,
  server: FloorServer,
  connections: number,
  streamsPerConnection: number,
): Promise<GoawayTimes> {
  await fleet.open({
    address: server.address,
    path: HOLD_METHOD_PATH,
    connections,
    streamsPerConnection,
    firstMessage: Buffer.from('idle'),
    tokenPrefix: 'floor-',
  });
  await delay(200); // let the connection storm's garbage and timers settle
  const calledAt = await server.tryShutdown();
  const left = await fleet.awaitLeftReady(LEFT_READY_TIMEOUT_MS);
  if (left.wallMs.length < connections) {
    throw new Error(
      `only ${left.wallMs.length} of ${connections} client channels left READY within ${LEFT_READY_TIMEOUT_MS}ms of tryShutdown`,
    );
  }
  const sinceCall = left.wallMs.map((wallMs) => wallMs - calledAt);
  await fleet.closeAll();
  return {
    firstMs: sinceCall[0] as number,
    medianMs: median(sinceCall),
    lastMs: sinceCall.at(-1) as number,
  };
}
