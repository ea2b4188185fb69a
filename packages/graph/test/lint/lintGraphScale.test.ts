import { type AnyModule, createToken, defineModule, type Token } from '@kas/core';
import { analyzeComposition } from '@kas/core/analysis';
import { scaledMs } from '@kas/testkit';
import { describe, expect, it } from 'vitest';
import { lintComposition, MAX_FINDINGS_PER_RULE } from '../../src/index.js';
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

describe('rules whose findings are pairs of modules', () => {
  // 2,500 observers of one tag and 2,500 modules serving it are 6,250,000 pairs: one finding each made
  // kas-graph run out of its 4 GB heap after 70 s (at 20,000 modules it is 100 million). However the rule
  // pairs them, a run lists at most MAX_FINDINGS_PER_RULE findings of a rule and then says there are more.
  it('lists the first findings of a rule and says there are more, instead of running out of memory', () => {
    const half = 2_500;
    const modules = [
      ...Array.from({ length: half }, (_, i) => declare({ name: `server${i}`, accepts: ['conns'] })),
      ...Array.from({ length: half }, (_, i) => declare({ name: `observer${i}`, observes: ['conns'] })),
    ];
    const result = lintComposition({ modules });
    const observed = result.findings.filter((finding) => finding.code === 'KAS_OBSERVER_STOPS_EARLY');
    expect(observed).toHaveLength(MAX_FINDINGS_PER_RULE + 1);
    expect(observed.at(-1)).toMatchObject({
      severity: 'error',
      message: `more findings of KAS_OBSERVER_STOPS_EARLY than the first ${MAX_FINDINGS_PER_RULE.toLocaleString('en-US')}, which are listed: fix those and lint again to see the rest`,
      modules: [],
    });
    expect(result.errorCount).toBe(MAX_FINDINGS_PER_RULE + 1);
  });
});

describe('resource tags at scale', () => {
  /** `count` tags of twelve pseudo-random letters: far apart, no two within two edits. */
  const farApartTags = (count: number) => {
    let state = 12_345;
    const letter = () => {
      state = (state * 1_664_525 + 1_013_904_223) >>> 0;
      return String.fromCharCode(97 + ((state >>> 16) % 26));
    };
    return Array.from({ length: count }, () => Array.from({ length: 12 }, letter).join(''));
  };

  // KAS_ORPHAN_TAG and KAS_MISSPELT_TAG look for the closest tag of each tag. They compared it with every
  // tag of about its length, twice 400 million edit distances for 20,000 tags: 57 s by the CLI, beyond
  // this test's 45 s time-out even on an idle machine. Compared only with tags that share a string of up
  // to two deletions, they take a few seconds with the rest of the lint (up to 20 s in a full CI run on 2
  // cores, whose load the default time-out's scale lags behind).
  it('finds no misspelling among 20,000 tags that are all far apart, in the time of a test', {
    timeout: scaledMs(45_000),
  }, () => {
    const modules = farApartTags(20_000).map((tag, i) => declare({ name: `m${i}`, accepts: [tag] }));
    const result = lintComposition({ modules });
    expect(result.plan?.modules).toHaveLength(20_000);
    expect(result.findings.filter((finding) => finding.code.endsWith('_TAG'))).toEqual([]);
  });

  it('still finds a tag within two edits of another, short or longer than the tags it indexes', () => {
    const modules = [
      declare({ name: 'edge', accepts: ['agent-tunnels'] }),
      declare({ name: 'tracker', advertises: ['agent-tunnel'] }),
      declare({ name: 'x', uses: ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz-long'] }),
      declare({ name: 'y', accepts: ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz-lon'] }),
      declare({ name: 'z', uses: ['abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz-lon'] }),
    ];
    expect(
      lintComposition({ modules })
        .findings.filter((finding) => finding.code === 'KAS_MISSPELT_TAG')
        .map((finding) => finding.message),
    ).toEqual([
      '"x" uses abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz-long, which no other module names: did you mean abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz-lon?',
      '"tracker" advertises agent-tunnel, which no other module names: did you mean agent-tunnels?',
    ]);
  });
});

describe('findings about big stages', () => {
  // A stage is named by its members joined with `+`: an acceptor behind a stage of 20,000 modules had a
  // message of 120 KB and a fix of 2.4 MB (one clause per member), one line of `kas-graph lint`.
  it('names a stage of 20,000 modules and its fixes on a line a person can read; modules keep them all', () => {
    const members = Array.from({ length: 20_000 }, (_, i) => `m${i}`);
    const modules = [
      declare({ name: 'acceptor', accepts: ['conns'] }),
      ...members.map((name, i) =>
        declare({
          name,
          startAfter: ['acceptor'],
          drainBudget: '1h',
          ...(i === 0 ? {} : { stop: { with: [members[i - 1] as string] } }),
        }),
      ),
    ];
    const [finding, ...rest] = lintComposition({ modules }).findings;
    expect(rest).toEqual([]);
    expect(finding?.code).toBe('KAS_ACCEPTOR_BEHIND_DRAIN');
    expect(finding?.message).toBe(
      '"acceptor" accepts conns but cannot begin stopping until stage "m0+m1+…+m19999 (20,000 modules)" (drain budget 1h) has completed, up to 1h after the stop begins: it keeps accepting while its process is going away',
    );
    expect(finding?.fix).toMatch(
      /^"m0" started after "acceptor", so by default it stops first: declare stop: \{ alongside: \['acceptor'\] \} on "m0"; .*; … and 19,990 more$/,
    );
    expect(finding?.fix.length).toBeLessThan(2_000);
    expect(finding?.modules).toHaveLength(20_001);
  });
});
