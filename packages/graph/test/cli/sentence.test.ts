import { describe, expect, it } from 'vitest';
import { sentence } from '../../src/cli/text/sentence.js';

describe('sentence (a message before its fix in SARIF)', () => {
  it('ends a message with one full stop, keeping the one it has (it wrote "closed.. Fix:")', () => {
    expect(sentence('the stop relation is unsafe')).toBe('the stop relation is unsafe.');
    expect(sentence('Connection is closed.')).toBe('Connection is closed.');
    expect(sentence('is redis running? ')).toBe('is redis running?');
    expect(sentence('refused!')).toBe('refused!');
  });
});
