import {
  type LocalCluster,
  type StopOrder,
  startLocalCluster,
  startWatch,
  type WatchHandle,
  wallNow,
} from '@kas/demo';
import { IdleStreamFleet } from '../floors/IdleStreamFleet.js';
import { AGENT_TUNNEL_PATH, IDLE_AGENT_DESCRIPTOR } from '../floors/idleAgentDescriptor.js';
import { measureBareWithdrawFloor } from '../floors/index.js';
import { processCpuMs } from './processCpuMs.js';
import { ReplicaEntriesProbe } from './ReplicaEntriesProbe.js';
import { readKasTrace } from './readKasTrace.js';

/**
 * Who plays the agents: agentk processes (on GOAWAY they move to B, as agents do), or the GOAWAY floor's
 * idle-stream clients, which authenticate as the agents and only note when GOAWAY came: the same client
 * work as the floor's, so what differs from the floor is the server side alone.
 */
export type AgentClients = 'agentk' | 'floor clients';

/** The shape of one run of benchmark 1. */
export interface ShutdownRunOptions {
  readonly stopOrder: StopOrder;
  readonly agents: number;
  readonly tunnelsPerAgent: number;
  /** Client processes the agents are spread over (all dial A first). */
  readonly agentkProcesses: number;
  /** Default `'agentk'`. With `'floor clients'` no agent moves to B and no watch is held. */
  readonly agentClients?: AgentClients;
  /** kube-proxy's and private-api's drain budget (the agent server's is kas's default, 10 s more). */
  readonly drainBudgetMs: number;
  /** How long after SIGTERM the run waits for every agent to be live on B before it gives up. */
  readonly capMs: number;
  /** How often Redis is read for the stopping replica's entries. */
  readonly probeIntervalMs: number;
}

/** What one run measured; every time is in ms after the SIGTERM. */
export interface ShutdownRun {
  readonly stopOrder: StopOrder;
  readonly agents: number;
  readonly agentkProcesses: number;
  readonly agentClients: AgentClients;
  /** Each agent's `kas.goaway` from A, sorted (floor clients: when each connection left READY). */
  readonly goawayMs: readonly number[];
  /** Each agent's first `tunnels.ready` on B, sorted. */
  readonly liveOnBMs: readonly number[];
  /** The tracker's `tunnels.withdrawn` mark (the withdraw script came back from Redis). */
  readonly withdrawnMs: number | undefined;
  /** The first outside read of Redis that found none of A's index keys. */
  readonly redisGoneMs: number | undefined;
  /** The withdraw's own round trip, as the tracker timed it. */
  readonly withdrawDurationMs: number | undefined;
  /** kas handled the signal; agent-grpc-server called tryShutdown; tunnel-tracker began its stop. */
  readonly signalMs: number | undefined;
  readonly goawaySentMs: number | undefined;
  readonly trackerStoppingMs: number | undefined;
  /** A's entries (agents) in Redis at the end of the run: 0 when the withdraw removed them all. */
  readonly entriesLeft: number;
  /** True when the watch was still open (held by A's drain) when the last agent was live on B. */
  readonly isWatchHeld: boolean;
  /** The bare one-script withdraw of the same number of entries, on this run's Redis. */
  readonly bareWithdrawMs: number;
  /**
   * CPU time each process used from SIGTERM until the last agent was live on B (or the cap); with floor
   * clients, until every connection saw GOAWAY ('agentk': the client processes).
   */
  readonly cpuMs: Readonly<Record<CpuUser, number | undefined>>;
  /** How long that was. */
  readonly cpuWindowMs: number;
}

/** The processes whose CPU time a run reads ('agentk': every agentk process together). */
export type CpuUser = 'agentk' | 'kas A' | 'kas B' | 'redis' | 'benchmark';

/**
 * One run: a fresh local cluster (Redis, replicas A and B, agentk processes whose agents all dial A
 * first, a fake API), a watch in flight through A's kube proxy, the bare withdraw floor on the same
 * Redis, then SIGTERM to A. Waits until every agent saw GOAWAY and is live on B (or the cap), reads A's
 * trace and Redis, and tears the cluster down. With floor clients: fresh idle-stream client processes
 * instead of agentk (no watch: no agent serves one), until every connection saw GOAWAY.
 */
export async function measureShutdownRun(options: ShutdownRunOptions): Promise<ShutdownRun> {
  const agentClients = options.agentClients ?? 'agentk';
  const isAgentk = agentClients === 'agentk';
  const cluster = await startLocalCluster({
    startAgentk: isAgentk,
    replicas: 2,
    agentkProcesses: options.agentkProcesses,
    agentsPerProcess: options.agents / options.agentkProcesses,
    agentPlacement: 'first-replica',
    tunnelsPerAgent: options.tunnelsPerAgent,
    stopOrder: options.stopOrder,
    budgets: { drainBudgetMs: options.drainBudgetMs, listenGraceMs: 1_000, tunnelWaitMs: 5_000 },
  });
  let watch: WatchHandle | undefined;
  const [a, b] = cluster.replicas as [LocalCluster['replicas'][0], LocalCluster['replicas'][0]];
  const probe = new ReplicaEntriesProbe(cluster.redis.url, a.id);
  const fleet = isAgentk ? undefined : new IdleStreamFleet(options.agentkProcesses);
  try {
    if (fleet === undefined) {
      const notOnA = [...cluster.agentk.locations().values()].filter((address) => address !== a.agentAddress);
      if (notOnA.length > 0) throw new Error(`${notOnA.length} agent(s) connected to B instead of A`);
      const watchedAgent = cluster.agentIds[0] as string;
      watch = startWatch(
        { server: a.kubeProxyUrl, caPem: cluster.caPem, token: cluster.userToken(watchedAgent) },
        watchedAgent,
      );
      await until(
        'the watch through A received its first event',
        () => (watch?.record.events ?? 0) > 0,
        10_000,
      );
    } else {
      await fleet.alignClocks();
      await fleet.open({
        address: a.agentAddress,
        path: AGENT_TUNNEL_PATH,
        connections: options.agents,
        streamsPerConnection: options.tunnelsPerAgent,
        firstMessage: IDLE_AGENT_DESCRIPTOR,
        tokenPrefix: 'unused-',
        tokens: cluster.agentIds.map((agent) => cluster.agentToken(agent)),
      });
      await untilAsync(
        `every agent advertised by ${a.id}`,
        async () =>
          ((await cluster.readDirectory()).agentsByReplica.get(a.id)?.length ?? 0) >= options.agents,
        30_000,
      );
    }
    const bareWithdraw = await measureBareWithdrawFloor(cluster.redis.url, options.agents, { runs: 5 });
    if ((await probe.indexKeys()) === 0) throw new Error(`Redis holds no entry of ${a.id} before SIGTERM`);
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the set-up's work settle

    const pids: Record<Exclude<CpuUser, 'benchmark'>, readonly (number | undefined)[]> = {
      agentk: fleet?.pids ?? cluster.agentk.processes.map((agentk) => agentk.pid),
      'kas A': [a.process?.pid],
      'kas B': [b.process?.pid],
      redis: [cluster.redis.process.pid],
    };
    const cpuOf = (list: readonly (number | undefined)[]) => {
      let sum = 0;
      for (const pid of list) {
        const used = pid === undefined ? undefined : processCpuMs(pid);
        if (used === undefined) return undefined;
        sum += used;
      }
      return sum;
    };
    const cpuNow = (): Record<CpuUser, number | undefined> => {
      const usage = process.cpuUsage();
      return {
        ...(Object.fromEntries(Object.entries(pids).map(([user, list]) => [user, cpuOf(list)])) as Record<
          Exclude<CpuUser, 'benchmark'>,
          number | undefined
        >),
        benchmark: (usage.user + usage.system) / 1000,
      };
    };
    const cpuBefore = cpuNow();
    probe.start(options.probeIntervalMs);
    const { sigtermAtMs, traceFile } = a.terminate();
    const moved = () => {
      const ready = cluster.agentk
        .events()
        .filter((event) => event.event === 'tunnels.ready' && event.kasAddress === b.agentAddress);
      return new Set(ready.map((event) => event.agent)).size;
    };
    const leftReady = fleet === undefined ? undefined : await fleet.awaitLeftReady(options.capMs);
    if (fleet === undefined) {
      await until('every agent live on B', () => moved() >= options.agents, options.capMs).catch(
        () => undefined,
      );
    }
    const cpuAfter = cpuNow();
    const cpuWindowMs = wallNow() - sigtermAtMs;
    const isWatchHeld = watch !== undefined && watch.record.endedAtMs === undefined;
    await until('A withdrew its entries', () => probe.goneAtMs !== undefined, 5_000).catch(() => undefined);

    const since = (atMs: number | undefined) => (atMs === undefined ? undefined : atMs - sigtermAtMs);
    const events = cluster.agentk.events().filter((event) => event.wallMs >= sigtermAtMs);
    const firstPerAgent = (event: 'kas.goaway' | 'tunnels.ready', address: string) => {
      const times = new Map<string, number>();
      for (const seen of events) {
        if (seen.event === event && seen.kasAddress === address && !times.has(seen.agent)) {
          times.set(seen.agent, seen.wallMs - sigtermAtMs);
        }
      }
      return [...times.values()].sort((x, y) => x - y);
    };
    const goawayMs =
      leftReady === undefined
        ? firstPerAgent('kas.goaway', a.agentAddress)
        : leftReady.wallMs.map((wallMs) => wallMs - sigtermAtMs);
    const liveOnBMs = firstPerAgent('tunnels.ready', b.agentAddress);
    const trace = await readKasTrace(traceFile);
    const directory = await cluster.readDirectory();
    return {
      stopOrder: options.stopOrder,
      agents: options.agents,
      agentkProcesses: options.agentkProcesses,
      agentClients,
      goawayMs,
      liveOnBMs,
      withdrawnMs: since(trace.withdrawnAtMs),
      redisGoneMs: since(probe.goneAtMs),
      withdrawDurationMs: trace.withdrawDurationMs,
      signalMs: since(trace.signalAtMs),
      goawaySentMs: since(trace.goawaySentAtMs),
      trackerStoppingMs: since(trace.trackerStoppingAtMs),
      entriesLeft: directory.agentsByReplica.get(a.id)?.length ?? 0,
      isWatchHeld,
      bareWithdrawMs: bareWithdraw.medianMs,
      cpuMs: Object.fromEntries(
        Object.entries(cpuAfter).map(([user, after]) => {
          const before = cpuBefore[user as CpuUser];
          return [user, after === undefined || before === undefined ? undefined : after - before];
        }),
      ) as Record<CpuUser, number | undefined>,
      cpuWindowMs,
    };
  } finally {
    watch?.abort();
    await fleet?.stop();
    await probe.close();
    await cluster.stop();
  }
}

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  return untilAsync(what, async () => condition(), timeoutMs);
}

async function untilAsync(what: string, condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const giveUpAt = wallNow() + timeoutMs;
  while (!(await condition())) {
    if (wallNow() > giveUpAt) throw new Error(`${what}: not within ${timeoutMs}ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
