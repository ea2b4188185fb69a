#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommanderError } from 'commander';
import type { DemoResult } from './demo/DemoResult.js';
import { formatComparison, formatSummary } from './demo/formatSummary.js';
import { parseDemoArgs } from './demo/parseDemoArgs.js';
import { runRollingRestart } from './demo/runRollingRestart.js';
import { PlainView } from './demo/view/PlainView.js';
import { TerminalView } from './demo/view/TerminalView.js';
import { DemoError } from './errors/DemoError.js';
import { LiveViewServer } from './web/LiveViewServer.js';

// `npm run demo [-- --legacy | --compare]`. Ctrl-C stops everything it started; a second one exits at once.
const interrupted = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted.signal.aborted) process.exit(130);
    process.stdout.write('\nStopping everything the demo started (Ctrl-C again to exit at once)...\n');
    interrupted.abort(new Error('interrupted'));
  });
}

let web: LiveViewServer | undefined;
try {
  const args = parseDemoArgs(process.argv.slice(2), fileURLToPath(new URL('../results', import.meta.url)));
  web = args.webPort === undefined ? undefined : await LiveViewServer.start(args.webPort);
  const results: DemoResult[] = [];
  for (const stopOrder of args.stopOrders) {
    const result = await runRollingRestart({
      stopOrder,
      resultsDirectory: args.resultsDirectory,
      view: process.stdout.isTTY && process.stdout.columns > 0 ? new TerminalView() : new PlainView(),
      signal: interrupted.signal,
      ...(web === undefined ? {} : { web }),
    });
    const summary = formatSummary(result);
    process.stdout.write(`\n${summary}\n\n`);
    await writeFile(join(result.resultsDirectory, 'summary.txt'), `${summary}\n`);
    await writeFile(join(result.resultsDirectory, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`);
    results.push(result);
  }
  const [current, legacy] = results;
  if (current !== undefined && legacy !== undefined) {
    const comparison = formatComparison(current, legacy);
    process.stdout.write(`${comparison}\n`);
    await writeFile(join(args.resultsDirectory, 'comparison.txt'), `${comparison}\n`);
  }
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else if (interrupted.signal.aborted) {
    process.exitCode = 130;
  } else if (error instanceof DemoError) {
    process.stderr.write(`\n${error.code}: ${error.message}\nfix: ${error.fix}\n`);
    process.exitCode = error.code === 'KAS_DEMO_USAGE' ? 2 : 1;
  } else {
    throw error;
  }
} finally {
  await web?.close();
}
