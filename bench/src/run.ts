import { mkdirSync, writeFileSync } from 'node:fs';
import type { Benchmark } from './Benchmark.js';
import { describeMachine } from './describeMachine.js';
import { floors } from './floors/floors.js';
import { formatTable } from './formatTable.js';
import { graphLint } from './graph-lint/graphLint.js';
import { idleAgents } from './idle-agents/idleAgents.js';
import { proxyOverhead } from './proxy-overhead/proxyOverhead.js';
import { tunnelDirectory } from './tunnel-directory/tunnelDirectory.js';

/** Every benchmark, by the name `npm run bench -- <name>` takes. */
const BENCHMARKS: readonly Benchmark[] = [graphLint, floors, idleAgents, tunnelDirectory, proxyOverhead];

const name = process.argv[2];
const benchmark = BENCHMARKS.find((candidate) => candidate.name === name);
if (benchmark === undefined) {
  const list = BENCHMARKS.map((candidate) => `  ${candidate.name}  ${candidate.description}`).join('\n');
  process.stderr.write(`usage: npm run bench -- <name>\n\nbenchmarks:\n${list}\n`);
  process.exitCode = 2;
} else {
  const machine = describeMachine();
  const date = new Date().toISOString();
  process.stdout.write(
    `${benchmark.name}: ${benchmark.description}\n${machine.cpus} × ${machine.model}, Node ${machine.node}, load ${machine.loadAverage}, ${date}\n\n`,
  );
  const result = await benchmark.run();
  process.stdout.write(
    `${formatTable(result)}\n${(result.notes ?? []).map((note) => `\n${note}`).join('')}\n`,
  );
  const directory = new URL('../results/', import.meta.url);
  mkdirSync(directory, { recursive: true });
  const file = new URL(`${benchmark.name}.json`, directory);
  writeFileSync(
    file,
    `${JSON.stringify({ name: benchmark.name, description: benchmark.description, date, machine, ...result }, null, 2)}\n`,
  );
  process.stdout.write(`\nwritten to bench/results/${benchmark.name}.json\n`);
}
