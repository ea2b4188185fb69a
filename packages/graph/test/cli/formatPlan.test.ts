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

describe('formatPlan', () => {
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
