import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { median } from '../floors/median.js';
import { measureServerRun, type ServerKind, type ServerRun } from './measureServerRun.js';

const STEPS = [1_000, 5_000] as const;
const TUNNELS_PER_AGENT = 2;
const RUNS = 2;
const IDLE_MS = 2_000;
const GOAL_RATIO = 1.5;

const KiB = 1024;
const fixed = (value: number, digits = 1) => value.toFixed(digits);

/**
 * Benchmark 3 of issue 9: one kas replica's agent side (the real `agent-grpc-server` module in an app)
 * holding 1,000 and 5,000 agents with 2 idle tunnels each, against a bare grpc-js server holding the same
 * idle streams, in the same run: RSS and heap per idle tunnel, and event-loop lag while idle. Servers and
 * clients run in processes of their own, so each server's memory is its own.
 */
export const idleAgents: Benchmark = {
  name: 'idle-agents',
  description:
    'memory and event-loop lag of one replica holding 1,000 and 5,000 idle agents (2 tunnels each) vs bare grpc-js',
  async run() {
    const runs: ServerRun[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Alternate which server goes first, so neither always meets the machine in the same state.
      const order: ServerKind[] = run % 2 === 0 ? ['bare', 'kas'] : ['kas', 'bare'];
      for (const kind of order) runs.push(await measureServerRun(kind, STEPS, TUNNELS_PER_AGENT, IDLE_MS));
    }
    const rows: BenchmarkRow[] = [];
    const notes: string[] = [];
    for (const agents of STEPS) {
      const tunnels = agents * TUNNELS_PER_AGENT;
      const summary = (kind: ServerKind) => summarize(runs, kind, agents, tunnels);
      const bare = summary('bare');
      const kas = summary('kas');
      for (const [kind, figures] of [
        ['bare grpc-js', bare],
        ['kas', kas],
      ] as const) {
        rows.push({
          agents,
          tunnels,
          server: kind,
          runs: figures.runs,
          'RSS/tunnel KiB': fixed(figures.rssPerTunnel / KiB),
          'heap/tunnel KiB': fixed(figures.heapPerTunnel / KiB),
          'RSS/tunnel before GC KiB': fixed(figures.rssBeforeGcPerTunnel / KiB),
          'RSS MiB': fixed(figures.rss / KiB / KiB, 0),
          'lag p50 ms': fixed(figures.lagP50Ms, 2),
          'lag p99 ms': fixed(figures.lagP99Ms, 2),
          'connect s': fixed(figures.connectMs / 1000, 2),
          'kas/bare RSS': kind === 'kas' ? `${fixed(kas.rssPerTunnel / bare.rssPerTunnel, 2)}×` : '',
        });
      }
      const ratio = kas.rssPerTunnel / bare.rssPerTunnel;
      notes.push(
        `${agents} agents: kas holds an idle tunnel in ${fixed(kas.rssPerTunnel / KiB)} KiB RSS, bare grpc-js in ${fixed(bare.rssPerTunnel / KiB)} KiB: ${fixed(ratio, 2)}× — goal (within ${GOAL_RATIO}×) ${ratio <= GOAL_RATIO ? 'met' : 'NOT met'}.`,
      );
    }
    const baseline = (kind: ServerKind) =>
      fixed(
        median(runs.filter((run) => run.kind === kind).map((run) => run.baseline.rssBytes)) / KiB / KiB,
        0,
      );
    notes.push(
      `Per tunnel = (RSS with the agents − RSS before any agent) / tunnels, after two forced GCs ("before GC": the same half a second after the last tunnel arrived, without forcing one, as a live replica would carry its garbage), median over ${RUNS} runs (each a fresh server process and a fresh clients process; the order alternates). Baseline RSS before agents: bare ${baseline('bare')} MiB, kas ${baseline('kas')} MiB (both processes load TypeScript with jiti).`,
      `Clients: one child process, each agent its own HTTP/2 connection (agentk's channel settings) with ${TUNNELS_PER_AGENT} bidirectional streams, each sending agentk's descriptor message with a bearer token, then idle; the same bytes go to both servers. The bare server has kas's transport settings (keepalive, message limits, channelz off) and answers a stream's first message with response metadata, as kas does when it registers a tunnel.`,
      `Lag: event-loop delay beyond the 10 ms sampling interval of perf_hooks.monitorEventLoopDelay over ${IDLE_MS / 1000} s while idle, median over runs of each run's p50 and p99 (about 200 samples a window, so p99 is the second-worst sample: read it as noise of a shared machine below ~3 ms). The window falls inside the first 30 s of each connection, before the first keepalive pings (both servers ping every 30 s: about 170 pings/s at 5,000 connections, the same for both). "connect s": time for the clients to get the step's new agents live (batches of 250 connections).`,
    );
    return {
      columns: [
        'agents',
        'tunnels',
        'server',
        'runs',
        'RSS/tunnel KiB',
        'heap/tunnel KiB',
        'RSS/tunnel before GC KiB',
        'RSS MiB',
        'lag p50 ms',
        'lag p99 ms',
        'connect s',
        'kas/bare RSS',
      ],
      rows,
      notes,
    };
  },
};

function summarize(runs: readonly ServerRun[], kind: ServerKind, agents: number, tunnels: number) {
  const samples = runs
    .filter((run) => run.kind === kind)
    .map((run) => {
      const step = run.steps.find((candidate) => candidate.agents === agents);
      if (step === undefined) throw new Error(`${kind}: no sample at ${agents} agents`);
      return { baseline: run.baseline, ...step };
    });
  const of = (pick: (sample: (typeof samples)[number]) => number) => median(samples.map(pick));
  return {
    runs: samples.length,
    rssPerTunnel: of((sample) => (sample.sample.rssBytes - sample.baseline.rssBytes) / tunnels),
    rssBeforeGcPerTunnel: of(
      (sample) => (sample.sample.rssBeforeGcBytes - sample.baseline.rssBytes) / tunnels,
    ),
    heapPerTunnel: of((sample) => (sample.sample.heapUsedBytes - sample.baseline.heapUsedBytes) / tunnels),
    rss: of((sample) => sample.sample.rssBytes),
    lagP50Ms: of((sample) => sample.sample.lagP50Ms),
    lagP99Ms: of((sample) => sample.sample.lagP99Ms),
    connectMs: of((sample) => sample.connectMs),
  };
}
