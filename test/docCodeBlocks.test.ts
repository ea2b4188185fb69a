// Every block fenced `ts` in the READMEs and docs compiles: the blocks are compiled together with tsc, each
// as a file of its own (so each must stand alone), next to examples/audit-sink, so the packages they import
// resolve as they would for a module author. A block fenced `typescript` is not compiled: keep that for an
// excerpt of a declaration (`...` for the rest). docs/write-a-module.md's blocks are checked, and run, by
// test/writeAModule.test.ts.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFolder } from './support/compileFolder.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const GUIDE = 'docs/write-a-module.md';

/** A `ts` block: the markdown file, the line its code begins on, and the file tsc compiles it as. */
interface CodeBlock {
  readonly markdown: string;
  readonly line: number;
  readonly source: string;
  readonly fileName: string;
}

async function markdownIn(folder: string): Promise<string[]> {
  const names = await readdir(join(root, folder)).catch(() => []);
  return names
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `${folder}/${name}`);
}

/** The root README and docs/, and the README and docs/ of every package, app and example. */
async function markdownFiles(): Promise<string[]> {
  const files = ['README.md', ...(await markdownIn('docs'))];
  for (const parent of ['packages', 'apps', 'examples']) {
    for (const name of (await readdir(join(root, parent))).sort()) {
      if (existsSync(join(root, parent, name, 'README.md'))) files.push(`${parent}/${name}/README.md`);
      files.push(...(await markdownIn(`${parent}/${name}/docs`)));
    }
  }
  return files.filter((file) => file !== GUIDE);
}

async function codeBlocks(): Promise<CodeBlock[]> {
  const blocks: CodeBlock[] = [];
  for (const markdown of await markdownFiles()) {
    const text = await readFile(join(root, markdown), 'utf8');
    for (const [index, match] of [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].entries()) {
      blocks.push({
        markdown,
        line: text.slice(0, match.index).split('\n').length + 1,
        source: match[1] as string,
        fileName: `${markdown.replace(/[^A-Za-z0-9]+/g, '_')}_${index}.ts`,
      });
    }
  }
  return blocks;
}

/** tsc's findings, each placed at its line in the markdown file (`packages/core/README.md:95:3: error ...`). */
async function compile(directory: string, blocks: readonly CodeBlock[]): Promise<string> {
  const output = await compileFolder(directory);
  const byFile = new Map(blocks.map((block) => [block.fileName, block]));
  return output.replace(
    /^(?:\S*\/)?([^\s/]+\.ts)\((\d+),(\d+)\)/gm,
    (found, fileName: string, line: string, column) => {
      const block = byFile.get(fileName);
      return block === undefined ? found : `${block.markdown}:${block.line + Number(line) - 1}:${column}`;
    },
  );
}

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(root, 'examples/audit-sink/.doc-blocks-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('code blocks of the READMEs and docs', () => {
  it('compile against the published types, every one fenced ts', async () => {
    const blocks = await codeBlocks();
    expect(blocks.length).toBeGreaterThanOrEqual(15);
    await Promise.all(blocks.map((block) => writeFile(join(directory, block.fileName), block.source)));
    expect(await compile(directory, blocks)).toBe('');
  }, 60_000);
});
