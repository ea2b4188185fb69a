import type { AppPlan, StopEdge, StopStage } from '@kas/core';
import { analyzeComposition } from '@kas/core/analysis';
import { describe, expect, it } from 'vitest';
import { formatPlan } from '../../src/cli/plan/formatPlan.js';
import { declare } from '../lint/declare.js';

/** The array, with a counter of how many of its elements were read. */
function counted<T>(items: readonly T[]): { readonly items: readonly T[]; readonly reads: () => number } {
  let reads = 0;
  const proxy = new Proxy([...items], {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  return { items: proxy, reads: () => reads };
}

/** The lines of a plan's text that are not one of its two fixed headings, longest first. */
function longestLines(text: string): number[] {
  return text
    .split('\n')
    .filter((line) => !/^(Start|Stop) plan \(/.test(line))
    .map((line) => line.length)
    .sort((a, b) => b - a)
    .slice(0, 3);
}

describe('formatPlan', () => {
  it('wraps long lists at about 100 columns (at 3,000 modules a line was 50-95 KB)', () => {
    const size = 3_000;
    // A stage of 3,000 members (with), a module that starts after 3,000 others, one that stops last
    // after all of them, and a chain of 3,000 on the critical path.
    const wide = Array.from({ length: size }, (_, i) =>
      declare({ name: `member-${i}`, ...(i > 0 ? { stop: { with: [`member-${i - 1}`] } } : {}) }),
    );
    const fan = [
      ...Array.from({ length: size }, (_, i) => declare({ name: `leaf-${i}` })),
      declare({ name: 'root', startAfter: Array.from({ length: size }, (_, i) => `leaf-${i}`) }),
      declare({ name: 'metrics', stop: { last: true } }),
    ];
    const chain = Array.from({ length: size }, (_, i) =>
      declare({ name: `m${i}`, ...(i > 0 ? { stop: { after: [`m${i - 1}`] } } : {}) }),
    );
    for (const modules of [wide, fan, chain]) {
      const { plan, problems } = analyzeComposition({ modules });
      if (plan === undefined) throw new Error(problems.map((problem) => problem.message).join('\n'));
      const [longest = 0] = longestLines(formatPlan(plan));
      expect(longest).toBeLessThanOrEqual(110);
    }
  });

  it('keeps a small plan one module per line, wrapping only a list that passes 100 columns', () => {
    const edge = ['agent-grpc-server', 'tunnel-tracker', 'private-api', 'kube-proxy'];
    const { plan } = analyzeComposition({
      modules: [
        declare({ name: 'observability' }),
        ...edge.map((name) => declare({ name, startAfter: ['observability'] })),
        declare({ name: 'gateway', startAfter: edge }),
      ],
    });
    if (plan === undefined) throw new Error('the graph has a plan');
    const text = formatPlan(plan);
    expect(text).toContain('    gateway  after agent-grpc-server, tunnel-tracker, private-api, kube-proxy\n');
    expect(text).toContain(
      [
        '    observability  drain 30s; stops after agent-grpc-server (started after it),',
        '        tunnel-tracker (started after it), private-api (started after it),',
        '        kube-proxy (started after it)',
        '',
      ].join('\n'),
    );
    expect(text).toMatch(
      /\nCritical path: gateway \(30s\) -> \S+ \(30s\) -> observability \(30s\); worst case 1m 30s\n$/,
    );
  });

  it('reads each stop edge and stage a bounded number of times (it filtered every edge once per module)', () => {
    const size = 2_000;
    const modules = Array.from({ length: size }, (_, i) =>
      declare({ name: `m${i}`, ...(i > 0 ? { stop: { after: [`m${i - 1}`] } } : {}) }),
    );
    const { plan } = analyzeComposition({ modules });
    if (plan === undefined) throw new Error('the chain has a plan');
    const edges = counted<StopEdge>(plan.stop.edges);
    const stages = counted<StopStage>(plan.stop.stages);
    const text = formatPlan({
      ...plan,
      stop: { ...plan.stop, edges: edges.items, stages: stages.items },
    } as AppPlan);

    expect(text).toContain(`    m${size - 1}  drain 30s; stops after m${size - 2} (declared after)\n`);
    expect(text).toContain(`Critical path: m0 (30s) -> m1 (30s) -> `);
    expect(edges.reads()).toBeLessThanOrEqual(2 * plan.stop.edges.length);
    expect(stages.reads()).toBeLessThanOrEqual(4 * size);
  });
});
