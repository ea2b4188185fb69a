import { setTimeout as delay } from 'node:timers/promises';
import { ChildScript } from './ChildScript.js';
import type { IdleStreamFleet } from './IdleStreamFleet.js';
import { median } from './median.js';
import { type FloorServer, runFloor } from './runFloor.js';
import { HOLD_METHOD_PATH } from './startHoldServer.js';

/** Options of `measureBareReconnectFloor`. */
export interface ReconnectFloorOptions {
  /** Idle streams per connection (an agent's tunnels). Default 2. */
  readonly streamsPerConnection?: number;
  /** Measured runs, after one unmeasured warm-up. Default 3. */
  readonly runs?: number;
  /** Client processes the agents are spread over. Default 1. */
  readonly clientProcesses?: number;
  /**
   * Every run in fresh processes, with no warm-up run: the first server in a process of its own that shuts
   * down once, and fresh client processes, as a kas run has a fresh replica A and fresh agentk processes
   * (what grpc-js does at a shutdown then runs cold, as in kas). Default false: the first server in this
   * process and the same client processes for every run, after one unmeasured warm-up run.
   */
  readonly isCold?: boolean;
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
 * grpc-js server in this process (`isCold`: in a fresh process of its own, with fresh client processes);
 * `tryShutdown`; on GOAWAY each agent cancels its streams and, on a later
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
  const clientProcesses = options.clientProcesses ?? 1;
  const { runs, clockErrorMs } = await runFloor(
    { runs: options.runs ?? 3, clientProcesses, isCold: options.isCold === true },
    (fleet, server) => measureOnce(fleet, server, connections, streamsPerConnection),
  );
  return {
    connections,
    streamsPerConnection,
    clientProcesses,
    firstMs: median(runs.map((times) => times.firstMs)),
    medianMs: median(runs.map((times) => times.medianMs)),
    p99Ms: median(runs.map((times) => times.p99Ms)),
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
): Promise<ReconnectTimes> {
  // A fresh target process per run, as the kas runs have a fresh replica B.
  const target = new ChildScript<never, HoldServerReply>(new URL('./holdServerProcess.ts', import.meta.url));
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
    const calledAt = await server.tryShutdown();
    const replaced = await fleet.awaitReplaced(REPLACED_TIMEOUT_MS);
    if (replaced.wallMs.length < connections) {
      throw new Error(
        `only ${replaced.wallMs.length} of ${connections} agents were live on the second server within ${REPLACED_TIMEOUT_MS}ms of tryShutdown`,
      );
    }
    const sinceCall = replaced.wallMs.map((wallMs) => wallMs - calledAt);
    await fleet.closeAll();
    return {
      firstMs: sinceCall[0] as number,
      medianMs: median(sinceCall),
      p99Ms: sinceCall[Math.ceil(0.99 * sinceCall.length) - 1] as number,
      lastMs: sinceCall.at(-1) as number,
    };
  } finally {
    await target.stop();
  }
}
