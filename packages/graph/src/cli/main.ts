#!/usr/bin/env node
import { runCli } from './runCli.js';

// Stack frames of loaded modules map to their sources (dist/x.js -> src/x.ts when the package ships maps),
// so the declaration site defineModule captures, and findings point at, is the line an author wrote.
process.setSourceMapsEnabled(true);

process.exitCode = await runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  write: (text) => process.stdout.write(text),
  error: (text) => process.stderr.write(text),
  isTerminal: process.stdout.isTTY === true,
});

// The report is written (stdout and files are synchronous here, output files awaited). An entry may have
// left a timer or a socket open when it was imported (a client its module opens at import): kas-graph
// does not wait for it. Unref'd, this timer ends the process only when something else keeps it alive.
setTimeout(() => process.exit(), 1_000).unref();
