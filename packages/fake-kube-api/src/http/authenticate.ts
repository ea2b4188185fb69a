import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Paths the real server answers without credentials (its `system:public-info-viewer` role). */
const PUBLIC_PATHS = /^\/(version|healthz|livez|readyz)(\/.*)?$/;

/**
 * Whether a request may be served: always when no tokens are configured; otherwise it must carry
 * `Authorization: Bearer <token>` with one of them, except public paths asked without any credentials.
 * A wrong token is refused everywhere, as the real server refuses it.
 */
export function isAuthorized(
  request: IncomingMessage,
  pathname: string,
  tokenHashes: readonly Buffer[] | undefined,
): boolean {
  if (tokenHashes === undefined) return true;
  const header = request.headers.authorization;
  if (header === undefined) return PUBLIC_PATHS.test(pathname);
  const given = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (given === undefined) return false;
  const givenHash = hashToken(given);
  return tokenHashes.some((tokenHash) => timingSafeEqual(givenHash, tokenHash));
}

/** The SHA-256 of a token: what the server keeps and compares in constant time. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
