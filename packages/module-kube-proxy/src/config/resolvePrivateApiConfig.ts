import { type Milliseconds, parseConfig, splitHostPort } from '@kas/config';
import type { HeartbeatTiming, PemSource } from '@kas/tunnel-protocol';
import { KubeProxyError } from '../errors/KubeProxyError.js';
import { type PrivateApiConfig, privateApiConfigSchema } from './privateApiConfigSchema.js';

/** The configuration as the private API's parts use it: defaults filled in, durations in milliseconds. */
export interface ResolvedPrivateApiConfig {
  readonly replicaId: string;
  readonly host: string;
  readonly port: number;
  readonly advertiseAddress: string | undefined;
  readonly secret: string;
  readonly tls: { readonly cert: PemSource; readonly key: PemSource } | undefined;
  readonly maxTunnelWaitMs: Milliseconds;
  readonly drainBudgetMs: Milliseconds;
  /** A connection that carried no Forward call this long after it was accepted is reset. */
  readonly handshakeTimeoutMs: Milliseconds;
  /** Heartbeats on each Forward call. */
  readonly heartbeat: HeartbeatTiming;
}

/** Parses `config` with `privateApiConfigSchema`; throws `KAS_PRIVATE_API_CONFIG_INVALID` naming each bad key. */
export function resolvePrivateApiConfig(config: PrivateApiConfig): ResolvedPrivateApiConfig {
  const parsed = parseConfig(
    privateApiConfigSchema,
    config,
    (problems, cause) =>
      new KubeProxyError(
        'KAS_PRIVATE_API_CONFIG_INVALID',
        `private-api config: ${problems}`,
        'correct each key named (see the Configuration section of the @kas/module-kube-proxy README)',
        { cause },
      ),
  );
  return {
    replicaId: parsed.replicaId,
    ...splitHostPort(parsed.listen),
    advertiseAddress: parsed.advertiseAddress,
    secret: parsed.secret,
    tls: parsed.tls,
    maxTunnelWaitMs: parsed.maxTunnelWait,
    drainBudgetMs: parsed.drainBudget,
    handshakeTimeoutMs: parsed.handshakeTimeout,
    heartbeat: { timeMs: parsed.keepalive.time, timeoutMs: parsed.keepalive.timeout },
  };
}
