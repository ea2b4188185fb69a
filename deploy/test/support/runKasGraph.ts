import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root: `kas-graph lint apps/kas ...` runs from here, as the docs show it. */
export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
/** The `kas-graph` bin of this checkout, which `npx kas-graph` runs in the repository. */
export const kasGraphBin = fileURLToPath(
  new URL('../../../packages/graph/bin/kas-graph.js', import.meta.url),
);

/** What one run of `kas-graph` did. */
export interface KasGraphRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `kas-graph` bin as a child process from the repository root. */
export function runKasGraph(args: readonly string[]): Promise<KasGraphRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [kasGraphBin, ...args],
      { cwd: repositoryRoot, timeout: 170_000 },
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
