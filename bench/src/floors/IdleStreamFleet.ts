import { IdleStreamClients, type OpenIdleStreams } from './IdleStreamClients.js';

/** Wall-clock times on this process's clock (`performance.timeOrigin + performance.now()`). */
export interface FleetTimes {
  readonly wallMs: readonly number[];
  /** How many connections were expected to report. */
  readonly connections: number;
}

/**
 * Idle gRPC streams spread over `processes` client processes (`IdleStreamClients` each), so that one
 * process's event loop does not measure its own queue: connections are dealt out evenly, and the times
 * each process reports are put on this process's clock (each child's offset measured by IPC ping).
 */
export class IdleStreamFleet {
  readonly #clients: readonly IdleStreamClients[];
  #offsetsMs: readonly number[] = [];
  /** The largest offset + error of any child's clock, once `alignClocks` ran. */
  clockErrorMs = 0;

  constructor(readonly processes: number) {
    this.#clients = Array.from({ length: processes }, () => new IdleStreamClients());
  }

  /** The client processes' pids (for their CPU time). */
  get pids(): readonly (number | undefined)[] {
    return this.#clients.map((client) => client.pid);
  }

  /** Measures each child's clock offset; call once before reading times. */
  async alignClocks(): Promise<void> {
    const clocks = await Promise.all(this.#clients.map((client) => client.clockOffset()));
    this.#offsetsMs = clocks.map((clock) => clock.offsetMs);
    this.clockErrorMs = Math.max(...clocks.map((clock) => Math.abs(clock.offsetMs) + clock.errorMs));
  }

  /**
   * Opens `what.connections` connections in all, dealt out over the processes in order (process 0 the
   * first share, and with `what.tokens`, the first share of the tokens).
   */
  async open(what: OpenIdleStreams): Promise<void> {
    let dealt = 0;
    await Promise.all(
      this.#clients.map((client, index) => {
        const connections = share(what.connections, this.processes, index);
        const tokens = what.tokens?.slice(dealt, dealt + connections);
        dealt += connections;
        return client.open({
          ...what,
          connections,
          tokenPrefix: `${what.tokenPrefix}${index}-`,
          ...(tokens === undefined ? {} : { tokens }),
        });
      }),
    );
  }

  /** When each connection's channel left READY, once all have (or at the timeout). */
  async awaitLeftReady(timeoutMs: number): Promise<FleetTimes> {
    return this.#merge(await Promise.all(this.#clients.map((client) => client.awaitLeftReady(timeoutMs))));
  }

  /** When each replacement connection was live, once all were (or at the timeout). */
  async awaitReplaced(timeoutMs: number): Promise<FleetTimes> {
    return this.#merge(await Promise.all(this.#clients.map((client) => client.awaitReplaced(timeoutMs))));
  }

  /** Cancels every stream and closes every connection of every process. */
  async closeAll(): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.closeAll()));
  }

  /** Ends every client process. */
  async stop(): Promise<void> {
    await Promise.all(this.#clients.map((client) => client.stop()));
  }

  #merge(replies: readonly { wallMs: readonly number[]; connections: number }[]): FleetTimes {
    return {
      wallMs: replies
        .flatMap((reply, index) => reply.wallMs.map((wallMs) => wallMs - (this.#offsetsMs[index] ?? 0)))
        .sort((x, y) => x - y),
      connections: replies.reduce((sum, reply) => sum + reply.connections, 0),
    };
  }
}

/** Process `index`'s share of `total` connections dealt over `processes`. */
function share(total: number, processes: number, index: number): number {
  return Math.floor(total / processes) + (index < total % processes ? 1 : 0);
}
