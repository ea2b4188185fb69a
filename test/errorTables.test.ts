// One test for every workspace package: its documented error table ("## Error codes" in its README, or
// in one of its docs/*.md) lists exactly the codes its `*_ERROR_CODES` export names, with the same
// meanings; and every error class it exports extends @kas/core's CoreError, so callers can test
// `instanceof CoreError` instead of duck-typing `code` and `fix`. Runs after the build (npm test), on the
// packages as they are published: each is imported by its name, as a user would.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreError } from '@kas/core';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

interface WorkspacePackage {
  readonly name: string;
  readonly folder: string;
}

function workspacePackages(): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const parent of ['packages', 'apps']) {
    for (const directory of readdirSync(join(root, parent)).sort()) {
      const folder = join(root, parent, directory);
      const packageJson = join(folder, 'package.json');
      if (!existsSync(packageJson)) continue;
      const { name } = JSON.parse(readFileSync(packageJson, 'utf8')) as { name: string };
      found.push({ name, folder: `${parent}/${directory}` });
    }
  }
  return found;
}

/** The "## Error codes" section of the README, or of a doc in docs/ when the README has none. */
function errorSection(folder: string): { file: string; text: string } | undefined {
  const candidates = ['README.md'];
  const docs = join(root, folder, 'docs');
  if (existsSync(docs)) {
    for (const file of readdirSync(docs).sort()) if (file.endsWith('.md')) candidates.push(`docs/${file}`);
  }
  for (const file of candidates) {
    const text = readFileSync(join(root, folder, file), 'utf8');
    const start = text.indexOf('\n## Error codes');
    if (start === -1) continue;
    const end = text.indexOf('\n## ', start + 1);
    return { file: `${folder}/${file}`, text: text.slice(start, end === -1 ? undefined : end) };
  }
  return undefined;
}

/** code → meaning, from the first two columns of each table row whose first cell is a code. */
function tableRows(section: string): Record<string, string> {
  const rows = [...section.matchAll(/^\| `([A-Z][A-Z0-9_]+)` *\| ((?:[^|\\]|\\.)+?) *\|/gm)];
  return Object.fromEntries(rows.map((match) => [match[1], (match[2] ?? '').replaceAll('\\|', '|')]));
}

const packages = workspacePackages();
const loaded = await Promise.all(
  packages.map(async (workspacePackage) => ({
    ...workspacePackage,
    exports: (await import(workspacePackage.name)) as Record<string, unknown>,
  })),
);

describe('error codes of every package', () => {
  it('finds the packages', () => {
    expect(packages.map(({ name }) => name)).toContain('@kas/core');
    expect(packages.length).toBeGreaterThanOrEqual(12);
  });

  for (const { name, folder, exports } of loaded) {
    const codeExports = Object.entries(exports).filter(([key]) => key.endsWith('_ERROR_CODES'));
    const errorClasses = Object.entries(exports).filter(
      ([, value]) => typeof value === 'function' && value.prototype instanceof Error,
    );
    const section = errorSection(folder);

    if (codeExports.length === 0 && section === undefined && errorClasses.length === 0) {
      it(`${name} throws no errors of its own`, () => {
        expect(codeExports).toEqual([]);
      });
      continue;
    }

    it(`${name}: the documented table lists exactly the exported codes, with the same meanings`, () => {
      expect(
        section,
        `${folder} exports error codes but no doc has a "## Error codes" section`,
      ).toBeDefined();
      const documented = tableRows(section?.text ?? '');
      const exported = Object.assign({}, ...codeExports.map(([, codes]) => codes)) as Record<string, string>;
      expect(documented, `${section?.file} against ${codeExports.map(([key]) => key).join(', ')}`).toEqual(
        exported,
      );
    });

    it(`${name}: every exported error class extends CoreError`, () => {
      const outside = errorClasses
        .filter(
          ([, value]) =>
            !((value as { prototype: unknown }).prototype instanceof CoreError) && value !== CoreError,
        )
        .map(([key]) => key);
      expect(outside, `${name} exports error classes that do not extend @kas/core's CoreError`).toEqual([]);
    });
  }
});
