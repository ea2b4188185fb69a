import { readFileSync } from 'node:fs';
import { AgentkError } from '../errors/AgentkError.js';

/** How long a token read from a file is used before the file is read again (client-go's cadence). */
export const TOKEN_REFRESH_MS = 60_000;

/**
 * A bearer token kept in a file that is replaced while agentk runs: a service account token, which the
 * kubelet rotates (well before the old one expires) by swapping the file. The file is read again once
 * the token is `refreshMs` old, and at once after the API answered 401 (`invalidate`), as client-go does;
 * a read that fails keeps the token it has.
 */
export class RotatingTokenFile {
  #token: string;
  #readAtMs: number;
  #isStale = false;

  constructor(
    readonly path: string,
    private readonly refreshMs: number = TOKEN_REFRESH_MS,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    const token = this.#read();
    if (token === undefined) {
      throw new AgentkError(
        'AGENTK_FILE_UNREADABLE',
        `the token file ${path} cannot be read or is empty`,
        `make ${path} readable by agentk (in a pod: mount the service account token)`,
      );
    }
    this.#token = token;
    this.#readAtMs = this.nowMs();
  }

  /** The token to send now; reads the file again when the token is old or was refused. */
  current(): string {
    if (this.#isStale || this.nowMs() - this.#readAtMs >= this.refreshMs) {
      this.#token = this.#read() ?? this.#token;
      this.#readAtMs = this.nowMs();
      this.#isStale = false;
    }
    return this.#token;
  }

  /** The API refused the token (401): read the file again before the next request. */
  invalidate(): void {
    this.#isStale = true;
  }

  #read(): string | undefined {
    try {
      const token = readFileSync(this.path, 'utf8').trim();
      return token === '' ? undefined : token;
    } catch {
      return undefined;
    }
  }
}
