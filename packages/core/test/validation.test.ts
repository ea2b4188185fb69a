import { scaledMs } from '@kas/testkit';
import { describe, expect, it } from 'vitest';
import { analyzeComposition } from '../src/analysis.js';
import { type AnyModule, CoreError, createApp, createToken, defineModule, GraphError } from '../src/index.js';
import { ProbeLog, probeModule } from './support/probeModule.js';

const log = new ProbeLog();
const probe = (declaration: Parameters<typeof probeModule>[1]) => probeModule(log, declaration);

function graphError(run: () => unknown): GraphError {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error('expected a GraphError');
}

describe('validation at composition', () => {
  it('rejects two modules with one name', () => {
    const error = graphError(() => createApp({ modules: [probe({ name: 'a' }), probe({ name: 'a' })] }));
    expect(error.code).toBe('KAS_DUPLICATE_MODULE');
    expect(error.problems[0]?.modules).toEqual(['a']);
    expect(error.fix).toMatch(/unique name/);
  });

  it('rejects a start dependency on a module the app does not have, listing the modules of a small app', () => {
    const error = graphError(() => createApp({ modules: [probe({ name: 'a', startAfter: ['redis'] })] }));
    expect(error.code).toBe('KAS_UNKNOWN_MODULE');
    expect(error.message).toBe(
      `"a" startAfter names "redis", which is not a module of this app (the app's modules: a)`,
    );
  });

  it('suggests the closest names for an unknown one, and in a large app says how many modules there are instead of listing them (it printed all 10,000)', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => probe({ name: `module-${i}` }));
    const message = (name: string, modules: readonly AnyModule[]) =>
      analyzeComposition({ modules: [...modules, probe({ name: 'proxy', startAfter: [name] })] }).problems[0]
        ?.message;
    expect(message('redis-conection', [probe({ name: 'redis-connection' }), probe({ name: 'edge' })])).toBe(
      `"proxy" startAfter names "redis-conection", which is not a module of this app (did you mean "redis-connection"? the app's modules: redis-connection, edge, proxy)`,
    );
    expect(message('module-12x', many)).toBe(
      '"proxy" startAfter names "module-12x", which is not a module of this app (did you mean "module-12", "module-120", "module-121"? the app has 10,001 modules; `kas-graph plan` lists them)',
    );
    expect(message('audit-sink', many)).toBe(
      '"proxy" startAfter names "audit-sink", which is not a module of this app (the app has 10,001 modules; `kas-graph plan` lists them)',
    );
  });

  it('bounds the search for close names: 3,000 unknown names among 10,000 modules give short messages, and the search stops once its budget is spent', {
    timeout: scaledMs(60_000),
  }, () => {
    const modules = Array.from({ length: 10_000 }, (_, i) =>
      probe({ name: `module-${i}`, ...(i < 3_000 ? { startAfter: [`module-${i}x`, 'ghost'] } : {}) }),
    );
    const { problems } = analyzeComposition({ modules });
    expect(problems).toHaveLength(6_000);
    expect(Math.max(...problems.map((problem) => problem.message.length))).toBeLessThan(300);
    expect(problems[0]?.message).toContain('(did you mean "module-0"');
    expect(problems.at(-2)?.message).toMatch(/names "module-2999x", .* \(the app has 10,000 modules;/);
  });

  it('rejects an unknown name in a stop relation and in an override', () => {
    const error = graphError(() =>
      createApp({
        modules: [probe({ name: 'a', stop: { with: ['b'] } })],
        overrides: { c: { drainBudget: '1s' } },
      }),
    );
    expect(error.problems.map((problem) => problem.code)).toEqual([
      'KAS_UNKNOWN_MODULE',
      'KAS_UNKNOWN_MODULE',
    ]);
    expect(error.problems.map((problem) => problem.message).join('\n')).toMatch(
      /overrides names "c"[\s\S]*stop.with names "b"/,
    );
  });

  it('prints the path of a start cycle', () => {
    const error = graphError(() =>
      createApp({
        modules: [
          probe({ name: 'a', startAfter: ['c'] }),
          probe({ name: 'b', startAfter: ['a'] }),
          probe({ name: 'c', startAfter: ['b'] }),
        ],
      }),
    );
    expect(error.code).toBe('KAS_START_CYCLE');
    expect(error.message).toMatch(/start cycle: (a -> c -> b -> a|b -> a -> c -> b|c -> b -> a -> c) \(/);
    for (const step of ['a declares startAfter c', 'c declares startAfter b', 'b declares startAfter a'])
      expect(error.message).toContain(step);
  });

  it('reports the stop declarations that contradict each other beside a start cycle (they were hidden by it)', () => {
    const analysis = analyzeComposition({
      modules: [
        probe({ name: 'a', startAfter: ['b'] }),
        probe({ name: 'b', startAfter: ['a'] }),
        probe({ name: 'x', stop: { after: ['y'] } }),
        probe({ name: 'y', stop: { after: ['x'] } }),
        probe({ name: 'p', stop: { with: ['q'], after: ['q'] } }),
        probe({ name: 'q' }),
        probe({ name: 's', stop: { after: ['s'] } }),
      ],
    });
    expect(analysis.plan).toBeUndefined();
    expect(analysis.problems.map((problem) => [problem.code, problem.modules])).toEqual([
      ['KAS_START_CYCLE', expect.arrayContaining(['a', 'b'])],
      ['KAS_STOP_CONTRADICTION', ['x', 'y']],
      ['KAS_STOP_CONTRADICTION', ['p', 'q']],
      ['KAS_STOP_CONTRADICTION', ['s']],
    ]);
    // Each pair's fix fits it: two "after"s are not "one relation too many" of different kinds
    const [, mutual, mixed] = analysis.problems;
    expect(mutual?.fix).toMatch(/^drop one of the two "after"s/);
    expect(mixed?.message).toContain('a pair of modules may have only one stop relation');
    expect(mixed?.fix).toMatch(/^keep one relation for this pair/);
  });

  it('finds a start cycle made by DI needs', () => {
    const tokenA = createToken<number>('a.value');
    const tokenB = createToken<number>('b.value');
    const a = defineModule({
      name: 'a',
      needs: { b: tokenB },
      provides: { a: tokenA },
      create: () => ({ provides: { a: 1 }, start: async () => {}, stop: async () => {} }),
    });
    const b = defineModule({
      name: 'b',
      needs: { a: tokenA },
      provides: { b: tokenB },
      create: () => ({ provides: { b: 2 }, start: async () => {}, stop: async () => {} }),
    });
    const error = graphError(() => createApp({ modules: [a, b] }));
    expect(error.code).toBe('KAS_START_CYCLE');
    // Each step says it is a DI need, and which token: not a startAfter anyone declared
    expect(error.message).toMatch(
      /^start cycle: (a -> b -> a \(a needs b\.value from b; b needs a\.value from a\)|b -> a -> b \(b needs a\.value from a; a needs b\.value from b\))$/,
    );
  });

  it('prints the path of a stop cycle with the reason of each step', () => {
    const error = graphError(() =>
      createApp({
        modules: [
          probe({ name: 'store' }),
          probe({ name: 'cache', startAfter: ['store'] }),
          probe({ name: 'server', startAfter: ['cache'], stop: { after: ['store'] } }),
        ],
      }),
    );
    expect(error.code).toBe('KAS_STOP_CYCLE');
    expect(error.message).toMatch(
      /server -\[default\]-> cache -\[default\]-> store -\[after\]-> server|cache -\[default\]-> store -\[after\]-> server -\[default\]-> cache|store -\[after\]-> server -\[default\]-> cache -\[default\]-> store/,
    );
  });

  it('prints a stop cycle that runs through a "with" stage', () => {
    const error = graphError(() =>
      createApp({
        modules: [
          probe({ name: 'store' }),
          probe({ name: 'a', startAfter: ['store'], stop: { with: ['b'] } }),
          probe({ name: 'b', stop: { after: ['store'] } }),
        ],
      }),
    );
    expect(error.code).toBe('KAS_STOP_CYCLE');
    expect(error.message).toMatch(/~with~/);
    expect(error.problems[0]?.modules).toEqual(expect.arrayContaining(['a', 'b', 'store']));
  });

  it('rejects "with" and "after" between the same modules', () => {
    const error = graphError(() =>
      createApp({
        modules: [probe({ name: 'a', stop: { with: ['b'] } }), probe({ name: 'b', stop: { after: ['a'] } })],
      }),
    );
    expect(error.code).toBe('KAS_STOP_CONTRADICTION');
    expect(error.problems[0]?.modules).toEqual(['a', 'b']);
  });

  it('rejects "after" both ways, an "after" inside a "with" stage, a self-reference, and an alongside that other relations order', () => {
    const codes = (modules: Parameters<typeof createApp>[0]['modules']) =>
      analyzeComposition({ modules }).problems.map((problem) => problem.code);
    expect(
      codes([probe({ name: 'a', stop: { after: ['b'] } }), probe({ name: 'b', stop: { after: ['a'] } })]),
    ).toContain('KAS_STOP_CONTRADICTION');
    expect(
      codes([
        probe({ name: 'a', stop: { with: ['b'] } }),
        probe({ name: 'b', stop: { with: ['c'] } }),
        probe({ name: 'c', stop: { after: ['a'] } }),
      ]),
    ).toEqual(['KAS_STOP_CONTRADICTION']);
    expect(codes([probe({ name: 'a', stop: { alongside: ['a'] } })])).toEqual(['KAS_STOP_CONTRADICTION']);
    expect(
      codes([
        probe({ name: 'store' }),
        probe({ name: 'middle', startAfter: ['store'] }),
        probe({ name: 'top', startAfter: ['middle'], stop: { alongside: ['store'] } }),
      ]),
    ).toEqual(['KAS_STOP_CONTRADICTION']);
  });

  it('rejects a needed token that nothing provides, and a token provided twice', () => {
    const config = createToken<string>('proxy.config');
    const needsConfig = defineModule({
      name: 'proxy',
      needs: { config },
      create: () => ({ start: async () => {}, stop: async () => {} }),
    });
    const error = graphError(() => createApp({ modules: [needsConfig] }));
    expect(error.code).toBe('KAS_TOKEN_NOT_PROVIDED');
    expect(error.message).toContain('"proxy" needs token proxy.config');
    expect(() =>
      createApp({ modules: [needsConfig], provide: [{ token: config, useValue: 'x' }] }),
    ).not.toThrow();

    const provider = (name: string) =>
      defineModule({
        name,
        provides: { config },
        create: () => ({ provides: { config: name }, start: async () => {}, stop: async () => {} }),
      });
    expect(graphError(() => createApp({ modules: [provider('one'), provider('two')] })).code).toBe(
      'KAS_TOKEN_PROVIDED_TWICE',
    );
    // One module under two keys: named once, with both keys (it said `provided by both "a" and "a"`).
    const twice = defineModule({
      name: 'a',
      provides: { config, settings: config },
      create: () => ({
        provides: { config: 'x', settings: 'x' },
        start: async () => {},
        stop: async () => {},
      }),
    });
    expect(analyzeComposition({ modules: [twice] }).problems).toMatchObject([
      {
        code: 'KAS_TOKEN_PROVIDED_TWICE',
        message: 'token proxy.config is provided twice by "a" (provides.config and provides.settings)',
        modules: ['a'],
      },
    ]);
  });

  it("rejects a token the app's provide lists twice (the last value used to win silently)", () => {
    const config = createToken<string>('app.config');
    const composition = {
      modules: [],
      provide: [
        { token: config, useValue: 'first' },
        { token: config, useValue: 'second' },
      ],
    };
    const error = graphError(() => createApp(composition));
    expect(error.code).toBe('KAS_TOKEN_PROVIDED_TWICE');
    expect(error.message).toBe("token app.config is provided twice by the app's `provide`");
    // the linter reports core's structural problems: this is one of them
    expect(analyzeComposition(composition).problems).toMatchObject([
      { code: 'KAS_TOKEN_PROVIDED_TWICE', modules: [] },
    ]);
  });

  it('rejects a malformed declaration when it is defined', () => {
    const invalid = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error instanceof CoreError ? error.code : error;
      }
      return 'no error';
    };
    expect(invalid(() => probe({ name: 'Bad Name' }))).toBe('KAS_INVALID_DECLARATION');
    // @ts-expect-error: '10 parsecs' is not a duration
    expect(invalid(() => probe({ name: 'a', drainBudget: '10 parsecs' }))).toBe('KAS_INVALID_DECLARATION');
    expect(invalid(() => probe({ name: 'a', drainBudget: '30d' }))).toBe('KAS_INVALID_DECLARATION');
    expect(() => probe({ name: 'a', drainBudget: '30d' })).toThrow(
      'module "a": drainBudget: "30d" is longer than the longest duration kas can time, 596h 31m 23s 647ms',
    );
    expect(invalid(() => probe({ name: 'a', drainBudget: '24d' }))).toBe('no error');
    // @ts-expect-error: stop relations are lists of names
    expect(invalid(() => probe({ name: 'a', stop: { with: 'b' } }))).toBe('KAS_INVALID_DECLARATION');
    // @ts-expect-error: 'before' is not a stop relation
    expect(invalid(() => probe({ name: 'a', stop: { before: ['b'] } }))).toBe('KAS_INVALID_DECLARATION');
  });

  it("fixes a lone name given where a list belongs with that name in a list, not with another module's", () => {
    const fixOf = (declaration: Record<string, unknown>) => {
      try {
        probe({ name: 'a', ...declaration } as Parameters<typeof probe>[0]);
      } catch (error) {
        return (error as CoreError).fix;
      }
      return 'no error';
    };
    expect(fixOf({ startAfter: 'private-api' })).toBe("write startAfter: ['private-api']");
    expect(fixOf({ stop: { after: 'kube-proxy' } })).toBe("write stop.after: ['kube-proxy']");
    expect(fixOf({ accepts: 'status-http' })).toBe("write accepts: ['status-http']");
    expect(fixOf({ startAfter: 5 })).toBe(
      "write startAfter as an array of module names, e.g. startAfter: ['tunnel-tracker']",
    );
    expect(fixOf({ uses: [''] })).toBe(
      "write uses as an array of resource tags, e.g. uses: ['agent-tunnels']",
    );
  });

  it('rejects a module name in startAfter or stop, and a resource tag, with control characters or other text a name cannot have, showing it escaped (it reached the terminal raw)', () => {
    const ansi = '\u001b[2J\u001b[31mred';
    const cases: [Omit<AnyModule, 'create' | 'name'>, string][] = [
      [{ startAfter: ['ok', ansi] }, 'startAfter[1]'],
      [{ stop: { with: [ansi] } }, 'stop.with[0]'],
      [{ stop: { alongside: ['line\nbreak'] } }, 'stop.alongside[0]'],
      [{ stop: { after: ['Upper'] } }, 'stop.after[0]'],
      [{ accepts: [ansi] }, 'accepts[0]'],
      [{ advertises: ['agent tunnels'] }, 'advertises[0]'],
      [{ uses: ['-dash'] }, 'uses[0]'],
      [{ observes: ['tab\t'] }, 'observes[0]'],
    ];
    for (const [declaration, field] of cases) {
      const thrown = (() => {
        try {
          probe({ name: 'proxy', ...declaration });
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(thrown).toBeInstanceOf(CoreError);
      const { code, message } = thrown as CoreError;
      expect(code).toBe('KAS_INVALID_DECLARATION');
      expect(message).toMatch(new RegExp(`^module "proxy": ${field.replace(/[[\].]/g, '\\$&')} \\S`));
      expect([...message].some((char) => char < ' ' || char === '\u007f')).toBe(false);
    }
    expect(() => probe({ name: 'proxy', startAfter: [ansi] })).toThrow(
      'module "proxy": startAfter[0] "\\u001b[2J\\u001b[31mred" is not a module name',
    );
    expect(() => probe({ name: 'proxy', accepts: ['agent tunnels'] })).toThrow(
      'module "proxy": accepts[0] "agent tunnels" is not a resource tag',
    );
    // The same for module objects not made by defineModule, for an override's stop, and for an override's key.
    const handMade = { name: 'proxy', uses: [ansi], create: () => ({}) } as unknown as AnyModule;
    expect(() => analyzeComposition({ modules: [handMade] })).toThrow(/^module "proxy": uses\[0\] "\\u001b/);
    expect(() =>
      analyzeComposition({
        modules: [probe({ name: 'a' })],
        overrides: { a: { stop: { after: [ansi] } } },
      }),
    ).toThrow(/^module "a": stop.after\[0\] "\\u001b/);
    expect(() => analyzeComposition({ modules: [probe({ name: 'a' })], overrides: { [ansi]: {} } })).toThrow(
      /^the app's overrides: "\\u001b\[2J\\u001b\[31mred" is not a module name/,
    );
  });

  it('quotes a DI token description with control characters, escaped: a token may be any symbol', () => {
    const needsOdd = defineModule({
      name: 'proxy',
      needs: { odd: createToken<string>('odd\u001b[2J\nclient') },
      create: () => ({ start: async () => {}, stop: async () => {} }),
    });
    expect(analyzeComposition({ modules: [needsOdd] }).problems[0]?.message).toBe(
      '"proxy" needs token "odd\\u001b[2J\\u000aclient", which no module and no app value provides',
    );
  });

  it('reports every problem of a graph at once', () => {
    const { problems, plan } = analyzeComposition({
      modules: [
        probe({ name: 'a', startAfter: ['x'] }),
        probe({ name: 'a' }),
        probe({ name: 'b', stop: { with: ['a'], after: ['a'] } }),
      ],
    });
    expect(problems.map((problem) => problem.code)).toEqual([
      'KAS_DUPLICATE_MODULE',
      'KAS_UNKNOWN_MODULE',
      'KAS_STOP_CONTRADICTION',
    ]);
    expect(plan).toBeDefined();
  });
});

describe('values a declaration gets wrong, in its error', () => {
  // JSON.stringify leaves C1 controls and bidirectional overrides (U+202E) as they are, so an invalid
  // name reached the terminal with them, reordering the line; and a 1 MB value was quoted whole.
  it('quotes them with bidirectional overrides and C1 controls escaped, and cuts a long one', () => {
    const messageOf = (name: string) => {
      try {
        defineModule({ name, create: () => ({ start: async () => {}, stop: async () => {} }) });
      } catch (error) {
        return (error as Error).message;
      }
      return undefined;
    };
    expect(messageOf('abc\u202edcba\u009b2J')).toBe(
      'module "abc\\u202edcba\\u009b2J": name must be lower-case letters, digits, ".", "_" or "-", starting with a letter or digit, at most 253 characters',
    );
    const long = messageOf(`<${'x'.repeat(1024 * 1024)}`);
    expect(long).toMatch(/^module "<x{199}…" \(1,048,577 characters\): name must be /);
  });

  it('refuses a name over 253 characters (a valid 1 MB name made 1 MB lint and log lines)', () => {
    const declare = (name: string) =>
      defineModule({ name, create: () => ({ start: async () => {}, stop: async () => {} }) });
    expect(() => declare('m'.repeat(253))).not.toThrow();
    expect(() => declare('m'.repeat(254))).toThrow(
      /\(254 characters\): name must be .*at most 253 characters/,
    );
  });
});
