import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/runCli.js';

/** The package directory, and the built CLI the `kas-graph` bin points at. */
export const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(packageDirectory, 'dist/cli/main.js');

/** What one run of the CLI did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `node ...nodeArgs dist/cli/main.js ...args` as a child process, in `cwd` (default: the package
 * directory); `nodeArgs` are Node's own options, e.g. `--import <preload>`.
 */
export function runKasGraph(
  args: readonly string[],
  cwd = packageDirectory,
  nodeArgs: readonly string[] = [],
): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...nodeArgs, cli, ...args],
      { cwd, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
          stdout,
          stderr,
        });
      },
    );
  });
}

/**
 * Runs the CLI in this process (`runCli`), in the package directory, collecting what it writes: for tests
 * that replace a module of it with `vi.mock`, which a child process would not see.
 */
export async function runKasGraphInProcess(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    cwd: packageDirectory,
    write: (text) => {
      stdout += text;
    },
    error: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

/** Fails with a clear message when dist/ is missing or older than src/: the tests run the built CLI. */
export function assertBuilt(): void {
  const built = (() => {
    try {
      return statSync(cli).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const newest = newestMtime(join(packageDirectory, 'src'));
  if (built < newest) {
    throw new Error(
      'dist/ is missing or older than src/: build first (npm run build -w @kas/graph, or npm test at the root)',
    );
  }
}

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
