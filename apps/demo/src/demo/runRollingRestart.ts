import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StopOrder } from '../cluster/KasReplica.js';
import { programPaths } from '../cluster/programPaths.js';
import { type LocalCluster, startLocalCluster } from '../cluster/startLocalCluster.js';
import type { DirectorySnapshot } from '../cluster/TunnelDirectoryReader.js';
import { wallNow } from '../cluster/wallClock.js';
import type { ReplicaBudgets } from '../cluster/writeClusterFiles.js';
import { LoadGenerator } from '../load/LoadGenerator.js';
import type { ReplicaShutdown } from '../shutdown/ReplicaShutdown.js';
import { restartReplica } from '../shutdown/restartReplica.js';
import { shutdownNumbers } from '../shutdown/ShutdownReport.js';
import type { LiveViewServer } from '../web/LiveViewServer.js';
import type { DemoResult, DemoShutdown } from './DemoResult.js';
import { drawTimeline } from './drawTimeline.js';
import { formatMs } from './formatMs.js';
import type { DemoState, ShutdownView } from './view/DemoState.js';
import type { ProgressView } from './view/ProgressView.js';

/** What the demo runs. */
export interface RollingRestartOptions {
  readonly stopOrder: StopOrder;
  /** Pictures, traces and the summary go to `<resultsDirectory>/<stopOrder>/`. */
  readonly resultsDirectory: string;
  readonly view: ProgressView;
  /** Ctrl-C: everything started is stopped and the run rejects. */
  readonly signal: AbortSignal;
  readonly budgets?: Partial<ReplicaBudgets>;
  /** `--web`: the page that shows the replicas live; it is pointed at this run's replicas. */
  readonly web?: LiveViewServer;
}

const REPLICAS = 3;
const AGENTK_PROCESSES = 3;
const AGENTS_PER_PROCESS = 10;
/** Long enough that the legacy order's outage is plain to see, short enough for a demo. */
const DEMO_BUDGETS: ReplicaBudgets = { drainBudgetMs: 10_000, listenGraceMs: 2_000, tunnelWaitMs: 5_000 };

/**
 * The demo: a local cluster of three replicas with 30 agents and client-node load through the load
 * balancer; each replica restarted in turn while the view shows replicas, agents and requests; then one
 * timeline picture per shutdown.
 */
export async function runRollingRestart(options: RollingRestartOptions): Promise<DemoResult> {
  const { view, signal, stopOrder } = options;
  const resultsDirectory = join(options.resultsDirectory, stopOrder);
  await mkdir(resultsDirectory, { recursive: true });
  const startedAt = wallNow();
  const budgets = { ...DEMO_BUDGETS, ...options.budgets };
  view.note(
    `Starting redis-server, ${REPLICAS} kas replicas (${stopOrder} stop order, drain budget ${formatMs(budgets.drainBudgetMs)}), a load balancer, a fake Kubernetes API and ${AGENTK_PROCESSES} agentk processes with ${AGENTS_PER_PROCESS} agents each...`,
  );
  let cluster: LocalCluster | undefined;
  let load: LoadGenerator | undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    cluster = await startLocalCluster({
      replicas: REPLICAS,
      agentkProcesses: AGENTK_PROCESSES,
      agentsPerProcess: AGENTS_PER_PROCESS,
      stopOrder,
      budgets,
    });
    signal.throwIfAborted();
    const started = cluster;
    view.note(
      `Cluster up in ${formatMs(wallNow() - startedAt)}: kube proxies behind ${started.loadBalancer.url}, ${started.agentIds.length} agents connected.`,
    );
    load = new LoadGenerator({
      server: started.loadBalancer.url,
      caPem: started.caPem,
      agents: started.agentIds,
      userToken: started.userToken,
      requestsPerSecond: 20,
      watches: 6,
    });
    load.start();
    view.note(
      'Load: 20 short requests a second (list pods) and 6 long watches, spread over the agents, through the load balancer (@kubernetes/client-node).',
    );
    const live = new LiveState(started, load, view, stopOrder, startedAt);
    ticker = setInterval(() => live.tick(), 200);
    if (options.web !== undefined) {
      options.web.show(started.replicas);
      view.note(
        `Live stop plans of the ${started.replicas.length} replicas, side by side: open ${options.web.url} (restarts begin in 10 s)`,
      );
    }
    await pause(options.web === undefined ? 3_000 : 10_000, signal);

    const shutdowns: DemoShutdown[] = [];
    for (const [index, replica] of started.replicas.entries()) {
      live.step = `restarting ${replica.id} (${index + 1} of ${started.replicas.length})`;
      const restarted = restartReplica(
        started,
        replica.id,
        (shutdown) => {
          live.shutdown = shutdown;
          view.note(`${replica.id}: SIGTERM (${shutdown.agents.length} agents on it)`);
        },
        signal,
      );
      restarted.catch(() => undefined); // after Ctrl-C the cluster is torn down under it
      const report = await untilAborted(restarted, signal);
      live.shutdown = undefined;
      const numbers = shutdownNumbers(report);
      view.note(
        `${replica.id}: exited ${report.exitCode} ${formatMs(numbers.exitMs)} after SIGTERM (kube proxy drained ${formatMs(numbers.proxyDrainMs)}); started again and ready`,
      );
      const trace = join(resultsDirectory, `${replica.id}.trace.jsonl`);
      await copyFile(report.traceFile, trace);
      const timeline = join(resultsDirectory, `${replica.id}-shutdown.svg`);
      await drawTimeline(programPaths().kasGraph, trace, timeline);
      shutdowns.push({ report: { ...report, traceFile: trace }, numbers, failedRequests: 0, timeline });
      signal.throwIfAborted();
      live.step = 'steady';
      await pause(2_000, signal);
    }
    await load.stop();
    live.tick();
    const failures = load.failures();
    const sigterms = [...shutdowns.map((shutdown) => shutdown.report.sigtermAtMs), Number.POSITIVE_INFINITY];
    return {
      stopOrder,
      replicas: started.replicas.length,
      agents: started.agentIds.length,
      budgets,
      shutdowns: shutdowns.map((shutdown, index) => ({
        ...shutdown,
        failedRequests: failures.filter(
          (request) =>
            request.startedAtMs >= (sigterms[index] as number) &&
            request.startedAtMs < (sigterms[index + 1] as number),
        ).length,
      })),
      load: load.stats(),
      failures,
      durationMs: wallNow() - startedAt,
      resultsDirectory,
    };
  } finally {
    clearInterval(ticker);
    view.done();
    await load?.stop(1_000);
    await cluster?.stop();
  }
}

/** `work`, or a rejection as soon as `signal` aborts (the work goes on; the caller tears it down). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return untilAborted(new Promise((resolve) => setTimeout(resolve, ms)), signal);
}

/** Gathers the live view's state every tick: replica states, Redis, agentk's logs, the load. */
class LiveState {
  step = 'warming up';
  shutdown: ReplicaShutdown | undefined;
  #directory: DirectorySnapshot | undefined;
  #isReading = false;
  #noted = new Set<string>();

  constructor(
    private readonly cluster: LocalCluster,
    private readonly load: LoadGenerator,
    private readonly view: ProgressView,
    private readonly stopOrder: StopOrder,
    private readonly startedAt: number,
  ) {}

  tick(): void {
    if (!this.#isReading) {
      this.#isReading = true;
      this.cluster
        .readDirectory()
        .then((snapshot) => {
          this.#directory = snapshot;
        })
        .catch(() => undefined) // Redis busy: the next tick reads again
        .finally(() => {
          this.#isReading = false;
        });
    }
    const locations = [...this.cluster.agentk.locations().values()];
    const ready = new Set(this.cluster.loadBalancer.stats().ready);
    const state: DemoState = {
      stopOrder: this.stopOrder,
      elapsedMs: wallNow() - this.startedAt,
      step: this.step,
      replicas: this.cluster.replicas.map((replica) => ({
        id: replica.id,
        state: replica.state,
        isReady: ready.has(replica.id),
        advertised:
          this.#directory === undefined
            ? undefined
            : (this.#directory.agentsByReplica.get(replica.id)?.length ?? 0),
        connected: locations.filter((address) => address === replica.agentAddress).length,
      })),
      load: this.load.stats(),
      shutdown: this.#shutdownView(),
    };
    this.view.update(state);
  }

  #shutdownView(): ShutdownView | undefined {
    if (this.shutdown === undefined) return undefined;
    const report = this.shutdown.report();
    const numbers = shutdownNumbers(report);
    const id = report.replica;
    const withdrawnAfterMs = report.agents.length === 0 ? undefined : numbers.advertisedMs;
    if (withdrawnAfterMs !== undefined && !this.#noted.has(`${id}:${report.sigtermAtMs}:withdrawn`)) {
      this.#noted.add(`${id}:${report.sigtermAtMs}:withdrawn`);
      this.view.note(`${id}: its entries are gone from Redis ${formatMs(withdrawnAfterMs)} after SIGTERM`);
    }
    if (numbers.reconnectMaxMs !== undefined && !this.#noted.has(`${id}:${report.sigtermAtMs}:moved`)) {
      this.#noted.add(`${id}:${report.sigtermAtMs}:moved`);
      const to = [...new Set(report.agents.map((agent) => agent.movedTo))].join(', ');
      this.view.note(
        `${id}: all ${report.agents.length} agents got GOAWAY and are live on ${to} ${formatMs(numbers.reconnectMaxMs)} after SIGTERM`,
      );
    }
    return {
      replica: id,
      sinceSigtermMs: wallNow() - report.sigtermAtMs,
      agents: report.agents.length,
      agentsMoved: numbers.agentsMoved,
      movedAfterMs: numbers.reconnectMaxMs,
      withdrawnAfterMs,
    };
  }
}
