import { type AnyModule, createToken, defineModule, type Token } from '@kas/core';
import { analyzeComposition } from '@kas/core/analysis';
import { describe, expect, it } from 'vitest';
import { lintComposition } from '../../src/index.js';
import { createLintGraph } from '../../src/lint/LintGraph.js';
import { declare } from './declare.js';

/** Module i needs the token of module i - 1: by default each stops before the one it needs, one stage each. */
function needsChain(length: number): AnyModule[] {
  const tokens: Token<number>[] = Array.from({ length }, (_, i) => createToken<number>(`t${i}`));
  return tokens.map((token, i) => {
    const previous = tokens[i - 1];
    return defineModule({
      name: `m${i}`,
      provides: { value: token },
      ...(previous === undefined ? {} : { needs: { previous } }),
      create: () => ({ start: async () => {}, stop: async () => {}, provides: { value: i } }),
    });
  });
}

/** A deterministic random stop DAG: each module stops after a few earlier ones. */
function randomStopDag(size: number, seed: number): AnyModule[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  return Array.from({ length: size }, (_, i) => {
    const after = new Set<string>();
    for (let k = 0; k < 3 && i > 0; k++) if (random() < 0.6) after.add(`m${Math.floor(random() * i)}`);
    return declare({ name: `m${i}`, ...(after.size > 0 ? { stop: { after: [...after] } } : {}) });
  });
}

describe('LintGraph at scale', () => {
  it('lints a chain of 20,000 DI needs (each stop stage used to keep all its ancestors: out of heap)', () => {
    const result = lintComposition({ modules: needsChain(20_000) });
    expect(result.plan?.stop.stages).toHaveLength(20_000);
    expect(result.findings).toEqual([]);
  });

  it('answers stopsAfter and stagesBefore as a full search of the stop DAG does', () => {
    for (const seed of [1, 2, 3]) {
      const { plan, problems } = analyzeComposition({ modules: randomStopDag(60, seed) });
      if (plan === undefined) throw new Error(`no plan: ${problems.map((p) => p.message).join('; ')}`);
      const graph = createLintGraph(plan, problems, { acceptDelayLimitMs: 30_000 });
      const follows = new Map(plan.stop.stages.map((stage) => [stage.id, stage.follows]));
      const ancestors = (id: string): Set<string> => {
        const seen = new Set<string>();
        const pending = [...(follows.get(id) ?? [])];
        for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
          if (!seen.has(next)) pending.push(...(follows.get(next) ?? []));
          seen.add(next);
        }
        return seen;
      };
      for (const later of plan.modules) {
        const before = ancestors(graph.stopStageOf(later.name).id);
        expect(graph.stagesBefore(graph.stopStageOf(later.name).id)).toEqual(before);
        for (const earlier of plan.modules) {
          // Asked twice: the first answer searches, the second uses the kept ancestors.
          for (let asked = 0; asked < 2; asked++) {
            expect(graph.stopsAfter(later.name, earlier.name)).toBe(
              before.has(graph.stopStageOf(earlier.name).id),
            );
          }
        }
      }
    }
  });
});
