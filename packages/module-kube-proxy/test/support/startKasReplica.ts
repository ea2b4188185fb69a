import type { AppOptions } from '@kas/core';
import { startTestApp, type TestApp } from '@kas/core/testing';
import type { CertificateAndKey } from '@kas/dev-certificates';
import {
  type AgentGrpcServerConfig,
  AgentGrpcServerToken,
  agentGrpcServerModule,
} from '@kas/module-agent-grpc';
import {
  type MemoryTunnelTable,
  redisConnectionModule,
  type TrackerTimingsConfig,
  tunnelTrackerModule,
} from '@kas/module-tunnel-tracker';
import { type TunnelRegistry, TunnelRegistryToken } from '@kas/tunnel-protocol';
import {
  type KubeProxyConfig,
  type KubeProxyInfo,
  type KubeProxyMetrics,
  KubeProxyMetricsToken,
  KubeProxyToken,
  kubeProxyModule,
  type PrivateApiConfig,
  type PrivateApiInfo,
  PrivateApiToken,
  privateApiModule,
} from '../../src/index.js';
import { agentCredentials, PRIVATE_API_SECRET, USERS } from './identities.js';
import { type CapturedLogs, captureLogs } from './testLogger.js';

/** How a test replica shares its tunnel directory: a table in this process, or a Redis server. */
export type TestDirectory = { readonly table?: MemoryTunnelTable } | { readonly redisUrl: string };

/** What a test replica is made of; everything has a test default. */
export interface KasReplicaOptions {
  readonly replicaId?: string;
  readonly tls: CertificateAndKey;
  readonly directory?: TestDirectory;
  /** The tunnel tracker's timings. */
  readonly tracker?: TrackerTimingsConfig;
  readonly agentGrpc?: Partial<AgentGrpcServerConfig>;
  readonly kubeProxy?: Partial<KubeProxyConfig>;
  readonly privateApi?: Partial<PrivateApiConfig>;
  readonly overrides?: AppOptions['overrides'];
}

/** One kas replica composed as the kas app composes it, on 127.0.0.1 and free ports. */
export interface KasReplica {
  readonly replicaId: string;
  readonly kas: TestApp;
  readonly proxy: KubeProxyInfo;
  readonly metrics: KubeProxyMetrics;
  readonly privateApi: PrivateApiInfo;
  readonly registry: TunnelRegistry;
  /** Where agents connect (`host:port`). */
  readonly agentAddress: string;
  readonly logs: CapturedLogs;
}

/** The modules of a kas replica: the agent edge, the tunnel tracker, the private API and the kube proxy. */
export function kasModules(options: KasReplicaOptions & { readonly replicaId: string }) {
  const directory = options.directory ?? {};
  const tracker =
    'redisUrl' in directory
      ? [
          redisConnectionModule({ url: directory.redisUrl }),
          tunnelTrackerModule({ store: 'redis', ...options.tracker }),
        ]
      : [tunnelTrackerModule({ store: 'memory', table: directory.table, ...options.tracker })];
  return [
    agentGrpcServerModule({
      listen: '127.0.0.1:0',
      agents: agentCredentials(),
      drainBudget: '30s',
      ...options.agentGrpc,
    }),
    ...tracker,
    privateApiModule({
      replicaId: options.replicaId,
      listen: '127.0.0.1:0',
      secret: PRIVATE_API_SECRET,
      drainBudget: '30s',
      ...options.privateApi,
    }),
    kubeProxyModule({
      listen: '127.0.0.1:0',
      tls: { cert: { pem: options.tls.cert }, key: { pem: options.tls.key } },
      users: USERS,
      privateApiSecret: PRIVATE_API_SECRET,
      listenGrace: '200ms',
      drainBudget: '30s',
      ...options.kubeProxy,
    }),
  ];
}

/** Starts a replica; the caller stops `kas`. */
export async function startKasReplica(options: KasReplicaOptions): Promise<KasReplica> {
  const replicaId = options.replicaId ?? 'kas-0';
  const logs = captureLogs();
  const kas = await startTestApp({
    logger: logs.logger,
    modules: kasModules({ ...options, replicaId }),
    overrides: options.overrides,
  });
  return {
    replicaId,
    kas,
    proxy: kas.app.get(KubeProxyToken),
    metrics: kas.app.get(KubeProxyMetricsToken),
    privateApi: kas.app.get(PrivateApiToken),
    registry: kas.app.get(TunnelRegistryToken),
    agentAddress: kas.app.get(AgentGrpcServerToken).address,
    logs,
  };
}
