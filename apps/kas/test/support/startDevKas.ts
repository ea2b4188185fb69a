import { join } from 'node:path';
import { type RunningProcess, type StartProcessOptions, startProcess } from '@kas/testkit';
import { KAS_MAIN } from './startKasProcess.js';

/**
 * Runs `kas --dev` with its throwaway files in `<dir>/dev` and JSON log lines (the tests read their
 * fields); `extraArgs` follow, e.g. `--legacy-stop-order`.
 */
export function startDevKas(
  dir: string,
  extraArgs: readonly string[] = [],
  options?: StartProcessOptions,
): RunningProcess {
  return startProcess(
    process.execPath,
    [KAS_MAIN, '--dev', '--dev-dir', join(dir, 'dev'), '--log-format', 'json', ...extraArgs],
    options,
  );
}
