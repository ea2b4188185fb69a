import { describe, expect, it } from 'vitest';
import {
  type AnyModule,
  CoreError,
  createApp,
  createToken,
  type Duration,
  defineModule,
  resolvePlan,
  type StopDeclaration,
} from '../src/index.js';
import { startTestApp } from '../src/testing/index.js';

const ClientToken = createToken<{ isOpen: boolean }>('connection.client');
const hooks = () => ({ start: async () => {}, stop: async () => {} });
type Declaration = { readonly stop?: StopDeclaration; readonly drainBudget?: Duration };
const plain = (name: string, extra: Declaration = {}) => defineModule({ name, ...extra, create: hooks });
const followsOf = (modules: readonly AnyModule[]) =>
  Object.fromEntries(
    resolvePlan({ modules }).stop.stages.map((stage) => [stage.id, [...stage.follows].sort()]),
  );

describe('stop: { last: true }', () => {
  it('stops a module after every module that does not declare last, including one it has never heard of', () => {
    const connection = defineModule({
      name: 'connection',
      stop: { last: true },
      provides: { client: ClientToken },
      create: () => ({ ...hooks(), provides: { client: { isOpen: true } } }),
    });
    const metrics = plain('metrics', { stop: { last: true } });
    // Neither names the other modules, and "late-addition" has no start relation to either of them.
    const modules = [metrics, connection, plain('edge'), plain('late-addition', { drainBudget: '2h' })];
    expect(followsOf(modules)).toEqual({
      edge: [],
      'late-addition': [],
      connection: ['edge', 'late-addition'],
      metrics: ['edge', 'late-addition'],
    });
  });

  it('keeps the default between modules that both declare last, and a relation either side names', () => {
    const connection = defineModule({
      name: 'connection',
      stop: { last: true },
      provides: { client: ClientToken },
      create: () => ({ ...hooks(), provides: { client: { isOpen: true } } }),
    });
    const pool = defineModule({
      name: 'pool',
      stop: { last: true },
      needs: { client: ClientToken }, // started after connection: stops before it, both last
      create: hooks,
    });
    const edge = plain('edge', { stop: { alongside: ['pool'] } }); // named by edge: no order with pool
    expect(followsOf([connection, pool, edge])).toEqual({ edge: [], pool: [], connection: ['edge', 'pool'] });
  });

  it('runs: the last modules stop only when the others have stopped', async () => {
    const order: string[] = [];
    const record = (name: string, extra: Declaration = {}) =>
      defineModule({
        name,
        ...extra,
        create: () => ({
          start: async () => {},
          stop: async () => {
            order.push(name);
          },
        }),
      });
    const { stop } = await startTestApp({
      modules: [record('infra', { stop: { last: true } }), record('a'), record('b')],
    });
    await stop();
    expect(order.at(-1)).toBe('infra');
  });

  it('refuses a last that is not a boolean', () => {
    expect(() =>
      createApp({ modules: [{ name: 'x', stop: { last: 'yes' }, create: hooks } as unknown as AnyModule] }),
    ).toThrow(CoreError);
  });
});
