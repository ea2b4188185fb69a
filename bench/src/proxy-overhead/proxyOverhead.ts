import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { median } from '../floors/median.js';
import { processCpuMs } from '../shutdown-reaction/processCpuMs.js';
import { CHAIN_PROCESSES } from './chainProcesses.js';
import { type FixedRateFigures, runFixedRate } from './runFixedRate.js';
import { type LoadFigures, runLoad } from './runLoad.js';
import { type ProxyChains, startProxyChains } from './startProxyChains.js';
import type { BodySize } from './upstreamObjects.js';
import { REFERENCE_OF, VARIANT_LABELS, type Variant } from './variants.js';

/** A closed-loop load: which body, how many connections, how long each run. */
interface LoadPlan {
  readonly body: BodySize;
  readonly connections: number;
  readonly durationS: number;
  readonly rounds: number;
  readonly variants: readonly Variant[];
}

/**
 * The root of a built checkout of another kas version (e.g. the commit before a change): its (b) and (c)
 * run beside this build's as `b0` and `c0`, interleaved with them in every round.
 */
const BASELINE_ROOT = process.env.BENCH_KAS_BASELINE;

// Each variant sits next to the one it is compared with (b and d, c and e, each build's b and c beside
// the other's), so a pair runs back to back in every round, whichever way the order goes.
const PLAIN: readonly Variant[] =
  BASELINE_ROOT === undefined ? ['a', 'b', 'd', 'e', 'c'] : ['a', 'b0', 'b', 'd', 'e', 'c', 'c0'];
const LOADS: readonly LoadPlan[] = [
  { body: 'small', connections: 16, durationS: 2, rounds: 4, variants: [...PLAIN, 'b-https', 'd-https'] },
  { body: 'large', connections: 4, durationS: 2, rounds: 3, variants: PLAIN },
];
const FIXED_RATE = { ratePerSecond: 500, durationMs: 3_000, leadInMs: 500, rounds: 2, variants: PLAIN };
const WARM_UP_S = 2;
const GOALS = {
  smallBd: 0.9,
  addedP50BMs: 1,
  smallCe: 0.9,
  largeCe: 0.8,
  addedP50CMs: 1.5,
  p99CMs: 10,
};

/** CPU time of each process of the variant's chain during one run, per request answered, in µs. */
type CpuPerRequest = Readonly<Record<string, number>>;

/** One measured run. */
export type ProxyRun =
  | {
      readonly kind: 'load';
      readonly body: BodySize;
      readonly variant: Variant;
      readonly round: number;
      readonly figures: LoadFigures;
      readonly cpuUsPerRequest: CpuPerRequest;
    }
  | {
      readonly kind: 'fixedRate';
      readonly variant: Variant;
      readonly round: number;
      readonly figures: FixedRateFigures;
    };

/**
 * Benchmark 2 of issue 9, with the forwarded path of issue 17: the cost of kas's proxy path. Small GETs
 * (about 1 KB of JSON) and 1 MiB bodies through (a) the fake API server directly, (b) kas with a local
 * tunnel to agentk, (c) kas forwarding to the replica that holds the tunnel, (d) two plain node:http hops
 * (as many processes as (b)) and (e) three (as many as (c)); with `BENCH_KAS_BASELINE` also (b) and (c) of
 * another build. Requests/s and latency with autocannon, the CPU time per request of each process of a
 * chain (`/proc`), then the latency added at a fixed 500 requests/s, measured in microseconds. Runs are
 * interleaved (every round runs each variant once, the order reversed every other round) and summarized
 * by medians; ratios are medians of the ratios within each round.
 */
export const proxyOverhead: Benchmark = {
  name: 'proxy-overhead',
  description:
    'requests/s, latency and CPU per request through kas (local tunnel, forwarded) vs the API server directly and two or three node:http hops',
  async run() {
    const chains = await startProxyChains({ withHttps: true, baselineRoot: BASELINE_ROOT });
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
            const processes = CHAIN_PROCESSES[variant] ?? [];
            const cpuBefore = processes.map((name) => processCpuMs(chains.pids[name] ?? -1) ?? Number.NaN);
            const figures = await runLoad(
              urlOf(chains, variant, plan.body),
              chains.authorization,
              plan.connections,
              plan.durationS,
            );
            const cpuUsPerRequest: Record<string, number> = {};
            processes.forEach((name, index) => {
              const after = processCpuMs(chains.pids[name] ?? -1) ?? Number.NaN;
              cpuUsPerRequest[name] = ((after - (cpuBefore[index] as number)) * 1000) / figures.requests;
            });
            runs.push({ kind: 'load', body: plan.body, variant, round, figures, cpuUsPerRequest });
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
  const base = chains.urls[variant];
  if (base === undefined) throw new Error(`variant ${variant} was not started`);
  return `${base}${chains.upstream.paths[body]}`;
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

const fixed = (value: number | undefined, digits: number) =>
  value !== undefined && Number.isFinite(value) ? value.toFixed(digits) : '';
const met = (isMet: boolean) => (isMet ? 'met' : 'NOT met');

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
  const perRound: Record<string, number[]> = {};
  const cpuUs: Record<string, Record<string, number>> = {};
  for (const plan of LOADS) {
    const load = `GET ${plan.body === 'small' ? `${bodyBytes.small} B` : `${(bodyBytes.large / 2 ** 20).toFixed(2)} MiB`}, ${plan.connections} connections`;
    for (const variant of plan.variants) {
      const variantRuns = loadRuns(plan.body, variant);
      const figures = variantRuns.map((run) => run.figures);
      const reference = REFERENCE_OF[variant];
      const perA =
        variant === 'a' || variant.endsWith('https') ? undefined : pairedRatio(plan.body, variant, 'a');
      if (perA !== undefined) ratios[`${plan.body} ${variant}/a`] = perA;
      let perReference: number | undefined;
      if (reference !== undefined) {
        perReference = pairedRatio(plan.body, variant, reference);
        ratios[`${plan.body} ${variant}/${reference}`] = perReference;
        ratiosOfMedians[`${plan.body} ${variant}/${reference}`] =
          rate(plan.body, variant) / rate(plan.body, reference);
        perRound[`${plan.body} ${variant}/${reference}`] = variantRuns.flatMap((run) => {
          const other = loadRuns(plan.body, reference).find((candidate) => candidate.round === run.round);
          return other === undefined ? [] : [run.figures.requestsPerSecond / other.figures.requestsPerSecond];
        });
      }
      const processes = CHAIN_PROCESSES[variant] ?? [];
      const cpuByProcess: Record<string, number> = {};
      for (const name of processes)
        cpuByProcess[name] = median(variantRuns.map((run) => run.cpuUsPerRequest[name] ?? Number.NaN));
      const cpuTotal = median(
        variantRuns.map((run) => processes.reduce((sum, name) => sum + (run.cpuUsPerRequest[name] ?? 0), 0)),
      );
      cpuUs[`${plan.body} ${variant}`] = { ...cpuByProcess, total: cpuTotal };
      rows.push({
        load,
        variant: VARIANT_LABELS[variant],
        runs: figures.length,
        'req/s': fixed(rate(plan.body, variant), 0),
        'p50 ms': fixed(median(figures.map((run) => run.p50Ms)), 0),
        'p99 ms': fixed(median(figures.map((run) => run.p99Ms)), 0),
        '×(a)': fixed(perA, 2),
        '× reference':
          reference === undefined ? '' : `${fixed(perReference, 2)} ×(${reference.replace('-https', '')})`,
        'CPU µs/req': processes.length === 0 ? '' : fixed(cpuTotal, 0),
        'added p50 ms': '',
        'added p99 ms': '',
        failures: figures.reduce((sum, run) => sum + run.failures, 0),
      });
    }
  }
  const fixedRuns = (variant: Variant) =>
    runs.flatMap((run) => (run.kind === 'fixedRate' && run.variant === variant ? [run] : []));
  const pairedDifferenceMs = (variant: Variant, pick: (figures: FixedRateFigures) => number) => {
    const direct = fixedRuns('a');
    return (
      median(
        fixedRuns(variant).flatMap((run) => {
          const other = direct.find((candidate) => candidate.round === run.round);
          return other === undefined ? [] : [pick(run.figures) - pick(other.figures)];
        }),
      ) / 1000
    );
  };
  const added: Record<string, number> = {};
  const addedP99: Record<string, number> = {};
  const p99Ms: Record<string, number> = {};
  for (const variant of FIXED_RATE.variants) {
    const figures = fixedRuns(variant).map((run) => run.figures);
    added[variant] = pairedDifferenceMs(variant, (run) => run.p50Us);
    addedP99[variant] = pairedDifferenceMs(variant, (run) => run.p99Us);
    p99Ms[variant] = median(figures.map((run) => run.p99Us)) / 1000;
    rows.push({
      load: `GET ${bodyBytes.small} B at ${FIXED_RATE.ratePerSecond}/s`,
      variant: VARIANT_LABELS[variant],
      runs: figures.length,
      'req/s': FIXED_RATE.ratePerSecond,
      'p50 ms': fixed(median(figures.map((run) => run.p50Us)) / 1000, 3),
      'p99 ms': fixed(p99Ms[variant], 3),
      '×(a)': '',
      '× reference': '',
      'CPU µs/req': '',
      'added p50 ms': variant === 'a' ? '' : fixed(added[variant], 3),
      'added p99 ms': variant === 'a' ? '' : fixed(addedP99[variant], 3),
      failures: figures.reduce((sum, run) => sum + run.failures, 0),
    });
  }
  const r = (key: string) => ratios[key] as number;
  const notes = [
    `Goal b/d ≥ ${GOALS.smallBd} for small GETs: ${fixed(r('small b/d'), 2)} — ${met(r('small b/d') >= GOALS.smallBd)} (ratio of the medians: ${fixed(ratiosOfMedians['small b/d'], 2)}; per round ${fmtList(perRound['small b/d'])}).`,
    `Goal added p50 over (a) < ${GOALS.addedP50BMs} ms at ${FIXED_RATE.ratePerSecond} requests/s through (b): ${fixed(added.b, 3)} ms — ${met((added.b as number) < GOALS.addedP50BMs)}.`,
    `Goal c/e ≥ ${GOALS.smallCe} for small GETs: ${fixed(r('small c/e'), 2)} — ${met(r('small c/e') >= GOALS.smallCe)} (ratio of the medians: ${fixed(ratiosOfMedians['small c/e'], 2)}; per round ${fmtList(perRound['small c/e'])}).`,
    `Goal c/e ≥ ${GOALS.largeCe} for 1 MiB: ${fixed(r('large c/e'), 2)} — ${met(r('large c/e') >= GOALS.largeCe)} (ratio of the medians: ${fixed(ratiosOfMedians['large c/e'], 2)}; per round ${fmtList(perRound['large c/e'])}).`,
    `Goal added p50 over (a) < ${GOALS.addedP50CMs} ms at ${FIXED_RATE.ratePerSecond} requests/s through (c): ${fixed(added.c, 3)} ms — ${met((added.c as number) < GOALS.addedP50CMs)}; p99 of (c) < ${GOALS.p99CMs} ms: ${fixed(p99Ms.c, 3)} ms (added over (a): ${fixed(addedP99.c, 3)} ms) — ${met((p99Ms.c as number) < GOALS.p99CMs)}.`,
    ...(BASELINE_ROOT === undefined
      ? []
      : [
          `Baseline build (${BASELINE_ROOT}) in the same rounds: small b0/d ${fixed(r('small b0/d'), 2)}, c0/e ${fixed(r('small c0/e'), 2)}; 1 MiB b0/d ${fixed(r('large b0/d'), 2)}, c0/e ${fixed(r('large c0/e'), 2)}; added p50 at ${FIXED_RATE.ratePerSecond}/s b0 ${fixed(added.b0, 3)} ms, c0 ${fixed(added.c0, 3)} ms (p99 of c0 ${fixed(p99Ms.c0, 3)} ms).`,
        ]),
    `CPU µs per request, small GETs (medians over runs, by process): ${Object.entries(cpuUs)
      .filter(([key]) => key.startsWith('small'))
      .map(
        ([key, byProcess]) =>
          `${key.slice(6)}: ${Object.entries(byProcess)
            .map(([name, us]) => `${name} ${fixed(us, 0)}`)
            .join(', ')}`,
      )
      .join('; ')}.`,
    `Closed-loop rows: autocannon, medians over the runs of each run's requests/s and latency percentiles (whole milliseconds: autocannon's histogram counts in 1 ms units); "× reference" is the paired ratio against the plain hops with as many processes ((d) for (b), (e) for (c)); "CPU µs/req" is the CPU time (/proc, user + system, 10 ms resolution) of every process of the chain but the shared upstream during the run, per request answered. Fixed-rate rows: an open-loop client sending ${FIXED_RATE.ratePerSecond} requests/s for ${FIXED_RATE.durationMs / 1000} s after a ${FIXED_RATE.leadInMs} ms lead-in, latency from process.hrtime into an HDR histogram of microseconds; medians over runs; added = paired difference with (a) within a round. Every round runs each variant once, compared variants back to back, the order reversed every other round; ratios are medians over rounds of the ratio within a round. Every variant reaches the same fake API process; the client runs in the benchmark's process; every process of every chain shares the machine's CPUs.`,
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
      '× reference',
      'CPU µs/req',
      'added p50 ms',
      'added p99 ms',
      'failures',
    ],
    rows,
    notes,
    ratios,
    ratiosOfMedians,
    perRound,
    cpuUsPerRequest: cpuUs,
    addedP50Ms: added,
    addedP99Ms: addedP99,
    p99Ms,
    bodyBytes,
    runs,
  };
}

function fmtList(values: readonly number[] | undefined): string {
  return (values ?? []).map((value) => value.toFixed(2)).join(', ');
}
