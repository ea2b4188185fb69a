import { type AnyModule, type AppComposition, defineModule } from '@kas/core';

/** The shapes of generated graphs. */
export type GraphShape = 'chain' | 'fan' | 'kas-layered' | 'random-redundant-after';

const declare = (declaration: Omit<AnyModule, 'create'>): AnyModule =>
  defineModule({
    ...declaration,
    create: () => ({ start: async () => {}, stop: async () => {}, provides: {} }),
  });

/** Generates a composition of `size` modules of one shape. */
export function generateGraph(shape: GraphShape, size: number): AppComposition {
  switch (shape) {
    case 'chain':
      return { modules: chain(size) };
    case 'fan':
      return { modules: fan(size) };
    case 'kas-layered':
      return { modules: kasLayered(size) };
    case 'random-redundant-after':
      return { modules: randomRedundantAfter(size, 1) };
    default: {
      const unhandled: never = shape;
      throw new Error(`unknown shape ${unhandled}`);
    }
  }
}

/**
 * Each module starts after the previous one (so by default stops before it). Every 50th module
 * accepts a resource the next one uses.
 */
function chain(size: number): AnyModule[] {
  return Array.from({ length: size }, (_, index) =>
    declare({
      name: `m${index}`,
      ...(index > 0 ? { startAfter: [`m${index - 1}`] } : {}),
      drainBudget: '1s',
      ...(index % 50 === 0 ? { accepts: [`r${index}`] } : {}),
      ...(index % 50 === 1 ? { uses: [`r${index - 1}`] } : {}),
    }),
  );
}

/**
 * One store, everything else starts after it. In each group of ten leaves one accepts a resource, one
 * advertises it (`with` the acceptor) and one uses it (`alongside` the acceptor).
 */
function fan(size: number): AnyModule[] {
  const modules = [declare({ name: 'store', drainBudget: '5s' })];
  for (let index = 1; index < size; index++) {
    const group = Math.floor((index - 1) / 10);
    const role = (index - 1) % 10;
    const acceptor = `leaf${group * 10 + 1}`;
    modules.push(
      declare({
        name: `leaf${index}`,
        startAfter: ['store'],
        drainBudget: role === 2 ? '1m' : '10s',
        ...(role === 0 ? { accepts: [`r${group}`], drainBudget: '1m' } : {}),
        ...(role === 1 ? { advertises: [`r${group}`], stop: { with: [acceptor] } } : {}),
        ...(role === 2 ? { uses: [`r${group}`], stop: { alongside: [acceptor] } } : {}),
      }),
    );
  }
  return modules;
}

/**
 * kas-like: shared infrastructure, shards that start after it, and per shard clusters of the kas
 * modules (agent server, tracker `with` it, proxy and private API `alongside` it) plus a cache and a
 * metrics module that stops `after` the cache. Leftover slots are plain workers.
 */
function kasLayered(size: number): AnyModule[] {
  const modules = [
    declare({ name: 'observability', drainBudget: '5s' }),
    declare({ name: 'redis', drainBudget: '5s' }),
  ];
  const clusterSize = 6;
  const shardEvery = 100;
  let cluster = 0;
  while (modules.length + clusterSize + 1 <= size) {
    const shard = `shard${Math.floor(cluster / shardEvery)}`;
    if (cluster % shardEvery === 0)
      modules.push(declare({ name: shard, startAfter: ['redis'], drainBudget: '5s' }));
    const [agent, tracker, proxy, privateApi, cache, metrics] = [
      'agent',
      'tracker',
      'proxy',
      'private',
      'cache',
      'metrics',
    ].map((kind) => `${kind}${cluster}`) as [string, string, string, string, string, string];
    const tunnels = `tunnels${cluster}`;
    modules.push(
      declare({ name: agent, startAfter: ['observability', shard], drainBudget: '1h', accepts: [tunnels] }),
      declare({
        name: tracker,
        startAfter: ['redis', agent],
        stop: { with: [agent] },
        drainBudget: '10s',
        advertises: [tunnels],
      }),
      declare({
        name: proxy,
        startAfter: [agent, tracker],
        stop: { alongside: [agent, tracker] },
        drainBudget: '1h',
        uses: [tunnels],
      }),
      declare({
        name: privateApi,
        startAfter: [agent],
        stop: { with: [proxy], alongside: [agent, tracker] },
        drainBudget: '1h',
        uses: [tunnels],
      }),
      declare({ name: cache, startAfter: [shard], drainBudget: '5s' }),
      declare({ name: metrics, startAfter: [shard], stop: { after: [cache] }, drainBudget: '5s' }),
    );
    cluster += 1;
  }
  for (let index = 0; modules.length < size; index++) {
    modules.push(declare({ name: `worker${index}`, startAfter: ['redis'], drainBudget: '5s' }));
  }
  return modules;
}

/**
 * The shape that crashed plan resolution at about 900 modules (issue 13): a random start DAG, each module
 * after one of the three before it and up to two earlier ones, where for about 30% of the modules one of
 * the modules it started after declares `stop: { after: [it] }`, which that module does by default anyway
 * (redundant but legal). A fixed seed, so every run measures the same graph.
 */
function randomRedundantAfter(size: number, seed: number): AnyModule[] {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const startAfter: string[][] = [];
  const stopAfter: string[][] = Array.from({ length: size }, () => []);
  for (let index = 0; index < size; index++) {
    const dependencies = new Set<number>();
    if (index > 0) {
      dependencies.add(Math.max(0, index - 1 - Math.floor(next() * 3)));
      const far = Math.floor(next() * 3);
      for (let count = 0; count < far; count++) dependencies.add(Math.floor(next() * index));
    }
    const list = [...dependencies];
    startAfter.push(list.map((dependency) => `m${dependency}`));
    const redundant = list.length > 0 && next() < 0.3 ? list[Math.floor(next() * list.length)] : undefined;
    if (redundant !== undefined) stopAfter[redundant]?.push(`m${index}`);
  }
  return startAfter.map((names, index) =>
    declare({
      name: `m${index}`,
      ...(names.length > 0 ? { startAfter: names } : {}),
      ...(stopAfter[index]?.length ? { stop: { after: stopAfter[index] } } : {}),
      drainBudget: index % 7 === 0 ? '1m' : '5s',
    }),
  );
}
