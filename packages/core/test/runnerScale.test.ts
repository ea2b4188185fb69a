import { scaledMs } from '@kas/testkit';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type AnyModule,
  createApp,
  createToken,
  defineModule,
  type LifecycleEvent,
  type ModuleDefinition,
  type Token,
} from '../src/index.js';
import { foldLifecycleEvents } from '../src/snapshot/index.js';

const silent = pino({ level: 'silent' });
const idle = (name: string, declaration: Pick<ModuleDefinition, 'startAfter' | 'stop'> = {}) =>
  defineModule({ name, ...declaration, create: () => ({ start: async () => {}, stop: async () => {} }) });

describe('the runner at scale', () => {
  // Each event used to copy the snapshot's lists of stages and modules: a chain of 10,000 modules took
  // 43 s to start and 37 s to stop (8,000: about 51 s both ways); this one now takes about a second each
  // way idle, and up to 24 s in a full CI run on 2 cores, whose load the default time-out's scale lags
  // behind: 45 s lies between the two.
  it('starts and stops a chain of 8,000 modules, and its snapshot and the fold of its events agree', {
    timeout: scaledMs(45_000),
  }, async () => {
    const count = 8_000;
    const modules = Array.from({ length: count }, (_, index) =>
      idle(`m${index}`, index === 0 ? {} : { startAfter: [`m${index - 1}`] }),
    );
    const app = createApp({ logger: silent, modules });
    const events: LifecycleEvent[] = [];
    app.subscribe((event) => events.push(event));
    await app.start();
    expect(app.snapshot().modules.every((module) => module.state === 'running')).toBe(true);
    expect(await app.stop('test')).toMatchObject({ status: 'clean', failed: [] });

    const snapshot = app.snapshot();
    expect(snapshot.state).toBe('stopped');
    expect(snapshot.modules).toHaveLength(count);
    expect(snapshot.modules.every((module) => module.state === 'stopped')).toBe(true);
    expect(snapshot.stages).toHaveLength(2 * count);
    expect(snapshot.stages.every((stage) => stage.state === 'completed')).toBe(true);
    const stopped = events.filter((event) => event.type === 'module.stopped');
    expect(stopped.map((event) => event.type === 'module.stopped' && event.module)).toEqual(
      modules.map((module) => module.name).reverse(),
    );
    const {
      at: _at,
      wallClock: _wallClock,
      wallClockAt: _wallClockAt,
      ...folded
    } = foldLifecycleEvents(events) ?? snapshot;
    const { at: _at2, wallClock: _wallClock2, wallClockAt: _wallClockAt2, ...own } = snapshot;
    expect(folded).toEqual(own);
  });
});

/**
 * Elements that array scans (`map`, `filter`, `find`, `some`, `every`, `forEach`) visit while `run` runs,
 * plus one per scan: a count of the work that does not depend on the machine's speed.
 */
async function countArrayScans(run: () => Promise<void>): Promise<number> {
  const names = ['map', 'filter', 'find', 'some', 'every', 'forEach'] as const;
  const originals = names.map((name) => [name, Array.prototype[name]] as const);
  let visited = 0;
  for (const [name, original] of originals) {
    Object.defineProperty(Array.prototype, name, {
      configurable: true,
      writable: true,
      value(this: unknown[], ...args: unknown[]) {
        visited += 1 + this.length;
        return (original as (...rest: unknown[]) => unknown).apply(this, args);
      },
    });
  }
  try {
    await run();
  } finally {
    for (const [name, original] of originals)
      Object.defineProperty(Array.prototype, name, { configurable: true, writable: true, value: original });
  }
  return visited;
}

/** A chain of `count` modules, each needing the token the one before provides (a DI scope each). */
function needsChain(count: number): AnyModule[] {
  const tokens: Token<number>[] = Array.from({ length: count }, (_, index) =>
    createToken<number>(`t${index}`),
  );
  const hooks = { start: async () => {}, stop: async () => {} };
  return tokens.map((token, index) => {
    const previous = tokens[index - 1];
    return previous === undefined
      ? defineModule({
          name: `m${index}`,
          provides: { value: token },
          create: () => ({ provides: { value: index }, ...hooks }),
        })
      : defineModule({
          name: `m${index}`,
          provides: { value: token },
          needs: { previous },
          create: () => ({ provides: { value: index }, ...hooks }),
        });
  });
}

describe('the runner at scale, counted', () => {
  // Each event copied (and scanned) the snapshot's lists, and each module's DI scope walked every token
  // registered before it: twice the modules was four times the work.
  it('does work linear in the number of modules to start and stop an app (twice the modules, twice the work)', async () => {
    const workFor = (count: number) => {
      const app = createApp({ logger: silent, modules: needsChain(count) });
      return countArrayScans(async () => {
        await app.start();
        await app.stop('test');
        expect(app.snapshot().modules.every((module) => module.state === 'stopped')).toBe(true);
      });
    };
    const small = await workFor(1_000);
    const large = await workFor(2_000);
    expect(large / small).toBeLessThan(2.5);
  });
});

describe('abort listeners', () => {
  const warnings: Error[] = [];
  const onWarning = (warning: Error) => warnings.push(warning);
  afterEach(() => {
    process.off('warning', onWarning);
    warnings.length = 0;
  });

  // Every member of a start stage used to add a listener to one shared stage signal: Node warned of a
  // leak (MaxListenersExceededWarning) from the eleventh on.
  it('start and stop stages of 12 members add no more than ten listeners to one signal (no leak warning)', async () => {
    process.on('warning', onWarning);
    const members = Array.from({ length: 12 }, (_, index) => `m${index}`);
    const modules = members.map((name, index) =>
      idle(name, index === 0 ? {} : { stop: { with: [members[index - 1] as string] } }),
    );
    const app = createApp({ logger: silent, modules });
    await app.start();
    expect(app.plan().start.stages.map((stage) => stage.modules)).toEqual([members]);
    expect(app.plan().stop.stages).toHaveLength(1);
    await app.stop('test');
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    expect(warnings.map((warning) => `${warning.name}: ${warning.message}`)).toEqual([]);
  });
});
