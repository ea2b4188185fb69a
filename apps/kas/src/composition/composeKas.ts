import type { AnyModule, AppComposition, ModuleOverride, ProvidedValue } from '@kas/core';
import { type ObservabilityConfig, observabilityModule } from '../observability/observabilityModule.js';

/** Which stop order to compose: the current one, or the pre-fix one kept for comparison. */
export type StopOrder = 'current' | 'legacy';

/** What `composeKas` puts together. */
export interface KasModules {
  /**
   * The modules of kas.yaml's sections (`createKasModules`): `agent-grpc-server`, `tunnel-tracker`,
   * `redis-connection` when Redis is configured, `kube-proxy`, `private-api`, and loaded modules'.
   */
  readonly modules: readonly AnyModule[];
  /**
   * Where the observability listener binds (`observability.listen`), and whether it serves the
   * lifecycle debug endpoints (`observability.debug`).
   */
  readonly observability: Omit<ObservabilityConfig, 'debug'> & { readonly debug?: boolean };
  /** Values the app provides (kas's telemetry). */
  readonly provide?: readonly ProvidedValue[];
  /** Extra modules (dev mode's fake Kubernetes API and agent). */
  readonly extraModules?: readonly AnyModule[];
}

const LEGACY = '--legacy-stop-order';

/**
 * The pre-fix ordering, as composition overrides of the same modules: the kube proxy and the tracker stop
 * first, together; the agent gRPC server begins its stop (GOAWAY) only after the proxy's drain. Agents
 * stay connected to a replica that no longer advertises them for the whole drain. Comparison only.
 */
export const LEGACY_STOP_OVERRIDES: Readonly<Record<string, ModuleOverride>> = {
  'kube-proxy': { stop: {}, origin: LEGACY },
  'private-api': { stop: { with: ['kube-proxy'], alongside: ['tunnel-tracker'] }, origin: LEGACY }, // it started before the tracker
  'tunnel-tracker': { stop: { alongside: ['kube-proxy'] }, origin: LEGACY },
  'agent-grpc-server': { stop: { after: ['kube-proxy', 'tunnel-tracker'] }, origin: LEGACY },
};

/**
 * Composes kas: the agent edge (`agent-grpc-server` and `tunnel-tracker`, one stop stage), user traffic
 * (`kube-proxy` and `private-api`, one stage that begins with the agent edge and may drain for an hour),
 * and infrastructure (`redis-connection`, `observability`: both declare `stop: { last: true }`) that stops
 * after everything else, loaded modules included.
 */
export function composeKas(kas: KasModules, stopOrder: StopOrder = 'current'): AppComposition {
  const modules = [...kas.modules, ...(kas.extraModules ?? [])];
  const observability = observabilityModule({
    ...kas.observability,
    debug: kas.observability.debug ?? false,
  });
  const overrides: Record<string, ModuleOverride> =
    stopOrder === 'legacy' ? { ...LEGACY_STOP_OVERRIDES } : {};
  return { modules: [observability, ...modules], overrides, provide: kas.provide ?? [] };
}
