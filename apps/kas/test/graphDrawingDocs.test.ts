import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const kasGraph = fileURLToPath(new URL('../../../packages/graph/bin/kas-graph.js', import.meta.url));
const appDirectory = fileURLToPath(new URL('..', import.meta.url));

/** Each document that shows kas's graph as Mermaid, and the line the drawing follows. */
const DRAWINGS = [
  {
    name: 'apps/kas/README.md',
    url: new URL('../README.md', import.meta.url),
    after: 'Drawn by `npx kas-graph draw apps/kas --format mermaid`:',
  },
  {
    name: 'packages/graph/docs/kas-graph.md',
    url: new URL('../../../packages/graph/docs/kas-graph.md', import.meta.url),
    after: 'The kas graph as Mermaid (`npx kas-graph draw apps/kas`):',
  },
];

function drawKas(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [kasGraph, 'draw', appDirectory], { timeout: 30_000 }, (error, stdout) =>
      error === null ? resolve(stdout) : reject(error),
    );
  });
}

describe("the Mermaid drawings of kas's graph in the docs", () => {
  it.each(DRAWINGS)(
    'in $name are what kas-graph draw prints (UPDATE_DOCS=1 rewrites them)',
    async ({ url, after }) => {
      const docs = readFileSync(url, 'utf8');
      const at = docs.indexOf(after);
      expect(at, `the line "${after}"`).toBeGreaterThan(-1);
      const begin = docs.indexOf('```mermaid\n', at) + '```mermaid\n'.length;
      const end = docs.indexOf('```', begin);
      const expected = await drawKas();
      if (process.env.UPDATE_DOCS === '1') {
        writeFileSync(url, `${docs.slice(0, begin)}${expected}${docs.slice(end)}`);
        return;
      }
      expect(
        docs.slice(begin, end),
        'run UPDATE_DOCS=1 npx vitest run test/graphDrawingDocs.test.ts in apps/kas',
      ).toBe(expected);
    },
    60_000,
  );
});
