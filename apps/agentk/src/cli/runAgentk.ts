import { createApp } from '@kas/core';
import { CommanderError } from 'commander';
import { pino } from 'pino';
import { agentkModule } from '../agentkModule.js';
import { loadAgentkOptions } from '../config/loadAgentkOptions.js';
import { AgentkError } from '../errors/AgentkError.js';
import { parseAgentkArgs } from './parseAgentkArgs.js';

/**
 * The agentk process: flags and files are checked first, then the app owns the process (signals, exit).
 * `argv` as `process.argv`.
 */
export async function runAgentk(argv: readonly string[]): Promise<void> {
  try {
    const args = parseAgentkArgs(argv);
    // Synchronous stdout keeps lines in order: tests and benchmarks read GOAWAY and reconnect times from them.
    const logger = pino({ level: args.logLevel }, pino.destination({ sync: true }));
    try {
      const options = await loadAgentkOptions(args);
      await createApp({ modules: [agentkModule(options)], logger }).run();
    } catch (error) {
      if (!(error instanceof AgentkError)) throw error;
      logger.fatal({ event: 'agentk.invalidConfig', code: error.code, fix: error.fix }, error.message);
      process.exitCode = 2;
    }
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  }
}
