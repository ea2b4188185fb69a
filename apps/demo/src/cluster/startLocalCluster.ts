import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, startRedis } from '@kas/testkit';
import { DemoError } from '../errors/DemoError.js';
import { AgentkFleet } from './AgentkFleet.js';
import { KasReplica, type StopOrder } from './KasReplica.js';
import { type LoadBalancer, startLoadBalancer } from './LoadBalancer.js';
import { programPaths } from './programPaths.js';
import { startAgentkProcess } from './startAgentkProcess.js';
import { type FakeKubeApiProcess, startFakeKubeApiProcess } from './startFakeKubeApiProcess.js';
import { type DirectorySnapshot, TunnelDirectoryReader } from './TunnelDirectoryReader.js';
import { type ReplicaBudgets, type ReplicaPorts, writeClusterFiles } from './writeClusterFiles.js';

/** What a local cluster is made of. Every field has a default that suits the demo. */
export interface LocalClusterOptions {
  /** kas replicas, named `kas-a`, `kas-b`, ... Default 3. */
  readonly replicas?: number;
  /** agentk processes; process p tries the replicas in an order rotated by p (see `agentPlacement`). Default 3. */
  readonly agentkProcesses?: number;
  /**
   * `'spread'` (default): agentk process p tries the replicas in an order rotated by p, so agents start
   * spread over the replicas. `'first-replica'`: every process tries `kas-a` first, so every agent starts
   * there (a benchmark that stops one replica holding them all).
   */
  readonly agentPlacement?: 'spread' | 'first-replica';
  /** Agents in each agentk process (many-agents mode). Default 10. */
  readonly agentsPerProcess?: number;
  /**
   * Default true. False: the agents' tokens and the agents file are written, but no agentk process is
   * started and the cluster does not wait for agents: something else (a benchmark's own clients, with
   * `agentToken`) connects as those agents.
   */
  readonly startAgentk?: boolean;
  /** Idle tunnels each agent keeps. Default 2. */
  readonly tunnelsPerAgent?: number;
  /** Default `'current'`; `'legacy'` runs every replica with `--legacy-stop-order`. */
  readonly stopOrder?: StopOrder;
  /** Default: drain 12 s, listen grace 2 s, tunnel wait 5 s. */
  readonly budgets?: Partial<ReplicaBudgets>;
  /** How often the fake Kubernetes API changes something (watches see it). Default 1000 ms. */
  readonly activityIntervalMs?: number;
  /** How often the load balancer probes readiness. Default 100 ms. */
  readonly probeIntervalMs?: number;
  /** Where config, tokens, certificates and traces go. Default: a new temporary folder, removed at stop. */
  readonly directory?: string;
}

/** A running local cluster: Redis, kas replicas behind a load balancer, agentk processes, a fake API. */
export interface LocalCluster {
  readonly directory: string;
  /** Lifecycle traces of every replica run (`<replica>.run-<n>.jsonl`). */
  readonly traceDirectory: string;
  readonly budgets: ReplicaBudgets;
  readonly redis: RedisServer;
  readonly replicas: readonly KasReplica[];
  readonly agentk: AgentkFleet;
  readonly agentIds: readonly string[];
  readonly kubeApi: FakeKubeApiProcess;
  readonly loadBalancer: LoadBalancer;
  /** PEM of the CA that signed the kube proxies' certificate (clients trust it). */
  readonly caPem: string;
  /** The demo user's kube proxy token for one agent. */
  userToken(agentId: string): string;
  /** The token an agent authenticates with (what agentk reads from its token file). */
  agentToken(agentId: string): string;
  replica(id: string): KasReplica;
  /** The replica whose agent address this is. */
  replicaByAddress(agentAddress: string): KasReplica | undefined;
  /** Which replicas advertise which agents in Redis now. */
  readDirectory(): Promise<DirectorySnapshot>;
  /** Resolves when every agent has live tunnels and is advertised by the replica it is on. */
  waitForAgents(timeoutMs?: number): Promise<void>;
  /** Stops everything this cluster started; the temporary folder goes too. Safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_BUDGETS: ReplicaBudgets = { drainBudgetMs: 12_000, listenGraceMs: 2_000, tunnelWaitMs: 5_000 };

/**
 * Starts a whole kas installation on loopback as real processes: `redis-server`, kas replicas (each with
 * `--trace-file`), a TCP load balancer in front of their kube proxies, a fake Kubernetes API, and agentk
 * processes in many-agents mode; resolves when every agent is connected and advertised. If anything
 * fails to start, what did start is stopped.
 */
export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const programs = programPaths();
  const budgets = { ...DEFAULT_BUDGETS, ...options.budgets };
  const isOwnDirectory = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'kas-local-cluster-')));
  const traceDirectory = join(directory, 'traces');
  await mkdir(traceDirectory, { recursive: true });
  const cleanUps: (() => Promise<void>)[] = [];
  let isStopped = false;
  const stop = async () => {
    if (isStopped) return;
    isStopped = true;
    for (const cleanUp of cleanUps.reverse()) await cleanUp().catch(() => undefined);
    if (isOwnDirectory) await rm(directory, { recursive: true, force: true });
  };
  try {
    const redis = await startRedis();
    cleanUps.push(() => redis.stop());
    const directoryReader = new TunnelDirectoryReader(redis.url);
    cleanUps.push(() => directoryReader.close());

    const ids = Array.from({ length: options.replicas ?? 3 }, (_, index) => `kas-${'abcdefghij'[index]}`);
    // Port 0 everywhere: each replica's first run is given free ports by the OS and keeps them (KasReplica).
    const unbound: ReplicaPorts = { agentGrpc: 0, kubeProxy: 0, privateApi: 0, observability: 0 };
    const ports = new Map<string, ReplicaPorts>(ids.map((id) => [id, unbound]));
    const agentkProcesses = options.agentkProcesses ?? 3;
    const files = await writeClusterFiles({
      directory,
      redisUrl: redis.url,
      replicas: ports,
      agentkProcesses,
      agentsPerProcess: options.agentsPerProcess ?? 10,
      budgets,
    });

    const kubeApi = await startFakeKubeApiProcess(programs.fakeKubeApi, options.activityIntervalMs ?? 1_000);
    cleanUps.push(async () => void (await kubeApi.process.stop()));

    const replicas = ids.map(
      (id) =>
        new KasReplica(id, ports.get(id) as ReplicaPorts, {
          kasMain: programs.kas,
          configPath: files.configPaths.get(id) as string,
          traceDirectory,
          stopOrder: options.stopOrder ?? 'current',
          keepPorts: (bound) => files.writeReplicaConfig(id, bound),
        }),
    );
    cleanUps.push(async () => void (await Promise.all(replicas.map((replica) => replica.kill()))));
    await Promise.all(replicas.map((replica) => replica.start()));

    const loadBalancer = await startLoadBalancer(
      replicas.map((replica) => ({
        id: replica.id,
        port: replica.ports.kubeProxy,
        readinessUrl: replica.readinessUrl,
      })),
      { probeIntervalMs: options.probeIntervalMs ?? 100 },
    );
    cleanUps.push(() => loadBalancer.close());

    const agentk = new AgentkFleet(
      (options.startAgentk === false ? [] : files.agentIdsByProcess).map((agents, p) =>
        startAgentkProcess({
          program: programs.agentk,
          kasAddresses: replicas.map((_, index) => {
            const rotation = options.agentPlacement === 'first-replica' ? 0 : p;
            return (replicas[(index + rotation) % replicas.length] as KasReplica).agentAddress;
          }),
          agents: agents.length,
          tokenFilePattern: files.tokenFilePattern(p),
          kubeApiUrl: kubeApi.url,
          tunnels: options.tunnelsPerAgent ?? 2,
        }),
      ),
    );
    // Before the load balancer closes: agentk drains its busy tunnels first.
    cleanUps.push(() => agentk.stop());

    const agentIds = files.agentIdsByProcess.flat();
    const cluster: LocalCluster = {
      directory,
      traceDirectory,
      budgets,
      redis,
      replicas,
      agentk,
      agentIds,
      kubeApi,
      loadBalancer,
      caPem: files.caPem,
      userToken: files.userToken,
      agentToken: files.agentToken,
      replica(id) {
        const replica = replicas.find((candidate) => candidate.id === id);
        if (replica === undefined) {
          throw new DemoError(
            'KAS_DEMO_UNKNOWN_REPLICA',
            `no replica "${id}" in this cluster (it has ${ids.join(', ')})`,
            'use one of the ids the cluster lists',
          );
        }
        return replica;
      },
      replicaByAddress: (address) => replicas.find((replica) => replica.agentAddress === address),
      readDirectory: () => directoryReader.read(),
      async waitForAgents(timeoutMs = 30_000) {
        const giveUpAt = Date.now() + timeoutMs;
        for (;;) {
          const locations = agentk.locations();
          const snapshot = await directoryReader.read();
          const missing = agentIds.filter((agent) => {
            const home = cluster.replicaByAddress(locations.get(agent) ?? '');
            return home === undefined || !snapshot.replicasByAgent.get(agent)?.includes(home.id);
          });
          if (missing.length === 0) return;
          if (Date.now() > giveUpAt) {
            throw new DemoError(
              'KAS_DEMO_TIMEOUT',
              `${missing.length} agent(s) not connected and advertised within ${timeoutMs}ms: ${missing.slice(0, 5).join(', ')}`,
              'read the agentk and kas log lines: a token, an address or Redis may be wrong',
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      },
      stop,
    };
    await Promise.all([
      ...(options.startAgentk === false ? [] : [cluster.waitForAgents()]),
      ...replicas.map((replica) => loadBalancer.waitUntilReady(replica.id)),
    ]);
    return cluster;
  } catch (error) {
    await stop();
    throw error;
  }
}
