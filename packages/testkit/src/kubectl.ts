import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { type RunningProcess, type StartProcessOptions, startProcess } from './startProcess.js';
import { scaledMs } from './timeoutScale.js';

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

/** Extra settings of one kubectl run. */
export interface KubectlOptions {
  /** Variables added to the environment, e.g. `KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false'`. */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to kubectl's stdin, which is then closed (`exec -i`, `cp` to a pod reads a file instead). */
  readonly input?: string | Buffer;
  /** Default 20 s, times `TIMEOUT_SCALE`. */
  readonly timeoutMs?: number;
}

/**
 * Runs a real `kubectl` command to its end (bounded to 20 s) against `kubeconfigPath`, with a discovery
 * cache in `dir` so runs do not share ~/.kube/cache.
 */
export function kubectl(
  dir: string,
  kubeconfigPath: string,
  args: readonly string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      'kubectl',
      [...baseArgs(dir, kubeconfigPath), ...args],
      {
        timeout: scaledMs(options.timeoutMs ?? 20_000),
        ...(options.env === undefined ? {} : { env: { ...process.env, ...options.env } }),
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}

/**
 * Starts a long-running kubectl command (`get -w`, `logs -f`, `exec -i`, `port-forward`); the caller stops
 * it. `options.stdin: 'pipe'` lets the test type into it through `child.stdin`.
 */
export function spawnKubectl(
  dir: string,
  kubeconfigPath: string,
  args: readonly string[],
  options: StartProcessOptions = {},
): RunningProcess {
  return startProcess('kubectl', [...baseArgs(dir, kubeconfigPath), ...args], options);
}

/**
 * Matches the line a command run in a terminal shell (`kubectl exec -it <pod> -- sh`) printed `text` on:
 * alone, or after the shell's prompt (`web-0:/# `), where it lands when the keys were typed ahead of the
 * prompt and echoed at once, as a pty echoes them. A trailing `\r` (the terminal's CRLF) is ignored.
 */
export function shellOutputLine(text: string): (line: { readonly text: string }) => boolean {
  return (line) => {
    const shown = line.text.replace(/\r$/, '');
    return shown === text || (/^\S+:\S*# /.test(shown) && shown.replace(/^\S+:\S*# /, '') === text);
  };
}
