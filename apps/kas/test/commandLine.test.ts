import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

/** Runs kas to its end; resolves with what it printed and its exit code, whatever the code. */
async function kas(...args: string[]) {
  return runFile(main, ...args);
}

async function runFile(file: string, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [file, ...args]);
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const { stdout, stderr, code } = error as { stdout: string; stderr: string; code: number };
    return { stdout, stderr, code };
  }
}

describe("kas's command line", () => {
  it('its bin is a committed launcher that runs kas (npm links no bin whose file is missing at npm ci, and npx kas would then fetch a registry package)', async () => {
    const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
    expect(manifest.bin.kas).toBe('./bin/kas.js');
    const { stdout, code } = await runFile(
      fileURLToPath(new URL('../bin/kas.js', import.meta.url)),
      '--help',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: kas /m);
  });

  it('--help prints the usage once, on stdout, and exits 0 (was: twice)', async () => {
    const { stdout, stderr, code } = await kas('--help');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout.match(/^Usage: kas /gm)).toHaveLength(1);
    expect(stdout).toContain('-c, --config <file>');
    expect(stdout).toMatch(/^ {2}-V, --version +print the version and exit$/m);
    expect(stdout.trimEnd().endsWith('show this help')).toBe(true);
  });

  it.each(['--version', '-V'])(
    '%s prints the version alone, on stdout, and exits 0 (was: KAS_USAGE, exit 2)',
    async (flag) => {
      const manifest = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
      const { stdout, stderr, code } = await kas(flag);
      expect({ stdout, stderr, code }).toEqual({ stdout: `${manifest.version}\n`, stderr: '', code: 0 });
    },
  );

  it('an unknown option: exit 2, one fatal line with the fix, then the app.exiting line with the code', async () => {
    const { stdout, stderr, code } = await kas('--confg', 'kas.yaml');
    expect(code).toBe(2);
    expect(stderr).toBe('');
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toMatchObject([
      {
        level: 60,
        event: 'kas.notStarted',
        code: 'KAS_USAGE',
        fix: 'run kas --help',
        msg: "kas did not start: error: unknown option '--confg'\n(Did you mean --config?)",
      },
      { level: 30, event: 'app.exiting', exitCode: 2, msg: expect.stringMatching(/^exiting with code 2: /) },
    ]);
  });
});
