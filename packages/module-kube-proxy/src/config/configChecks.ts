import { type Duration, toMilliseconds } from '@kas/core';

const LISTEN = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d{1,5})$/;

/** A `host:port` split into its parts; IPv6 hosts lose their brackets. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Reports a bad option: throws with the key path, the problem and the fix. */
export type ConfigFailure = (key: string, problem: string, fix: string, cause?: unknown) => never;

/** Parses `host:port` (`[::1]:8443` for IPv6); port 0 picks a free port. */
export function parseHostPort(value: unknown, key: string, fail: ConfigFailure): HostPort {
  const match = LISTEN.exec(typeof value === 'string' ? value : '');
  const port = Number(match?.[2]);
  if (match === null || port > 65_535) {
    return fail(
      key,
      `${JSON.stringify(value)} is not host:port`,
      "write it like '0.0.0.0:8443' or '127.0.0.1:0'",
    );
  }
  return { host: (match[1] as string).replace(/^\[(.*)\]$/, '$1'), port };
}

/** Formats a host and port as an address, bracketing IPv6 hosts. */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A duration in milliseconds, or the default when the option is not set. */
export function durationMs(
  value: Duration | undefined,
  fallback: Duration,
  key: string,
  fail: ConfigFailure,
): number {
  try {
    return toMilliseconds(value ?? fallback, key);
  } catch (error) {
    return fail(
      key,
      `${JSON.stringify(value)} is not a duration`,
      "write it like '500ms', '5s' or '1h'",
      error,
    );
  }
}

/** Checks that a PEM option is `{ pem }` or `{ file }`. */
export function checkPemSource(source: unknown, key: string, fail: ConfigFailure): void {
  const isObject = typeof source === 'object' && source !== null;
  const isPem = isObject && 'pem' in source && typeof source.pem === 'string';
  const isFile = isObject && 'file' in source && typeof source.file === 'string';
  if (!isPem && !isFile) {
    fail(
      key,
      'is neither { pem } nor { file }',
      `write ${key}: { file: '/etc/kas/tls.pem' } or { pem: '-----BEGIN …' }`,
    );
  }
}

/** Checks a string option that must be present and non-empty. */
export function checkNonEmpty(value: unknown, key: string, fix: string, fail: ConfigFailure): string {
  if (typeof value !== 'string' || value === '') return fail(key, 'is not a non-empty string', fix);
  return value;
}

/** The shortest shared secret of the private API accepted. */
export const MIN_PRIVATE_API_SECRET_LENGTH = 16;

/** Checks the shared secret of the private API (the same rule for both of its ends). */
export function checkPrivateApiSecret(secret: unknown, key: string, fail: ConfigFailure): void {
  if (typeof secret !== 'string' || secret.length < MIN_PRIVATE_API_SECRET_LENGTH) {
    fail(
      key,
      `is not a string of at least ${MIN_PRIVATE_API_SECRET_LENGTH} characters`,
      'generate one with `openssl rand -base64 32` and give every replica the same value',
    );
  }
}
