import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('../../../', import.meta.url));

interface NpmTree {
  readonly dependencies?: Readonly<Record<string, NpmTree>>;
}

/** Every package name in an `npm ls --json` tree. */
function namesIn(tree: NpmTree, names = new Set<string>()): Set<string> {
  for (const [name, child] of Object.entries(tree.dependencies ?? {})) {
    names.add(name);
    namesIn(child, names);
  }
  return names;
}

describe("kas's production dependency closure", () => {
  it('leaves out the code only dev mode runs: the fake Kubernetes API, agentk, the dev certificates', async () => {
    const { stdout } = await run('npm', ['ls', '--omit=dev', '--all', '--json', '--workspace', '@kas/kas'], {
      cwd: repository,
      maxBuffer: 16 * 1024 * 1024,
    });
    const closure = namesIn(JSON.parse(stdout) as NpmTree);
    expect(closure).toContain('@kas/module-kube-proxy'); // the tree is kas's
    expect(closure).toContain('pino-pretty'); // human lines on a terminal, in production too
    for (const devOnly of [
      '@kas/fake-kube-api',
      '@kas/agentk',
      '@kas/dev-certificates',
      'selfsigned', // the dev certificates' own
      'ws', // the fake API's
      '@kas/graph',
      '@kas/testkit',
    ]) {
      expect(closure.has(devOnly), devOnly).toBe(false);
    }
  });
});
