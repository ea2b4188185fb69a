import { mkdirSync, writeFileSync } from 'node:fs';
import type { Benchmark } from './Benchmark.js';
import { describeMachine } from './describeMachine.js';
import { directoryCheck } from './directory-check/directoryCheck.js';
import { floors } from './floors/floors.js';
import { formatTable } from './formatTable.js';
import { graphLint } from './graph-lint/graphLint.js';
import { idleAgents } from './idle-agents/idleAgents.js';
import { portForward } from './port-forward/portForward.js';
import { proxyOverhead } from './proxy-overhead/proxyOverhead.js';
import { proxyProfile } from './proxy-overhead/proxyProfile.js';
import { rollingRestart } from './rolling-restart/rollingRestart.js';
import { shutdownReaction } from './shutdown-reaction/shutdownReaction.js';
import { tunnelDirectory } from './tunnel-directory/tunnelDirectory.js';

/** Every benchmark, by the name `npm run bench -- <name>` takes, in the order `npm run bench` runs them. */
const BENCHMARKS: readonly Benchmark[] = [
  graphLint,
  floors,
  idleAgents,
  tunnelDirectory,
  directoryCheck,
  proxyOverhead,
  proxyProfile,
  shutdownReaction,
  rollingRestart,
  portForward,
];

/** Runs one benchmark: prints its header and table, writes bench/results/<name>.json. */
async function runBenchmark(benchmark: Benchmark): Promise<void> {
  const machine = describeMachine();
  const date = new Date().toISOString();
  process.stdout.write(
    `${benchmark.name}: ${benchmark.description}\n${machine.cpus} × ${machine.model}, Node ${machine.node}, load ${machine.loadAverage}, ${date}\n\n`,
  );
  const result = await benchmark.run();
  const loadAverageAfter = describeMachine().loadAverage;
  process.stdout.write(
    `${formatTable(result)}\n${(result.notes ?? []).map((note) => `\n${note}`).join('')}\n\nload ${loadAverageAfter} when it ended\n`,
  );
  const directory = new URL('../results/', import.meta.url);
  mkdirSync(directory, { recursive: true });
  const file = new URL(`${benchmark.name}.json`, directory);
  writeFileSync(
    file,
    `${JSON.stringify({ name: benchmark.name, description: benchmark.description, date, machine, loadAverageAfter, ...result }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten to bench/results/${benchmark.name}.json\n`);
}

const seconds = (sinceMs: number) => `${((performance.now() - sinceMs) / 1000).toFixed(0)} s`;

const name = process.argv[2];
if (name === undefined) {
  // The whole suite, one benchmark after the other; one that fails does not stop the others.
  const suiteStartedAt = performance.now();
  const failed: string[] = [];
  for (const [index, benchmark] of BENCHMARKS.entries()) {
    const startedAt = performance.now();
    process.stdout.write(`\n=== [${index + 1}/${BENCHMARKS.length}] ${benchmark.name} ===\n`);
    try {
      await runBenchmark(benchmark);
    } catch (error) {
      failed.push(benchmark.name);
      process.stderr.write(`${benchmark.name} failed: ${(error as Error).stack ?? String(error)}\n`);
    }
    process.stdout.write(`=== ${benchmark.name}: ${seconds(startedAt)} ===\n`);
  }
  process.stdout.write(
    `\n${BENCHMARKS.length} benchmarks in ${seconds(suiteStartedAt)}${failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`}\n`,
  );
  if (failed.length > 0) process.exitCode = 1;
} else {
  const benchmark = BENCHMARKS.find((candidate) => candidate.name === name);
  if (benchmark === undefined) {
    const list = BENCHMARKS.map((candidate) => `  ${candidate.name}  ${candidate.description}`).join('\n');
    process.stderr.write(
      `unknown benchmark "${name}"\nusage: npm run bench [-- <name>]   (no name: every benchmark in turn)\n\nbenchmarks:\n${list}\n`,
    );
    process.exitCode = 2;
  } else {
    await runBenchmark(benchmark);
  }
}
