import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAS_MAIN } from './support/startKasProcess.js';

const fixtures = fileURLToPath(new URL('./fixtures/modules/', import.meta.url));
let directory: string;

beforeAll(async () => {
  // Next to the fixture modules, so kas.yaml names one as `../failing-start.mjs`.
  directory = await mkdtemp(join(fixtures, '.kas-yaml-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('stacks kas logs', () => {
  it('point at the TypeScript sources, not at the built dist/*.js', async () => {
    const file = join(directory, 'kas.yaml');
    await writeFile(
      file,
      `modules:
  - ../failing-start.mjs
agentGrpc:
  listen: 127.0.0.1:0
  agentsFile: agents.yaml
kubeProxy:
  listen: 127.0.0.1:0
  plainHttp: true
  usersFile: users.yaml
privateApi:
  listen: 127.0.0.1:0
  sharedSecretFile: secret
`,
    );
    await writeFile(join(directory, 'agents.yaml'), '[]\n');
    await writeFile(join(directory, 'users.yaml'), '[]\n');
    await writeFile(join(directory, 'secret'), 'a-shared-secret-of-32-characters\n');
    const kas = startProcess(process.execPath, [KAS_MAIN, '--config', file, '--log-format', 'json']);
    try {
      expect(await kas.exited).toMatchObject({ code: 1 });
      const failed = kas
        .logs()
        .find((log) => log.event === 'module.failed' && log.module === 'failing-start');
      const stack = (failed?.error as { stack?: string } | undefined)?.stack ?? '';
      expect(stack).toContain('boom in start');
      // The frames of kas and its packages below the module's own (the runner that started it).
      expect(stack).toMatch(/\/packages\/core\/src\/runner\/\w+\.ts:\d+:\d+/);
      expect(stack).not.toContain('/dist/');
    } finally {
      await kas.stop();
    }
  });
});
