import type { ProcessExit } from '@kas/testkit';
import type { KasReplica, Termination } from '../cluster/KasReplica.js';
import type { LocalCluster } from '../cluster/startLocalCluster.js';
import { wallNow } from '../cluster/wallClock.js';
import { DemoError } from '../errors/DemoError.js';
import type { AgentMove, ShutdownReport } from './ShutdownReport.js';

/** How often Redis is read while a replica stops, to see when its entries go. */
const DIRECTORY_POLL_MS = 20;

/**
 * One replica being stopped with SIGTERM and watched from the outside: the agents that were on it (from
 * agentk's logs and Redis just before the signal), their `kas.goaway` and `tunnels.ready` elsewhere,
 * Redis read every 20 ms until the replica's entries are gone, and the replica's own log lines.
 */
export class ReplicaShutdown {
  readonly #termination: Termination;
  #exit: { readonly atMs: number; readonly exit: ProcessExit } | undefined;
  #withdrawnAtMs: number | undefined;
  readonly #polling: Promise<void>;
  #isPolling = true;

  private constructor(
    private readonly cluster: LocalCluster,
    readonly replica: KasReplica,
    /** The agents on the replica when SIGTERM was sent. */
    readonly agents: readonly string[],
  ) {
    this.#termination = replica.terminate();
    void this.#termination.exited.then((exit) => {
      this.#exit = { atMs: wallNow(), exit };
    });
    this.#polling = this.#pollDirectory();
  }

  /** Sends SIGTERM to a running replica and starts watching. */
  static async begin(cluster: LocalCluster, replicaId: string): Promise<ReplicaShutdown> {
    const replica = cluster.replica(replicaId);
    const snapshot = await cluster.readDirectory();
    const onReplica = new Set(snapshot.agentsByReplica.get(replica.id) ?? []);
    for (const [agent, address] of cluster.agentk.locations()) {
      if (address === replica.agentAddress) onReplica.add(agent);
    }
    return new ReplicaShutdown(cluster, replica, [...onReplica].sort());
  }

  get sigtermAtMs(): number {
    return this.#termination.sigtermAtMs;
  }

  /** The run that was stopped (its log lines). */
  get run(): Termination['run'] {
    return this.#termination.run;
  }

  /** Resolves with the exit of the stopped process. */
  get exited(): Promise<ProcessExit> {
    return this.#termination.exited;
  }

  /** What is known now. */
  report(): ShutdownReport {
    const sigtermAtMs = this.sigtermAtMs;
    const events = this.cluster.agentk.events().filter((event) => event.wallMs >= sigtermAtMs);
    const address = this.replica.agentAddress;
    const agents: AgentMove[] = this.agents.map((agent) => {
      const goaway = events.find(
        (event) => event.agent === agent && event.event === 'kas.goaway' && event.kasAddress === address,
      );
      const ready = events.find(
        (event) => event.agent === agent && event.event === 'tunnels.ready' && event.kasAddress !== address,
      );
      return {
        agent,
        goawayAtMs: goaway?.wallMs,
        readyElsewhereAtMs: ready?.wallMs,
        movedTo: ready === undefined ? undefined : this.cluster.replicaByAddress(ready.kasAddress)?.id,
      };
    });
    const logs = this.run.logs();
    const timeOf = (match: (line: Readonly<Record<string, unknown>>) => boolean) => {
      const line = logs.find(match);
      return line === undefined ? undefined : Number(line.time);
    };
    const mark = (name: string) => timeOf((line) => line.event === 'module.mark' && line.mark === name);
    return {
      replica: this.replica.id,
      stopOrder: this.replica.stopOrder,
      sigtermAtMs,
      agents,
      withdrawnAtMs: this.#withdrawnAtMs,
      withdrawMarkAtMs: mark('tunnels.withdrawn'),
      goawayMarkAtMs: mark('goaway.sent'),
      proxyStoppedAtMs: timeOf((line) => line.event === 'module.stopped' && line.module === 'kube-proxy'),
      proxyDrainCutAtMs: mark('drain.cut'),
      exitedAtMs: this.#exit?.atMs,
      exitCode: this.#exit?.exit.code,
      traceFile: this.#termination.traceFile,
    };
  }

  /** Polls `report()` until `condition` holds; rejects after `timeoutMs` naming `what`. */
  async waitFor(
    what: string,
    condition: (report: ShutdownReport) => boolean,
    timeoutMs: number,
  ): Promise<ShutdownReport> {
    const giveUpAt = Date.now() + timeoutMs;
    for (;;) {
      const report = this.report();
      if (condition(report)) return report;
      if (Date.now() > giveUpAt) {
        throw new DemoError(
          'KAS_DEMO_TIMEOUT',
          `${this.replica.id} shutdown: ${what} did not happen within ${timeoutMs}ms`,
          'read the replica and agentk log lines; the machine may be overloaded',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /**
   * Waits for the process to exit, for every agent to be live elsewhere and for Redis to show none of
   * the replica's entries (each bounded: a missing one is left undefined in the report), then stops
   * watching.
   */
  async finish(timeoutMs: number): Promise<ShutdownReport> {
    const bound = (promise: Promise<unknown>, ms: number) =>
      Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);
    await bound(this.exited, timeoutMs);
    await this.waitFor(
      'agents moved and entries withdrawn',
      (report) =>
        report.withdrawnAtMs !== undefined &&
        report.agents.every((agent) => agent.readyElsewhereAtMs !== undefined),
      10_000,
    ).catch(() => undefined);
    this.#isPolling = false;
    await this.#polling;
    return this.report();
  }

  async #pollDirectory(): Promise<void> {
    while (this.#isPolling && this.#withdrawnAtMs === undefined) {
      try {
        const snapshot = await this.cluster.readDirectory();
        if ((snapshot.agentsByReplica.get(this.replica.id) ?? []).length === 0) {
          this.#withdrawnAtMs = snapshot.atMs;
        }
      } catch {
        // Redis busy or reconnecting: the next read tells
      }
      await new Promise((resolve) => setTimeout(resolve, DIRECTORY_POLL_MS));
    }
  }
}
