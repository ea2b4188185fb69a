import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package directory, and the built CLI the `kas-graph` bin points at. */
export const packageDirectory = fileURLToPath(new URL('../..', import.meta.url));
const cli = join(packageDirectory, 'dist/cli/main.js');

/** What one run of the CLI did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node dist/cli/main.js ...args` as a child process, in `cwd` (default: the package directory). */
export function runKasGraph(args: readonly string[], cwd = packageDirectory): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({
        code: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
        stdout,
        stderr,
      });
    });
  });
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
