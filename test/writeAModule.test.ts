// Every code block of docs/write-a-module.md is checked: TypeScript blocks are compiled together with tsc
// (next to examples/audit-sink, so the packages they import resolve as they would for a module author),
// the testing block is run and the lint rules block's rules are linted with; the kas.yaml block is
// composed by kas and linted, and the lint output the guide shows is what lint reports without the sink's
// stop: { last: true }; the JSON blocks parse. test/docCodeBlocks.test.ts compiles the other docs' blocks.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defineLintRule, type LintRule, lintComposition } from '@kas/graph';
import { composeFromConfig } from '@kas/kas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileFolder } from './support/compileFolder.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const guide = await readFile(join(root, 'docs/write-a-module.md'), 'utf8');
const blocks = (language: string) =>
  [...guide.matchAll(new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map(
    (match) => match[1] as string,
  );
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(root, 'examples/audit-sink/.guide-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('docs/write-a-module.md', () => {
  it('has TypeScript blocks that compile against the published types', async () => {
    const sources = blocks('ts');
    expect(sources.length).toBeGreaterThanOrEqual(4);
    await Promise.all(sources.map((source, index) => writeFile(join(directory, `block${index}.ts`), source)));
    expect(await compileFolder(directory)).toBe('');
  }, 60_000);

  it('has a testing block that passes', async () => {
    const index = blocks('ts').findIndex((source) => source.includes('startTestApp'));
    const file = join(directory, `block${index}.ts`);
    await writeFile(file, blocks('ts')[index] as string);
    const { auditSinkFlushesAtStop } = (await import(pathToFileURL(file).href)) as {
      auditSinkFlushesAtStop(file: string): Promise<boolean>;
    };
    const audit = await mkdtemp(join(tmpdir(), 'guide-audit-'));
    try {
      expect(await auditSinkFlushesAtStop(join(audit, 'audit.jsonl'))).toBe(true);
    } finally {
      await rm(audit, { recursive: true, force: true });
    }
  });

  it('has lint rules that kas-graph runs, as plain objects that import nothing of @kas/graph at run time', async () => {
    const index = blocks('ts').findIndex((source) => source.includes('kasGraphRules'));
    const source = blocks('ts')[index] as string;
    // Only `import type`: the build drops it, so kas, which imports the module's entry, needs no @kas/graph.
    expect(source.match(/^import\b[^;]*'@kas\/graph';/gm)).toEqual([
      "import type { LintRule } from '@kas/graph';",
    ]);
    const file = join(directory, `rules${index}.ts`);
    await writeFile(file, source);
    const { kasGraphRules } = (await import(pathToFileURL(file).href)) as {
      kasGraphRules: readonly LintRule[];
    };
    for (const rule of kasGraphRules) defineLintRule({ ...rule }); // the check kas-graph runs on each rule it loads
    const [yaml] = blocks('yaml');
    const config = join(directory, 'kas-short-budget.yaml');
    await writeFile(config, `${yaml}overrides:\n  audit-sink:\n    drainBudget: 100ms\n`);
    const kas = await composeFromConfig({ file: config, env: {} });
    const result = lintComposition(kas.composition, { rules: kasGraphRules });
    expect(result.findings.map((finding) => `${finding.code} ${finding.message}`)).toEqual([
      'ACME_AUDIT_SINK_BUDGET_SHORT "audit-sink" has 100 ms to write and sync its last records',
    ]);
  });

  it('has a kas.yaml that kas composes, with the module, and that lints clean', async () => {
    const [yaml] = blocks('yaml');
    const file = join(directory, 'kas.yaml');
    await writeFile(file, yaml as string);
    const kas = await composeFromConfig({ file, env: {} });
    expect(kas.loaded.map((source) => source.module)).toEqual(['audit-sink']);
    expect(lintComposition(kas.composition).errorCount).toBe(0);
  });

  it('shows the finding kas-graph lint reports when the sink does not stop last', async () => {
    const [yaml] = blocks('yaml');
    const file = join(directory, 'kas-without-last.yaml');
    await writeFile(file, yaml as string);
    const kas = await composeFromConfig({ file, env: {} });
    const modules = kas.composition.modules.map((module) =>
      module.name === 'audit-sink' ? { ...module, stop: {} } : module,
    );
    const result = lintComposition({ ...kas.composition, modules });
    const printed = result.findings
      .filter((finding) => finding.severity === 'error')
      .map((finding) => `error ${finding.code} [${finding.modules.join(', ')}] ${finding.message}`);
    const [text] = blocks('text');
    expect(printed).toEqual((text as string).trim().split('\n'));
  });

  it('has a package.json block that is JSON', () => {
    for (const source of blocks('json')) expect(() => JSON.parse(source)).not.toThrow();
  });
});
