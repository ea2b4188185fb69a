import { CoreError } from '@kas/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigTooLargeError, MAX_CONFIG_FILE_BYTES, parseConfigYaml } from '../src/index.js';

/** The errors of a parse as code, message and 1-based line:column, as kas reports the first one. */
function errorsOf(
  parse: (lines: LineCounter) => {
    errors: readonly { code: string; message: string; pos: [number, number] }[];
  },
) {
  const lines = new LineCounter();
  return parse(lines).errors.map((error) => {
    const at = lines.linePos(error.pos[0]);
    return `${error.code} ${at.line}:${at.col} ${error.message}`;
  });
}

const ours = (text: string) => errorsOf((lineCounter) => parseConfigYaml(text, { lineCounter }));
const yamls = (text: string) =>
  errorsOf((lineCounter) => parseDocument(text, { lineCounter, prettyErrors: false }));

describe('parseConfigYaml', () => {
  it('reports a repeated key as yaml does: DUPLICATE_KEY, "Map keys must be unique", at the line and column of the second', () => {
    const text = [
      'kubeProxy:',
      '  listen: 0.0.0.0:8154',
      '  drainBudget: 1h',
      '  listen: 127.0.0.1:8154',
      'redis:',
      '  url: redis://redis:6379',
    ].join('\n');
    expect(ours(text)).toEqual(['DUPLICATE_KEY 4:3 Map keys must be unique']);
    expect(ours(text)).toEqual(yamls(text));
    expect(parseConfigYaml('a: 1\nb: 2\n').toJS()).toEqual({ a: 1, b: 2 });
  });

  it.each([
    ['a quoted key and a plain one', '"a": 1\na: 2\n'],
    ['numbers of equal value', '1: x\n1.0: y\n'],
    ['two nulls', '~: 1\nnull: 2\n'],
    ['a flow mapping', 'x: {a: 1, b: 2, a: 3}\n'],
    ['keys after a syntax error', 'a: 1\nb: [1, 2\na: 2\n'],
    ['anchored and tagged keys', '&k a: 1\n!!str a: 2\n? a\n: 3\n'],
    ['a mapping as a key, twice', '? {a: 1}\n: x\n? {a: 1}\n: y\n'],
    ['NaN keys', '.nan: 1\n.NaN: 2\n'],
    ['keys in a list of mappings', '- a: 1\n  a: 2\n- a: 3\n'],
  ])('finds the same errors as yaml does in %s', (_, text) => {
    expect(ours(text)).toEqual(yamls(text));
  });

  it('finds the same errors as yaml does in mappings of random keys', () => {
    const key = fc.constantFrom('a', 'b', '"a"', "'b'", '1', '1.0', '0x1', '~', 'null', 'true', 'c d');
    const mapping = fc.array(fc.tuple(key, fc.nat(9)), { maxLength: 12 });
    fc.assert(
      fc.property(fc.array(mapping, { minLength: 1, maxLength: 3 }), (sections) => {
        const text = sections
          .map(
            (pairs, index) =>
              `s${index}:\n${pairs.map(([name, value]) => `  ${name}: ${value}`).join('\n') || '  {}'}\n`,
          )
          .join('');
        expect(ours(text)).toEqual(yamls(text));
      }),
    );
  });

  it('parses a mapping of 100,000 keys in time linear in its size (yaml alone compares each key with every earlier one: over a minute)', {
    timeout: 60_000,
  }, () => {
    const text = Array.from({ length: 100_000 }, (_, index) => `k${index}: 1\n`).join('');
    expect(text.length).toBeLessThan(MAX_CONFIG_FILE_BYTES);
    const document = parseConfigYaml(`${text}k7: 2\n`);
    expect(document.errors.map((error) => error.code)).toEqual(['DUPLICATE_KEY']);
  });

  it('refuses a text over 1 MiB before parsing it, naming the file and its size (KAS_CONFIG_TOO_LARGE)', () => {
    const text = `a: ${'x'.repeat(MAX_CONFIG_FILE_BYTES)}\n`;
    let thrown: unknown;
    try {
      parseConfigYaml(text, { file: 'kas.yaml' });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigTooLargeError);
    expect(thrown).toBeInstanceOf(CoreError);
    expect(thrown).toMatchObject({
      code: 'KAS_CONFIG_TOO_LARGE',
      message: 'kas.yaml is 1.0 MiB: a config file may be at most 1 MiB',
      fix: expect.stringContaining('name it by path'),
    });
    expect(() => parseConfigYaml(`a: ${'x'.repeat(1000)}\n`)).not.toThrow();
  });
});
