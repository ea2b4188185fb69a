#!/usr/bin/env node
import { CommanderError } from 'commander';
import { pino } from 'pino';
import { parseKasArgs } from './cli/parseKasArgs.js';
import { runKas } from './runKas.js';

try {
  await runKas(parseKasArgs(process.argv.slice(2), process.env), process.env);
} catch (error) {
  if (!(error instanceof CommanderError)) {
    const { code, fix } = error as { code?: string; fix?: string };
    pino({ name: 'kas' }).fatal({ err: error, code, fix }, `kas did not start: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
