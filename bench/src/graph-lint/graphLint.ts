import { createApp } from '@kas/core';
import { analyzeComposition } from '@kas/core/analysis';
import { lintComposition, lintPlan } from '@kas/graph';
import { pino } from 'pino';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { measure } from '../measure.js';
import { type GraphShape, generateGraph } from './generateGraph.js';

const SHAPES: readonly GraphShape[] = ['chain', 'fan', 'kas-layered', 'random-redundant-after'];
const SIZES = [100, 1_000, 10_000] as const;
const RUNS: Readonly<Record<(typeof SIZES)[number], number>> = { 100: 31, 1000: 15, 10000: 9 };
const WARMUPS = 3;
const silent = pino({ level: 'silent' });

const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);

/** Benchmark 5 of issue 9: resolve both plans and lint generated graphs of 100 to 10,000 modules. */
export const graphLint: Benchmark = {
  name: 'graph-lint',
  description: 'resolve both plans (analyzeComposition) and lint (every core rule) generated module graphs',
  async run() {
    const rows: BenchmarkRow[] = [];
    for (const shape of SHAPES) {
      let previousTotal: number | undefined;
      for (const size of SIZES) {
        const composition = generateGraph(shape, size);
        const runs = RUNS[size];
        const analysis = analyzeComposition(composition);
        const { plan } = analysis;
        if (plan === undefined)
          throw new Error(`${shape} ${size}: no plan (${analysis.problems[0]?.message})`);
        const resolve = measure(() => analyzeComposition(composition), runs, WARMUPS);
        const rules = measure(() => lintPlan(plan), runs, WARMUPS);
        const total = measure(() => lintComposition(composition), runs, WARMUPS);
        const create = measure(() => createApp({ ...composition, logger: silent }), runs, WARMUPS);
        const result = lintComposition(composition);
        rows.push({
          shape,
          modules: size,
          'stop stages': plan.stop.stages.length,
          runs,
          'resolve ms': ms(resolve.medianMs),
          'rules ms': ms(rules.medianMs),
          'resolve + lint ms': ms(total.medianMs),
          'min–max ms': `${ms(total.minMs)}–${ms(total.maxMs)}`,
          'createApp ms': ms(create.medianMs),
          'vs 10× fewer':
            previousTotal === undefined ? '' : `${(total.medianMs / previousTotal).toFixed(1)}×`,
          findings: `${result.errorCount} errors, ${result.warningCount} warnings`,
        });
        previousTotal = total.medianMs;
      }
    }
    return {
      columns: [
        'shape',
        'modules',
        'stop stages',
        'runs',
        'resolve ms',
        'rules ms',
        'resolve + lint ms',
        'min–max ms',
        'createApp ms',
        'vs 10× fewer',
        'findings',
      ],
      rows,
      notes: [
        'Medians of `runs` measured runs after three warm-ups, in one process. "resolve" is analyzeComposition (both plans and the structural checks); "rules" is lintPlan on the resolved plan (every core rule); "resolve + lint" is lintComposition, what `kas-graph lint` does after loading the entry; "createApp" composes the app (both plans, its container, its snapshot) without starting it. "vs 10× fewer" is the growth of "resolve + lint" from the size 10 times smaller (10× is linear).',
      ],
    };
  },
};
