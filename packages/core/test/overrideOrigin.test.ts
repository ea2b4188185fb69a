import { describe, expect, it } from 'vitest';
import { analyzeComposition } from '../src/analysis.js';
import { defineModule, type ModuleOverride, type StopDeclaration } from '../src/index.js';

const hooks = () => ({ start: async () => {}, stop: async () => {} });
const declare = (name: string, startAfter: readonly string[] = [], stop: StopDeclaration = {}) =>
  defineModule({ name, startAfter, stop, create: hooks });

const messagesOf = (overrides: Record<string, ModuleOverride>) =>
  analyzeComposition({
    modules: [declare('store'), declare('cache', ['store']), declare('server', ['cache'])],
    overrides,
  }).problems.map((problem) => `${problem.code}: ${problem.message}`);

// An operator whose overrides make a bad graph was told that the module declared it, and looked in
// the module's code for a relation that is only in their config.
describe("a stop problem an override causes names the override, not the module's declaration", () => {
  it('a stop cycle through an overridden stop names where that stop is set', () => {
    expect(
      messagesOf({ server: { stop: { after: ['store'] }, origin: 'overrides.server.stop (kas.yaml:12:7)' } }),
    ).toEqual([
      expect.stringMatching(
        /^KAS_STOP_CYCLE: stop cycle: .*store -\[after\]-> server.*; the stop of "server" is set by overrides\.server\.stop \(kas\.yaml:12:7\)$/,
      ),
    ]);
  });

  it('two relations for one pair, and an alongside that other relations order, name the override that declares them', () => {
    expect(
      messagesOf({
        cache: { stop: { after: ['server'] }, origin: 'the test config' },
        server: { stop: { alongside: ['cache'] } },
      }),
    ).toEqual([
      'KAS_STOP_CONTRADICTION: "cache" (its stop set by the test config) declares after: ["server"] and "server" (its stop set by the app\'s overrides) declares alongside: ["cache"]: a pair of modules may have only one stop relation',
    ]);
    expect(messagesOf({ server: { stop: { alongside: ['store'] }, origin: 'the test config' } })).toEqual([
      expect.stringMatching(
        /^KAS_STOP_CONTRADICTION: "server" \(its stop set by the test config\) declares alongside: \["store"\], but other relations/,
      ),
    ]);
  });

  it('an alongside that an overridden module between the pair orders names that override in its fix (it named neither; found by an author trial)', () => {
    const { problems } = analyzeComposition({
      modules: [declare('a', [], { alongside: ['b'] }), declare('b', [], { after: ['c'] }), declare('c')],
      overrides: { c: { stop: { after: ['a'] }, origin: 'overrides.c.stop (kas.yaml:4:5)' } },
    });
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'KAS_STOP_CONTRADICTION',
        message: expect.stringMatching(
          /^"a" declares alongside: \["b"\], but other relations make "a" stop before "b"/,
        ),
        fix: 'also declare "alongside" (or "with") for the modules between them, or drop this "alongside"; the stop of "c" is set by overrides.c.stop (kas.yaml:4:5): an order it adds may be the one between them',
      }),
    ]);
  });

  it('an order inside one stage and an after on a last module name the override that declares them', () => {
    expect(
      messagesOf({
        store: { stop: { with: ['cache'] }, origin: 'the test config' },
        cache: { stop: { after: ['store'] } },
      }),
    ).toContainEqual(
      'KAS_STOP_CONTRADICTION: "store" (its stop set by the test config) declares with: ["cache"] and "cache" (its stop set by the app\'s overrides) declares after: ["store"]: a pair of modules may have only one stop relation',
    );
    expect(
      messagesOf({
        store: { stop: { last: true }, origin: 'the test config' },
        server: { stop: { after: ['store'] }, origin: 'the test config' },
      }),
    ).toContainEqual(
      expect.stringMatching(
        /^KAS_STOP_CONTRADICTION: "store" \(its stop set by the test config\) declares stop: \{ last: true \}.*but "server" \(its stop set by the test config\) declares stop: \{ after: \["store"\] \}/,
      ),
    );
  });

  it("a module's own declaration, and an override of its budget only, are told as the module's", () => {
    const { problems } = analyzeComposition({
      modules: [
        declare('store'),
        declare('cache', ['store']),
        declare('server', ['cache'], { after: ['store'] }),
      ],
      overrides: { server: { drainBudget: '1m', origin: 'the test config' } },
    });
    expect(problems.map((problem) => problem.message)).toEqual([expect.not.stringContaining('set by')]);
    expect(problems[0]?.message).toContain('store -[after]-> server');
  });
});
