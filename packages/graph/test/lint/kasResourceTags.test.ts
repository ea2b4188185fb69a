import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KAS_RESOURCE_TAGS } from '../../src/lint/rules/kasResourceTags.js';

const repository = fileURLToPath(new URL('../../../..', import.meta.url));

/** Every `export const X = createResourceTag('tag')` in the sources of the repository's packages and apps. */
function declaredResourceTags(): string[] {
  const tags: string[] = [];
  for (const group of ['packages', 'apps']) {
    for (const pkg of readdirSync(join(repository, group))) {
      for (const file of sourceFiles(join(repository, group, pkg, 'src'))) {
        for (const match of readFileSync(file, 'utf8').matchAll(
          /^export const \w+ = createResourceTag\('([^']+)'\)/gm,
        ))
          tags.push(match[1] as string);
      }
    }
  }
  return tags.sort();
}

function sourceFiles(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(entry.name) ? [path] : [];
  });
}

describe('KAS_RESOURCE_TAGS', () => {
  it("lists the tags kas's packages declare with createResourceTag (KAS_MISSPELT_TAG takes them as the right spelling)", () => {
    expect(declaredResourceTags()).toContain('agent-tunnels');
    expect([...KAS_RESOURCE_TAGS].sort()).toEqual(declaredResourceTags());
  });
});
