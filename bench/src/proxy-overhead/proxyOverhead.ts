import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { median } from '../floors/median.js';
import { type FixedRateFigures, runFixedRate } from './runFixedRate.js';
import { type LoadFigures, runLoad } from './runLoad.js';
import { type ProxyChains, startProxyChains } from './startProxyChains.js';
import type { BodySize } from './upstreamObjects.js';
import { VARIANT_LABELS, type Variant } from './variants.js';

/** A closed-loop load: which body, how many connections, how long each run. */
interface LoadPlan {
  readonly body: BodySize;
  readonly connections: number;
  readonly durationS: number;
  readonly rounds: number;
  readonly variants: readonly Variant[];
}

// Each variant sits next to the one it is compared with (b and d, and their HTTPS pair), so a pair runs
// back to back in every round, whichever way the order goes.
const PLAIN: readonly Variant[] = ['a', 'b', 'd', 'c'];
const LOADS: readonly LoadPlan[] = [
  { body: 'small', connections: 16, durationS: 2, rounds: 6, variants: [...PLAIN, 'b-https', 'd-https'] },
  { body: 'large', connections: 4, durationS: 2, rounds: 3, variants: PLAIN },
];
const FIXED_RATE = { ratePerSecond: 500, durationMs: 3_000, leadInMs: 500, rounds: 3, variants: PLAIN };
const WARM_UP_S = 2;
const GOAL_THROUGHPUT_RATIO = 0.9;
const GOAL_ADDED_P50_MS = 1;

/** One measured run. */
export type ProxyRun =
  | {
      readonly kind: 'load';
      readonly body: BodySize;
      readonly variant: Variant;
      readonly round: number;
      readonly figures: LoadFigures;
    }
  | {
      readonly kind: 'fixedRate';
      readonly variant: Variant;
      readonly round: number;
      readonly figures: FixedRateFigures;
    };

/**
 * Benchmark 2 of issue 9: the cost of kas's proxy path. Small GETs (about 1 KB of JSON) and 1 MiB
 * bodies through (a) the fake API server directly, (b) kas with a local tunnel to agentk, (c) kas
 * forwarding to the replica that holds the tunnel, (d) two plain node:http hops; requests/s and latency
 * with autocannon, then the latency added at a fixed 500 requests/s, measured in microseconds. Runs are
 * interleaved (every round runs each variant once, the order reversed every other round) and summarized
 * by medians; ratios are medians of the ratios within each round.
 */
export const proxyOverhead: Benchmark = {
  name: 'proxy-overhead',
  description:
    'requests/s and latency through kas (local tunnel, forwarded) vs the API server directly and two node:http hops',
  async run() {
    const chains = await startProxyChains({ withHttps: true });
    const runs: ProxyRun[] = [];
    let bodyBytes: Record<BodySize, number>;
    try {
      bodyBytes = await measureBodies(chains);
      for (const plan of LOADS) {
        for (const variant of plan.variants)
          await runLoad(urlOf(chains, variant, plan.body), chains.authorization, plan.connections, WARM_UP_S);
      }
      for (const plan of LOADS) {
        for (let round = 0; round < plan.rounds; round++) {
          for (const variant of inRound(plan.variants, round)) {
            const figures = await runLoad(
              urlOf(chains, variant, plan.body),
              chains.authorization,
              plan.connections,
              plan.durationS,
            );
            runs.push({ kind: 'load', body: plan.body, variant, round, figures });
          }
        }
      }
      for (let round = 0; round < FIXED_RATE.rounds; round++) {
        for (const variant of inRound(FIXED_RATE.variants, round)) {
          const figures = await runFixedRate(
            urlOf(chains, variant, 'small'),
            chains.authorization,
            FIXED_RATE,
          );
          runs.push({ kind: 'fixedRate', variant, round, figures });
        }
      }
    } finally {
      await chains.stop();
    }
    return summarize(runs, bodyBytes);
  },
};

function urlOf(chains: ProxyChains, variant: Variant, body: BodySize): string {
  return `${chains.urls[variant]}${chains.upstream.paths[body]}`;
}

/** The order of a round: as listed, reversed every other round (so neither of a pair always goes first). */
function inRound<T>(list: readonly T[], round: number): readonly T[] {
  return round % 2 === 0 ? list : [...list].reverse();
}

async function measureBodies(chains: ProxyChains): Promise<Record<BodySize, number>> {
  const sizes = {} as Record<BodySize, number>;
  for (const body of ['small', 'large'] as const) {
    const response = await fetch(urlOf(chains, 'a', body), {
      headers: { authorization: chains.authorization },
    });
    sizes[body] = (await response.arrayBuffer()).byteLength;
  }
  return sizes;
}

const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : '');

function summarize(runs: readonly ProxyRun[], bodyBytes: Record<BodySize, number>) {
  const rows: BenchmarkRow[] = [];
  const loadRuns = (body: BodySize, variant: Variant) =>
    runs.flatMap((run) => (run.kind === 'load' && run.body === body && run.variant === variant ? [run] : []));
  const rate = (body: BodySize, variant: Variant) =>
    median(loadRuns(body, variant).map((run) => run.figures.requestsPerSecond));
  // A ratio within each round (the two variants ran back to back), then the median over rounds: the
  // machine's load drifts between rounds, less within one.
  const pairedRatio = (body: BodySize, variant: Variant, reference: Variant) => {
    const references = loadRuns(body, reference);
    return median(
      loadRuns(body, variant).flatMap((run) => {
        const other = references.find((candidate) => candidate.round === run.round);
        return other === undefined ? [] : [run.figures.requestsPerSecond / other.figures.requestsPerSecond];
      }),
    );
  };
  const ratios: Record<string, number> = {};
  const ratiosOfMedians: Record<string, number> = {};
  for (const plan of LOADS) {
    const load = `GET ${plan.body === 'small' ? `${bodyBytes.small} B` : `${(bodyBytes.large / 2 ** 20).toFixed(2)} MiB`}, ${plan.connections} connections`;
    for (const variant of plan.variants) {
      const figures = loadRuns(plan.body, variant).map((run) => run.figures);
      const reference: Variant = variant.endsWith('https') ? 'd-https' : 'd';
      const perA = pairedRatio(plan.body, variant, 'a');
      const perD = pairedRatio(plan.body, variant, reference);
      ratios[`${plan.body} ${variant}/a`] = perA;
      ratios[`${plan.body} ${variant}/${reference}`] = perD;
      ratiosOfMedians[`${plan.body} ${variant}/${reference}`] =
        rate(plan.body, variant) / rate(plan.body, reference);
      rows.push({
        load,
        variant: VARIANT_LABELS[variant],
        runs: figures.length,
        'req/s': fixed(rate(plan.body, variant), 0),
        'p50 ms': fixed(median(figures.map((run) => run.p50Ms)), 0),
        'p99 ms': fixed(median(figures.map((run) => run.p99Ms)), 0),
        '×(a)': variant === 'a' || variant.endsWith('https') ? '' : fixed(perA, 2),
        '×(d)': variant.startsWith('b') || variant === 'c' ? fixed(perD, 2) : '',
        'added p50 ms': '',
        failures: figures.reduce((sum, run) => sum + run.failures, 0),
      });
    }
  }
  const fixedRuns = (variant: Variant) =>
    runs.flatMap((run) => (run.kind === 'fixedRate' && run.variant === variant ? [run] : []));
  const p50Ms = (variant: Variant) => median(fixedRuns(variant).map((run) => run.figures.p50Us)) / 1000;
  const added: Record<string, number> = {};
  for (const variant of FIXED_RATE.variants) {
    const figures = fixedRuns(variant).map((run) => run.figures);
    const direct = fixedRuns('a');
    added[variant] =
      median(
        fixedRuns(variant).flatMap((run) => {
          const other = direct.find((candidate) => candidate.round === run.round);
          return other === undefined ? [] : [run.figures.p50Us - other.figures.p50Us];
        }),
      ) / 1000;
    rows.push({
      load: `GET ${bodyBytes.small} B at ${FIXED_RATE.ratePerSecond}/s`,
      variant: VARIANT_LABELS[variant],
      runs: figures.length,
      'req/s': FIXED_RATE.ratePerSecond,
      'p50 ms': fixed(p50Ms(variant), 3),
      'p99 ms': fixed(median(figures.map((run) => run.p99Us)) / 1000, 3),
      '×(a)': '',
      '×(d)': '',
      'added p50 ms': variant === 'a' ? '' : fixed(added[variant] as number, 3),
      failures: figures.reduce((sum, run) => sum + run.failures, 0),
    });
  }
  const smallBd = ratios['small b/d'] as number;
  const addedB = added.b as number;
  const notes = [
    `Goal b/d ≥ ${GOAL_THROUGHPUT_RATIO} for small GETs: ${fixed(smallBd, 2)} — ${smallBd >= GOAL_THROUGHPUT_RATIO ? 'met' : 'NOT met'} (ratio of the medians: ${fixed(ratiosOfMedians['small b/d'] as number, 2)}).`,
    `Goal added p50 over (a) < ${GOAL_ADDED_P50_MS} ms at ${FIXED_RATE.ratePerSecond} requests/s (small GETs): (b) adds ${fixed(addedB, 3)} ms — ${addedB < GOAL_ADDED_P50_MS ? 'met' : 'NOT met'}.`,
    `Ratios of requests/s: small b/a ${fixed(ratios['small b/a'] as number, 2)}, c/a ${fixed(ratios['small c/a'] as number, 2)}, b/d ${fixed(smallBd, 2)}, c/d ${fixed(ratios['small c/d'] as number, 2)}, HTTPS b/d ${fixed(ratios['small b-https/d-https'] as number, 2)}; 1 MiB b/a ${fixed(ratios['large b/a'] as number, 2)}, c/a ${fixed(ratios['large c/a'] as number, 2)}, b/d ${fixed(ratios['large b/d'] as number, 2)}.`,
    `Closed-loop rows: autocannon, medians over the runs of each run's requests/s and latency percentiles (whole milliseconds: autocannon's histogram counts in 1 ms units). Fixed-rate rows: an open-loop client sending ${FIXED_RATE.ratePerSecond} requests/s for ${FIXED_RATE.durationMs / 1000} s after a ${FIXED_RATE.leadInMs} ms lead-in, latency from process.hrtime into an HDR histogram of microseconds; medians over runs. Every round runs each variant once, compared variants back to back, the order reversed every other round; ratios (×, added p50) are medians over rounds of the ratio (difference) within a round. Every variant reaches the same fake API process; the client runs in the benchmark's process; every process of every chain shares the machine's CPUs.`,
  ];
  return {
    columns: [
      'load',
      'variant',
      'runs',
      'req/s',
      'p50 ms',
      'p99 ms',
      '×(a)',
      '×(d)',
      'added p50 ms',
      'failures',
    ],
    rows,
    notes,
    ratios,
    ratiosOfMedians,
    addedP50Ms: added,
    bodyBytes,
    runs,
  };
}
