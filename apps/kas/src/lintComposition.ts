import type { AppComposition } from '@kas/core';
import { composeKas, type KasModules } from './composition/composeKas.js';
import { BUSY_TUNNEL_MARGIN_MS } from './config/toKasModules.js';
import { KasTelemetry } from './observability/KasTelemetry.js';
import { KasTelemetryToken } from './observability/observabilityModule.js';

/**
 * The production shape of kas (Redis directory, TLS), for `kas-graph lint apps/kas`: the linter reads
 * declarations only, so the values below are placeholders that pass the modules' config checks.
 */
const productionShape: KasModules = {
  agentGrpc: { listen: '0.0.0.0:8150', agents: [], drainBudget: 3_600_000 + BUSY_TUNNEL_MARGIN_MS }, // kas's default
  tracker: { store: 'redis' },
  redis: { url: 'redis://redis:6379' },
  kubeProxy: {
    listen: '0.0.0.0:8443',
    tls: { cert: { file: '/etc/kas/tls.pem' }, key: { file: '/etc/kas/tls-key.pem' } },
    users: [],
    privateApiSecret: 'placeholder-secret-for-lint-only',
  },
  privateApi: {
    replicaId: 'kas-0',
    listen: '0.0.0.0:8155',
    advertiseAddress: 'kas-0.kas:8155',
    secret: 'placeholder-secret-for-lint-only',
  },
  observability: { listenAddress: '0.0.0.0:8151' },
  provide: [{ token: KasTelemetryToken, useValue: new KasTelemetry() }],
};

/** The kas module graph with the current stop order: `kas-graph lint apps/kas` exits 0. */
const current: AppComposition = composeKas(productionShape, 'current');
export default current;

/** The pre-fix stop order: `kas-graph lint apps/kas#legacy` exits 1 (advertise/accept split). */
export const legacy: AppComposition = composeKas(productionShape, 'legacy');
