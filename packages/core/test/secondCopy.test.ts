import { cp, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as core from '../src/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

// A module developed in a folder of its own resolves its own copy of @kas/core (and @kas/kas): the
// process then holds two copies, and the module's tokens come from the other one.
describe('a module built against a second copy of @kas/core', () => {
  let copyDir: string;
  let second: typeof core;

  beforeAll(async () => {
    copyDir = await mkdtemp(join(packageDir, '.second-copy-'));
    await cp(join(packageDir, 'src'), join(copyDir, 'src'), { recursive: true });
    second = await import(pathToFileURL(join(copyDir, 'src', 'index.ts')).href);
  });
  afterAll(async () => {
    await rm(copyDir, { recursive: true, force: true });
  });

  it("is a second copy: its classes are not this copy's", () => {
    expect(second.CoreError).not.toBe(core.CoreError);
  });

  it('needs a token the app provides from the first copy, and gets its value', async () => {
    const hostToken = core.createToken<{ greet(): string }>('host.greeter');
    const seen: string[] = [];
    const plugin = second.defineModule({
      name: 'plugin',
      needs: { greeter: second.createToken<{ greet(): string }>('host.greeter') },
      create: ({ greeter }) => ({
        start: async () => {
          seen.push(greeter.greet());
        },
        stop: async () => {},
      }),
    });
    const host = core.defineModule({
      name: 'host',
      provides: { greeter: hostToken },
      create: () => ({
        provides: { greeter: { greet: () => 'hello from the host' } },
        start: async () => {},
        stop: async () => {},
      }),
    });
    const app = core.createApp({ modules: [host, plugin] });
    expect(app.plan().start.stages.map((stage) => stage.modules)).toEqual([['host'], ['plugin']]);
    await app.start();
    expect(seen).toEqual(['hello from the host']);
    expect((await app.stop()).status).toBe('clean');
  });

  it('names a token by its description in errors, as it was created', () => {
    const missing = second.defineModule({
      name: 'plugin',
      needs: { clock: second.createToken('acme.clock') },
      create: () => ({ start: async () => {}, stop: async () => {} }),
    });
    expect(() => core.createApp({ modules: [missing] })).toThrow(
      '"plugin" needs token acme.clock, which no module and no app value provides',
    );
  });
});
