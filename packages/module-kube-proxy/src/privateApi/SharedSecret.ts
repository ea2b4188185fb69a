import { createHash, timingSafeEqual } from 'node:crypto';

const BEARER = /^bearer +/i;

/**
 * The shared secret of the private API. Compares a presented `authorization` value in constant time (both
 * sides hashed first, so neither the length nor the content of the secret leaks through timing). Holds
 * only the hash; never logs anything.
 */
export class SharedSecret {
  readonly #sha256: Buffer;

  constructor(secret: string) {
    this.#sha256 = sha256(secret);
  }

  /** True when `authorization` is `Bearer <the secret>`. */
  matches(authorization: unknown): boolean {
    if (typeof authorization !== 'string') return false;
    const bearer = BEARER.exec(authorization);
    if (bearer === null) return false;
    return timingSafeEqual(sha256(authorization.slice(bearer[0].length)), this.#sha256);
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
