import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { analyzeComposition } from '../src/analysis.js';
import { type AppComposition, createApp, resolvePlan } from '../src/index.js';
import { startCyclePathViolations } from './support/bruteForceStopOrder.js';
import { checkResolution, thrownCoreError } from './support/checkResolution.js';
import { graphSpecArbitrary, toComposition } from './support/graphSpec.js';

// Bounded so the suite stays fast on a loaded 2-core machine: a few hundred small graphs (where
// contradictions are dense) and a few large ones. A failing run prints its seed and the shrunk
// counterexample: keep it in planRegressions.test.ts, named for what broke.
const SMALL = { numRuns: 200 } as const;
const LARGE = { numRuns: 4 } as const;
/** Per test: generous, for a machine running several test suites at once. */
const TIMEOUT = { timeout: 180_000 } as const;

const silentLogger = pino({ level: 'silent' });

describe('plan resolution, on random graphs', () => {
  it(
    'resolves exactly the graphs whose declarations can all hold, and the plan honours every relation and the transitive default',
    TIMEOUT,
    () => {
      fc.assert(
        fc.property(graphSpecArbitrary({ maxModules: 14 }), (spec) => checkResolution(spec)),
        SMALL,
      );
    },
  );

  it(
    'holds on graphs of a few hundred modules with many redundant "after" (the shape that crashed the resolver)',
    TIMEOUT,
    () => {
      fc.assert(
        fc.property(
          graphSpecArbitrary({
            minModules: 260,
            maxModules: 400,
            relationKinds: ['redundant-after'],
            relationsPerModule: 0.3,
          }),
          (spec) => checkResolution(spec),
        ),
        LARGE,
      );
    },
  );

  it('resolves graphs of up to 1,200 modules with many redundant "after" without throwing', TIMEOUT, () => {
    // Too large for the brute-force checker to run often; the old resolver's set sizes doubled at every
    // level of such graphs until an allocation failed.
    fc.assert(
      fc.property(
        graphSpecArbitrary({
          minModules: 600,
          maxModules: 1_200,
          relationKinds: ['redundant-after'],
          relationsPerModule: 0.3,
        }),
        (spec) => {
          const analysis = analyzeComposition(toComposition(spec));
          expect(analysis.problems).toEqual([]);
        },
      ),
      LARGE,
    );
  });

  it('holds on graphs of a few hundred modules with every kind of relation', TIMEOUT, () => {
    fc.assert(
      fc.property(
        graphSpecArbitrary({ minModules: 260, maxModules: 400, relationsPerModule: 0.05 }),
        (spec) => checkResolution(spec),
      ),
      LARGE,
    );
  });

  it(
    'reports one start cycle, with its full path, for each group of modules that wait on each other',
    TIMEOUT,
    () => {
      fc.assert(
        fc.property(graphSpecArbitrary({ maxModules: 14, startCycles: true }), (spec) => {
          const { problems } = analyzeComposition(toComposition(spec));
          const cycles = problems.filter((problem) => problem.code === 'KAS_START_CYCLE');
          for (const problem of cycles) expect(startCyclePathViolations(spec, problem.message)).toEqual([]);
          // Brute force: a module is on a cycle when it reaches itself; two such modules are in one group
          // when each reaches the other. One problem per group, naming modules of that group only.
          const reaches = spec.startAfter.map((_, from) => {
            const seen = new Set<number>();
            const pending = [...(spec.startAfter[from] ?? [])];
            for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
              if (!seen.has(next)) pending.push(...(spec.startAfter[next] ?? []));
              seen.add(next);
            }
            return seen;
          });
          const groups = new Set(
            reaches.flatMap((reached, module) =>
              reached.has(module)
                ? [
                    [...reached]
                      .filter((other) => reaches[other]?.has(module))
                      .sort((a, b) => a - b)
                      .join(','),
                  ]
                : [],
            ),
          );
          expect(cycles).toHaveLength(groups.size);
          const groupOf = (name: string) =>
            [...groups].find((group) => group.split(',').includes(name.slice(1))) ?? `none for ${name}`;
          for (const problem of cycles) {
            expect(new Set(problem.modules.map(groupOf)).size).toBe(1);
          }
          expect(new Set(cycles.map((problem) => groupOf(problem.modules[0] ?? ''))).size).toBe(
            cycles.length,
          );
        }),
        SMALL,
      );
    },
  );

  it(
    'throws nothing but a CoreError with a code for module objects not made by defineModule, whatever their fields hold',
    TIMEOUT,
    () => {
      const field = fc.oneof(
        fc.anything(),
        fc.array(fc.constantFrom('m0', 'm1', 'm2')),
        fc.record(
          { with: fc.anything(), alongside: fc.anything(), after: fc.anything() },
          { requiredKeys: [] },
        ),
      );
      const handMade = fc.record(
        {
          name: fc.oneof(fc.constantFrom('m0', 'm1', 'm2'), fc.anything()),
          startAfter: field,
          stop: field,
          drainBudget: fc.oneof(fc.constantFrom('1s', 10), fc.anything()),
          accepts: field,
          needs: field,
          provides: field,
          create: fc.constant(() => ({ start: async () => {}, stop: async () => {} })),
        },
        { requiredKeys: ['name', 'create'] },
      );
      fc.assert(
        fc.property(
          fc.array(handMade, { maxLength: 4 }),
          fc.dictionary(fc.constantFrom('m0', 'm1', 'toString'), field),
          (modules, overrides) => {
            const composition = { modules, overrides } as unknown as AppComposition;
            thrownCoreError(() => analyzeComposition(composition));
            thrownCoreError(() => createApp({ ...composition, logger: silentLogger }));
          },
        ),
        SMALL,
      );
    },
  );

  it(
    'throws nothing but a CoreError with a code, for any input, in analysis, resolvePlan and createApp',
    TIMEOUT,
    () => {
      fc.assert(
        fc.property(graphSpecArbitrary({ maxModules: 14, startCycles: true, invalidInput: true }), (spec) => {
          const composition = toComposition(spec);
          thrownCoreError(() => analyzeComposition(composition));
          thrownCoreError(() => resolvePlan(composition));
          thrownCoreError(() => createApp({ ...composition, logger: silentLogger }));
        }),
        SMALL,
      );
    },
  );
});
