import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
const bin = (name: string) => join(packageDirectory, '..', '..', 'node_modules', '.bin', name);

function filesUnder(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(directory, path), readFileSync(path, 'utf8'));
    }
  };
  walk(directory);
  return files;
}

describe('the checked-in generated code', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'tunnel-protocol-generate-'));
  afterAll(() => rmSync(workspace, { recursive: true, force: true }));

  it('is what `npm run generate` makes of proto/ (run it after changing a .proto file)', async () => {
    for (const name of ['proto', 'buf.yaml', 'buf.gen.yaml'])
      cpSync(join(packageDirectory, name), join(workspace, name), { recursive: true });
    const env = {
      ...process.env,
      PATH: `${join(packageDirectory, '..', '..', 'node_modules', '.bin')}:${process.env.PATH}`,
    };
    await run(bin('buf'), ['lint'], { cwd: workspace, env });
    await run(bin('buf'), ['generate'], { cwd: workspace, env });
    const fresh = filesUnder(join(workspace, 'src', 'generated'));
    const checkedIn = filesUnder(join(packageDirectory, 'src', 'generated'));
    expect([...checkedIn.keys()].sort()).toEqual([...fresh.keys()].sort());
    for (const [path, text] of fresh) expect(checkedIn.get(path), path).toBe(text);
  });
});
