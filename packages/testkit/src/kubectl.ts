import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { type RunningProcess, startProcess } from './startProcess.js';

/** What a finished kubectl run printed and how it exited. */
export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** kubectl's flags for a test: its kubeconfig, and a discovery cache of its own (not ~/.kube/cache). */
function baseArgs(dir: string, kubeconfigPath: string): string[] {
  return ['--kubeconfig', kubeconfigPath, '--cache-dir', join(dir, 'kube-cache')];
}

/**
 * Runs a real `kubectl` command to its end (bounded to 20 s) against `kubeconfigPath`, with a discovery
 * cache in `dir` so runs do not share ~/.kube/cache.
 */
export function kubectl(
  dir: string,
  kubeconfigPath: string,
  args: readonly string[],
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      [...baseArgs(dir, kubeconfigPath), ...args],
      { timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Starts a long-running kubectl command (`get -w`, `logs -f`); the caller stops it. */
export function spawnKubectl(dir: string, kubeconfigPath: string, args: readonly string[]): RunningProcess {
  return startProcess('kubectl', [...baseArgs(dir, kubeconfigPath), ...args]);
}
