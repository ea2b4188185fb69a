import type { ModuleOverride } from '../../src/index.js';
import { type ProbeBehaviour, type ProbeLog, probeModule } from './probeModule.js';

/** The kas module graph of DESIGN.md with probe modules; kube-proxy drains for `proxyDrainMs`. */
export function kasShapedModules(log: ProbeLog, proxy: ProbeBehaviour = { stopMs: 10 * 60_000 }) {
  return [
    probeModule(log, { name: 'redis-connection' }),
    probeModule(log, { name: 'agent-grpc-server', drainBudget: '10s', accepts: ['agent-tunnels'] }),
    probeModule(log, {
      name: 'tunnel-tracker',
      startAfter: ['redis-connection', 'agent-grpc-server'],
      stop: { with: ['agent-grpc-server'] },
      drainBudget: '10s',
      advertises: ['agent-tunnels'],
    }),
    probeModule(
      log,
      {
        name: 'kube-proxy',
        startAfter: ['agent-grpc-server', 'tunnel-tracker'],
        stop: { alongside: ['agent-grpc-server', 'tunnel-tracker'] },
        drainBudget: '1h',
        uses: ['agent-tunnels'],
      },
      proxy,
    ),
  ];
}

/** The pre-fix ordering, expressed as composition overrides of the same modules. */
export const legacyOverrides: Readonly<Record<string, ModuleOverride>> = {
  'kube-proxy': { stop: {} },
  'tunnel-tracker': { stop: { alongside: ['kube-proxy'] } },
  'agent-grpc-server': { stop: { after: ['kube-proxy', 'tunnel-tracker'] } },
};
