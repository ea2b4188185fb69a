import type { AppComposition } from '@kas/core';
import { agentGrpcServerModule } from '@kas/module-agent-grpc';
import { kubeProxyModule, privateApiModule } from '@kas/module-kube-proxy';
import { redisConnectionModule, tunnelTrackerModule } from '@kas/module-tunnel-tracker';
import { composeKas, type KasModules } from './composition/composeKas.js';
import { lintOnly } from './composition/lintOnly.js';
import { BUSY_TUNNEL_MARGIN_MS } from './config/sections/agentGrpcSection.js';
import { KasActivity, KasActivityToken } from './extension/KasActivity.js';
import { KasTelemetry } from './observability/KasTelemetry.js';
import { KasTelemetryToken } from './observability/observabilityModule.js';

const placeholderSecret = 'placeholder-secret-for-lint-only';

/**
 * The production shape of kas (Redis directory, TLS), for `kas-graph lint apps/kas`: the linter reads
 * declarations only, so the values below are placeholders that pass the modules' config checks. Its modules
 * refuse to start (`KAS_LINT_ONLY`): running it never binds a port. `kas-graph lint --config kas.yaml` lints
 * what a given config runs instead.
 */
const productionShape: KasModules = {
  modules: [
    agentGrpcServerModule({
      listen: '0.0.0.0:8150',
      agents: [],
      drainBudget: 3_600_000 + BUSY_TUNNEL_MARGIN_MS,
    }), // kas's default
    tunnelTrackerModule({ store: 'redis' }),
    redisConnectionModule({ url: 'redis://redis:6379' }),
    kubeProxyModule({
      listen: '0.0.0.0:8443',
      tls: { cert: { file: '/etc/kas/tls.pem' }, key: { file: '/etc/kas/tls-key.pem' } },
      users: [],
      privateApiSecret: placeholderSecret,
    }),
    privateApiModule({
      replicaId: 'kas-0',
      listen: '0.0.0.0:8155',
      advertiseAddress: 'kas-0.kas:8155',
      secret: placeholderSecret,
    }),
  ],
  observability: { listenAddress: '0.0.0.0:8151' },
  provide: [
    { token: KasTelemetryToken, useValue: new KasTelemetry() },
    { token: KasActivityToken, useValue: new KasActivity() },
  ],
};

/** The kas module graph with the current stop order: `kas-graph lint apps/kas` exits 0. */
const current: AppComposition = lintOnly(composeKas(productionShape, 'current'));
export default current;

/** The pre-fix stop order: `kas-graph lint apps/kas#legacy` exits 1 (advertise/accept split). */
export const legacy: AppComposition = lintOnly(composeKas(productionShape, 'legacy'));
