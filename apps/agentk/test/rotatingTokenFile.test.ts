import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RotatingTokenFile } from '../src/upstream/RotatingTokenFile.js';

describe('a token file that rotates', () => {
  let dir: string;
  let file: string;
  let nowMs = 0;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agentk-token-'));
    file = join(dir, 'token');
    await writeFile(file, 'one\n');
    nowMs = 0;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is read again once the token is refreshMs old, or at once after a refusal', async () => {
    const token = new RotatingTokenFile(file, 60_000, () => nowMs);
    expect(token.current()).toBe('one');
    await writeFile(file, 'two\n');
    nowMs = 59_999;
    expect(token.current()).toBe('one');
    nowMs = 60_000;
    expect(token.current()).toBe('two');
    await writeFile(file, 'three\n');
    token.invalidate();
    expect(token.current()).toBe('three');
  });

  it('keeps the token it has when the file is gone or empty for a moment', async () => {
    const token = new RotatingTokenFile(file, 60_000, () => nowMs);
    await writeFile(file, '');
    token.invalidate();
    expect(token.current()).toBe('one');
    await rm(file);
    token.invalidate();
    expect(token.current()).toBe('one');
  });

  it('refuses to start without a token', async () => {
    expect(() => new RotatingTokenFile(join(dir, 'missing'))).toThrow('cannot be read or is empty');
  });
});
