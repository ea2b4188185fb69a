import { resolvePlan } from '@kas/core';
import { lintComposition } from '@kas/graph';
import { agentGrpcServerModule } from '@kas/module-agent-grpc';
import { redisConnectionModule, tunnelTrackerModule } from '@kas/module-tunnel-tracker';
import { describe, expect, it } from 'vitest';
import { kubeProxyModule, privateApiModule } from '../src/index.js';
import { agentCredentials, PRIVATE_API_SECRET, USERS } from './support/identities.js';

/** The kas graph with every module at its defaults, as the kas app composes it. */
const kasModules = [
  redisConnectionModule({ url: 'redis://127.0.0.1:6379' }),
  agentGrpcServerModule({ listen: '0.0.0.0:8150', agents: agentCredentials() }),
  tunnelTrackerModule({ store: 'redis' }),
  privateApiModule({
    replicaId: 'kas-0',
    listen: '0.0.0.0:8155',
    advertiseAddress: '10.0.3.7:8155',
    secret: PRIVATE_API_SECRET,
  }),
  kubeProxyModule({
    listen: '0.0.0.0:8443',
    tls: { cert: { file: '/etc/kas/tls.crt' }, key: { file: '/etc/kas/tls.key' } },
    users: USERS,
    privateApiSecret: PRIVATE_API_SECRET,
  }),
];

describe('the kas graph with the kube proxy and the private API', () => {
  it('lints clean', () => {
    expect(lintComposition({ modules: kasModules }).findings).toEqual([]);
  });

  it('stops in three stages: the agent edge and user traffic begin together, Redis closes after both', () => {
    const plan = resolvePlan({ modules: kasModules });
    const stages = plan.stop.stages.map((stage) => ({
      members: [...stage.members].sort(),
      follows: stage.follows.map((id) => id.split('+').sort().join('+')).sort(),
      drainBudgetMs: stage.drainBudgetMs,
    }));
    expect(stages).toEqual(
      expect.arrayContaining([
        { members: ['agent-grpc-server', 'tunnel-tracker'], follows: [], drainBudgetMs: 3_600_000 },
        { members: ['kube-proxy', 'private-api'], follows: [], drainBudgetMs: 3_600_000 },
        {
          members: ['redis-connection'],
          follows: ['agent-grpc-server+tunnel-tracker', 'kube-proxy+private-api'],
          drainBudgetMs: 5_000,
        },
      ]),
    );
    expect(stages).toHaveLength(3);
  });

  it('starts the private API before the tracker, which advertises its address, and the proxy last', () => {
    const order = resolvePlan({ modules: kasModules }).start.stages.map((stage) => stage.modules);
    const stageOf = (name: string) => order.findIndex((members) => members.includes(name));
    expect(stageOf('private-api')).toBeLessThan(stageOf('tunnel-tracker'));
    expect(stageOf('tunnel-tracker')).toBeLessThan(stageOf('kube-proxy'));
    expect(stageOf('agent-grpc-server')).toBeLessThan(stageOf('private-api'));
  });

  it('is rejected in the pre-fix ordering (proxy and tracker first, the gRPC server after the drain)', () => {
    const result = lintComposition({
      modules: kasModules,
      overrides: {
        'kube-proxy': { stop: {} },
        'tunnel-tracker': { stop: { alongside: ['kube-proxy'] } },
        'agent-grpc-server': { stop: { after: ['kube-proxy', 'tunnel-tracker'] } },
      },
    });
    expect(result.errorCount).toBeGreaterThan(0);
    expect(result.findings.map((finding) => finding.code)).toContain('KAS_ACCEPTOR_BEHIND_DRAIN');
  });

  it('is rejected when the private API keeps the default towards the agent edge', () => {
    // By default it stops before agent-grpc-server (started before it) and after tunnel-tracker (started
    // after it, needing its identity), while its stage-mate kube-proxy stops before tunnel-tracker.
    const result = lintComposition({
      modules: kasModules,
      overrides: { 'private-api': { stop: { with: ['kube-proxy'] } } },
    });
    expect(result.errorCount).toBeGreaterThan(0);
    expect(result.findings.map((finding) => finding.code)).toContain('KAS_STOP_CYCLE');
  });

  it('is rejected when the proxy may drain longer than the agent gRPC server keeps its tunnels', () => {
    const result = lintComposition({
      modules: kasModules,
      overrides: { 'kube-proxy': { drainBudget: '2h' } },
    });
    expect(result.findings.map((finding) => [finding.code, ...finding.modules])).toContainEqual([
      'KAS_USE_OUTLIVES_OWNER',
      'kube-proxy',
      'agent-grpc-server',
    ]);
  });
});
