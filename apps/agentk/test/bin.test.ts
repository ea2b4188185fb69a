import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '@kas/testkit';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** The file npm links as `agentk` (node_modules/.bin/agentk, `npx agentk`). */
async function binOf(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
  return join(packageDir, manifest.bin[name]);
}

describe('the agentk bin', () => {
  it('is a committed launcher, not a file in dist/ (npm links no bin whose file is missing at npm ci)', async () => {
    const bin = await binOf('agentk');
    expect(bin.startsWith(join(packageDir, 'dist'))).toBe(false);
    const child = startProcess(process.execPath, [bin, '--help']);
    expect(await child.exited).toMatchObject({ code: 0 });
    expect(child.lines.map((line) => line.text)).toContain('Usage: agentk [options]');
  });

  it('says how to build agentk, and exits 2, when dist/ is not built yet', async () => {
    const unbuilt = await mkdtemp(join(tmpdir(), 'agentk-unbuilt-'));
    try {
      await mkdir(join(unbuilt, 'bin'));
      const launcher = join(unbuilt, 'bin', 'agentk.js');
      await copyFile(await binOf('agentk'), launcher);
      const child = startProcess(process.execPath, [launcher, '--help']);
      expect(await child.exited).toMatchObject({ code: 2 });
      expect(child.lines.map((line) => line.text)).toEqual([
        'agentk is not built yet: run `npm run build` (or `npm test`) at the repository root',
      ]);
    } finally {
      await rm(unbuilt, { recursive: true, force: true });
    }
  });

  it('turns source maps on before it loads agentk, so a stack names src/*.ts lines, not dist/*.js', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'agentk-source-maps-'));
    try {
      // Reports each call of process.setSourceMapsEnabled on stderr.
      const preload = join(dir, 'reportSourceMaps.mjs');
      await writeFile(
        preload,
        `const enable = process.setSourceMapsEnabled.bind(process);
process.setSourceMapsEnabled = (on) => {
  process.stderr.write('setSourceMapsEnabled(' + on + ')\\n');
  enable(on);
};
`,
      );
      const child = startProcess(process.execPath, ['--import', preload, await binOf('agentk'), '--help']);
      expect(await child.exited).toMatchObject({ code: 0 });
      const texts = child.lines.map((line) => line.text);
      expect(texts).toContain('setSourceMapsEnabled(true)');
      expect(texts).toContain('Usage: agentk [options]');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
