import { describe, expect, it } from 'vitest';
import { lintComposition } from '../../src/index.js';
import kas, { agentGrpcServer, kasModules, legacy } from '../fixtures/kas-app/kasApp.js';

describe('the kas graph', () => {
  it('lints clean', () => {
    expect(lintComposition(kas).findings).toEqual([]);
  });

  it('fails in its pre-fix ordering with the advertise/accept split naming tunnel-tracker and agent-grpc-server', () => {
    const result = lintComposition(legacy);
    const split = result.findings.find((finding) => finding.code === 'KAS_ADVERTISE_ACCEPT_SPLIT');
    expect(split?.modules).toEqual(['tunnel-tracker', 'agent-grpc-server']);
    expect(result.findings.map((finding) => finding.code)).toEqual([
      'KAS_ADVERTISE_ACCEPT_SPLIT',
      'KAS_ACCEPTOR_BEHIND_DRAIN',
    ]);
  });

  it('needs an agent-grpc-server drain budget that covers the in-flight requests of kube-proxy and private-api', () => {
    const result = lintComposition({
      modules: kasModules,
      overrides: { [agentGrpcServer.name]: { drainBudget: '10s' } },
    });
    expect(result.findings.map((finding) => [finding.code, ...finding.modules])).toEqual([
      ['KAS_USE_OUTLIVES_OWNER', 'private-api', 'agent-grpc-server'],
      ['KAS_USE_OUTLIVES_OWNER', 'kube-proxy', 'agent-grpc-server'],
    ]);
  });

  it('fails when private-api keeps the default against the agent edge: the seed bug again', () => {
    const result = lintComposition({
      modules: kasModules,
      overrides: { 'private-api': { stop: { with: ['kube-proxy'] } } },
    });
    expect(result.findings.map((finding) => finding.code)).toEqual(
      expect.arrayContaining(['KAS_STOP_CONTRADICTION', 'KAS_ACCEPTOR_BEHIND_DRAIN']),
    );
  });
});
