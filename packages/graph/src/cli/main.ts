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
