import { describe, expect, it } from 'vitest';
import { type AppOptions, createApp, createToken, defineModule } from '../src/index.js';
import { startTestApp } from '../src/testing/index.js';

interface Clock {
  now(): number;
}
const ClockToken = createToken<Clock>('clock');
const GreetingToken = createToken<string>('greeting');

const clockModule = defineModule({
  name: 'clock',
  provides: { clock: ClockToken },
  create: () => ({ provides: { clock: { now: () => 42 } }, start: async () => {}, stop: async () => {} }),
});

describe('dependency injection', () => {
  it('gives a module what it needs, from another module or from the app, and starts the provider first', async () => {
    const seen: string[] = [];
    const consumer = defineModule({
      name: 'consumer',
      needs: { clock: ClockToken, greeting: GreetingToken },
      create: ({ clock, greeting, log }) => ({
        start: async () => {
          seen.push(`${greeting} at ${clock.now()}`);
          log.info('started');
        },
        stop: async () => {},
      }),
    });
    const { app, stop } = await startTestApp({
      modules: [consumer, clockModule],
      provide: [{ token: GreetingToken, useValue: 'hello' }],
    });
    expect(seen).toEqual(['hello at 42']);
    expect(app.plan().modules.find((module) => module.name === 'consumer')?.startAfter).toEqual([
      { module: 'clock', reason: 'needs', token: 'clock' },
    ]);
    expect(app.plan().start.stages.map((stage) => stage.modules)).toEqual([['clock'], ['consumer']]);
    expect(app.get(ClockToken).now()).toBe(42);
    await stop();
  });

  it('gives each module its own child scope, so a registration in one is not seen by another', async () => {
    const Private = createToken<string>('private');
    const resolved: string[] = [];
    const registering = defineModule({
      name: 'registering',
      create: ({ container }) => {
        container.register(Private, { useValue: 'mine' });
        resolved.push(container.resolve(Private));
        return { start: async () => {}, stop: async () => {} };
      },
    });
    const looking = defineModule({
      name: 'looking',
      startAfter: ['registering'],
      create: ({ container }) => {
        resolved.push(container.isRegistered(Private, true) ? 'leaked' : 'not seen');
        return { start: async () => {}, stop: async () => {} };
      },
    });
    const { stop } = await startTestApp({ modules: [registering, looking] });
    expect(resolved).toEqual(['mine', 'not seen']);
    await stop();
  });

  it('keeps two apps apart: values provided in one are not in the other', async () => {
    const one = createApp({ modules: [clockModule] });
    const other = createApp({ modules: [], provide: [{ token: GreetingToken, useValue: 'other' }] });
    await one.start();
    await other.start();
    expect(() => other.get(ClockToken)).toThrow();
    expect(one.get(ClockToken).now()).toBe(42);
    await one.stop();
    await other.stop();
  });

  it('fails the start of a module whose factory does not return what it declares to provide', async () => {
    const liar = defineModule({
      name: 'liar',
      provides: { clock: ClockToken },
      // @ts-expect-error: the instance must provide `clock`
      create: () => ({ start: async () => {}, stop: async () => {} }),
    });
    await expect(startTestApp({ modules: [liar] })).rejects.toMatchObject({
      code: 'KAS_START_FAILED',
      message: expect.stringContaining('declares provides.clock but its instance has no provides.clock'),
    });
  });
});

describe('declaration types', () => {
  // `npm test` runs tsc over the tests first: a `@ts-expect-error` that no longer errors fails the build.
  it('types the factory input from needs, and rejects what must not compile', () => {
    const typed = defineModule({
      name: 'typed',
      needs: { clock: ClockToken },
      create: ({ clock }) => {
        const now: number = clock.now();
        // @ts-expect-error: a Clock has no `later`
        clock.later();
        return { start: async () => void now, stop: async () => {} };
      },
    });
    defineModule({
      name: 'reserved',
      // @ts-expect-error: `log` is reserved for the module's logger
      needs: { log: ClockToken },
      create: () => ({ start: async () => {}, stop: async () => {} }),
    });
    defineModule({
      name: 'wrong-provide',
      provides: { greeting: GreetingToken },
      // @ts-expect-error: `greeting` must be a string
      create: () => ({ provides: { greeting: 42 }, start: async () => {}, stop: async () => {} }),
    });
    // @ts-expect-error: a module must have a stop
    defineModule({ name: 'no-stop', create: () => ({ start: async () => {} }) });
    expect(typed.needs).toEqual({ clock: ClockToken });
  });

  it("types a module declared inline in an app's modules as it types one declared on its own", () => {
    // The list's element type (a module with erased parameters) must not become what defineModule
    // infers: it made provides required of every inline module (found by a third-party author trial).
    const app: AppOptions = {
      modules: [
        defineModule({ name: 'plain', create: () => ({ start: async () => {}, stop: async () => {} }) }),
        defineModule({
          name: 'clock',
          provides: { clock: ClockToken },
          create: () => ({
            provides: { clock: { now: () => 1 } },
            start: async () => {},
            stop: async () => {},
          }),
        }),
        defineModule({
          name: 'reader',
          needs: { clock: ClockToken },
          create: ({ clock }) => {
            // @ts-expect-error: still typed from needs, not any
            clock.later();
            return { start: async () => {}, stop: async () => {} };
          },
        }),
        defineModule({
          name: 'liar',
          provides: { clock: ClockToken },
          // @ts-expect-error: still checked against provides
          create: () => ({ start: async () => {}, stop: async () => {} }),
        }),
      ],
    };
    expect(app.modules.map((module) => module.name)).toEqual(['plain', 'clock', 'reader', 'liar']);
  });
});
