import { defineModule, resolvePlan } from '@kas/core';
import { lintComposition } from '@kas/graph';
import { describe, expect, it } from 'vitest';
import current, { legacy } from '../src/lintComposition.js';

const stages = (composition: typeof current) =>
  resolvePlan(composition).stop.stages.map((stage) => ({ id: stage.id, follows: [...stage.follows].sort() }));

describe('the kas composition', () => {
  it('stops the agent edge and the user traffic as two stages that begin together, infrastructure after both', () => {
    expect(stages(current)).toEqual([
      { id: 'agent-grpc-server+tunnel-tracker', follows: [] },
      { id: 'private-api+kube-proxy', follows: [] },
      { id: 'redis-connection', follows: ['agent-grpc-server+tunnel-tracker', 'private-api+kube-proxy'] },
      { id: 'observability', follows: ['agent-grpc-server+tunnel-tracker', 'private-api+kube-proxy'] },
    ]);
  });

  it('stops the infrastructure (declared last) after a module kas has never heard of', () => {
    const late = defineModule({
      name: 'late-addition',
      drainBudget: '2h',
      create: () => ({ start: async () => {}, stop: async () => {} }),
    });
    const plan = resolvePlan({ ...current, modules: [...current.modules, late] });
    for (const infrastructure of ['redis-connection', 'observability']) {
      const stage = plan.stop.stages.find((candidate) => candidate.id === infrastructure);
      expect(stage?.follows).toContain('late-addition');
    }
  });

  it('keeps the pre-fix order expressible: the gRPC server (GOAWAY) only after the proxy has drained', () => {
    const plan = resolvePlan(legacy);
    const server = plan.stop.stages.find((stage) => stage.members.includes('agent-grpc-server'));
    expect(server?.follows).toEqual(expect.arrayContaining(['private-api+kube-proxy', 'tunnel-tracker']));
    expect(plan.stop.stages.find((stage) => stage.id === 'tunnel-tracker')?.follows).toEqual([]);
  });

  it('lints clean, and the pre-fix order fails with the advertise/accept split', () => {
    expect(lintComposition(current).findings).toEqual([]);
    const findings = lintComposition(legacy).findings;
    expect(findings.find((finding) => finding.code === 'KAS_ADVERTISE_ACCEPT_SPLIT')?.modules).toEqual([
      'tunnel-tracker',
      'agent-grpc-server',
    ]);
  });
});
