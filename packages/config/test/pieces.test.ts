import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  duration,
  formatHostPort,
  hostPort,
  pemSource,
  positiveDuration,
  sha256Digest,
  splitHostPort,
  tlsKeyPair,
} from '../src/index.js';

const messageOf = (schema: z.ZodType, input: unknown) => schema.safeParse(input).error?.issues[0]?.message;

describe('duration', () => {
  it('reads milliseconds and the strings @kas/core reads, into milliseconds', () => {
    expect(duration().parse(250)).toBe(250);
    // Node's timers fire at once beyond 2^31 - 1 ms: a longer budget would cut at the first moment.
    expect(duration().safeParse('30d').error?.issues[0]?.message).toBe(
      'expected a duration of at most 596h 31m 23s 647ms (about 24.8 days: kas cannot time a longer one) (got "30d")',
    );
    expect(duration().parse('24d')).toBe(24 * 86_400_000);
    expect(duration().parse('10s')).toBe(10_000);
    expect(duration().parse('75m')).toBe(4_500_000);
    expect(duration().parse(0)).toBe(0);
  });

  it('names what it expects and what it got', () => {
    expect(messageOf(duration(), 'soon')).toBe(
      `expected a duration: milliseconds, or a string such as '500ms', '10s', '75m' or '1h' (got "soon")`,
    );
    expect(messageOf(duration(), -5)).toMatch(/expected a duration.*\(got -5\)/);
    expect(messageOf(duration(), { s: 1 })).toMatch(/expected a duration.*\(got \{"s":1\}\)/);
  });

  it('parses a default as written, and refuses 0 where a period is meant', () => {
    expect(duration().prefault('5s').parse(undefined)).toBe(5_000);
    expect(messageOf(positiveDuration(), 0)).toBe('expected a duration longer than 0 (got 0)');
    expect(positiveDuration().parse('1ms')).toBe(1);
  });
});

describe('host:port', () => {
  it('accepts names, IPv4 and bracketed IPv6 with a port up to 65535', () => {
    for (const address of ['localhost:0', '0.0.0.0:8150', '[::1]:8150', 'kas.example.com:65535']) {
      expect(hostPort().parse(address)).toBe(address);
    }
    expect(splitHostPort(hostPort().parse('[::1]:8150'))).toEqual({ host: '::1', port: 8150 });
  });

  it.each([['8150'], ['localhost'], ['host:70000'], ['::1:8150'], ['a b:1'], ['http://x:1'], [8150]])(
    'refuses %j naming the expected form and the value',
    (input) => {
      expect(messageOf(hostPort(), input)).toBe(
        `expected host:port, such as '0.0.0.0:8150', '127.0.0.1:0' or '[::1]:8150' (got ${JSON.stringify(input)})`,
      );
    },
  );

  it('splits what it formats, for any host name, IPv4 or IPv6 address and port', () => {
    const host = fc.oneof(
      fc.domain(),
      fc.ipV4(),
      fc.ipV6().filter((ip) => !ip.includes('%')),
    );
    fc.assert(
      fc.property(host, fc.integer({ min: 0, max: 65_535 }), (name, port) => {
        expect(splitHostPort(hostPort().parse(formatHostPort(name, port)))).toEqual({ host: name, port });
      }),
    );
  });
});

describe('PEM sources and digests', () => {
  it('takes { pem } or { file }, and nothing else', () => {
    expect(pemSource().parse({ file: '/etc/kas/tls.crt' })).toEqual({ file: '/etc/kas/tls.crt' });
    expect(messageOf(pemSource(), {})).toBe(
      "expected { file: '/etc/kas/tls.crt' } or { pem: '-----BEGIN ...' }",
    );
    expect(tlsKeyPair().safeParse({ cert: { pem: 'x' }, key: {} }).error?.issues[0]).toMatchObject({
      path: ['key'],
    });
  });

  it('takes a sha256 as 64 hex digits of either case', () => {
    expect(sha256Digest().safeParse('A'.repeat(64)).success).toBe(true);
    expect(messageOf(sha256Digest(), 'abc')).toMatch(/^expected the sha256 of the token as 64 hex digits/);
  });
});
