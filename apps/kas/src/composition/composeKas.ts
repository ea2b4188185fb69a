import type { AnyModule, AppComposition, ModuleOverride, ProvidedValue } from '@kas/core';
import { type AgentGrpcServerConfig, agentGrpcServerModule } from '@kas/module-agent-grpc';
import {
  type KubeProxyConfig,
  kubeProxyModule,
  type PrivateApiConfig,
  privateApiModule,
} from '@kas/module-kube-proxy';
import {
  type RedisConnectionConfig,
  redisConnectionModule,
  type TunnelTrackerConfig,
  tunnelTrackerModule,
} from '@kas/module-tunnel-tracker';
import { type ObservabilityConfig, observabilityModule } from '../observability/observabilityModule.js';

/** Which stop order to compose: the current one, or the pre-fix one kept for comparison. */
export type StopOrder = 'current' | 'legacy';

/** What `composeKas` builds the modules from. */
export interface KasModules {
  readonly agentGrpc: AgentGrpcServerConfig;
  readonly tracker: TunnelTrackerConfig;
  /** The tracker's drain budget (how long the withdraw may wait for a slow Redis). */
  readonly trackerDrainBudgetMs?: number;
  /** Absent: a single replica with the in-memory directory (`tracker.store` must be `'memory'`). */
  readonly redis?: RedisConnectionConfig;
  readonly kubeProxy: KubeProxyConfig;
  readonly privateApi: PrivateApiConfig;
  readonly observability: Omit<ObservabilityConfig, 'stopAfter'>;
  /** Values the app provides (kas's telemetry). */
  readonly provide?: readonly ProvidedValue[];
  /** Extra modules (dev mode's fake Kubernetes API and agent). */
  readonly extraModules?: readonly AnyModule[];
}

/**
 * The pre-fix ordering, as composition overrides of the same modules: the kube proxy and the tracker stop
 * first, together; the agent gRPC server begins its stop (GOAWAY) only after the proxy's drain. Agents
 * stay connected to a replica that no longer advertises them for the whole drain. Comparison only.
 */
export const LEGACY_STOP_OVERRIDES: Readonly<Record<string, ModuleOverride>> = {
  'kube-proxy': { stop: {} },
  'private-api': { stop: { with: ['kube-proxy'], alongside: ['tunnel-tracker'] } }, // it started before the tracker
  'tunnel-tracker': { stop: { alongside: ['kube-proxy'] } },
  'agent-grpc-server': { stop: { after: ['kube-proxy', 'tunnel-tracker'] } },
};

/**
 * Composes kas: the agent edge (`agent-grpc-server` and `tunnel-tracker`, one stop stage), user traffic
 * (`kube-proxy` and `private-api`, one stage that begins with the agent edge and may drain for an hour),
 * and infrastructure (`redis-connection`, `observability`) that stops after both.
 */
export function composeKas(modules: KasModules, stopOrder: StopOrder = 'current'): AppComposition {
  const kas: AnyModule[] = [
    ...(modules.redis === undefined ? [] : [redisConnectionModule(modules.redis)]),
    agentGrpcServerModule(modules.agentGrpc),
    privateApiModule(modules.privateApi),
    tunnelTrackerModule(modules.tracker),
    kubeProxyModule(modules.kubeProxy),
    ...(modules.extraModules ?? []),
  ];
  const observability = observabilityModule({
    ...modules.observability,
    stopAfter: kas.map((module) => module.name),
  });
  const overrides: Record<string, ModuleOverride> =
    stopOrder === 'legacy' ? { ...LEGACY_STOP_OVERRIDES } : {};
  if (modules.trackerDrainBudgetMs !== undefined) {
    overrides['tunnel-tracker'] = {
      ...overrides['tunnel-tracker'],
      drainBudget: modules.trackerDrainBudgetMs,
    };
  }
  return { modules: [observability, ...kas], overrides, provide: modules.provide ?? [] };
}
