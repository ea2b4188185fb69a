import { createHash } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import type { AgentCredential } from '../config/agentCredentialsSchema.js';

/** Why a call was not accepted as an agent. */
export type AuthenticationFailure = 'missing token' | 'malformed authorization' | 'unknown token';

const BEARER = /^bearer\s+(\S+)\s*$/i;

/** Resolves the bearer token in a call's metadata to an agent id, by the sha256 of the token. */
export class AgentAuthenticator {
  readonly #agentIdBySha256: ReadonlyMap<string, string>;

  constructor(agents: readonly AgentCredential[]) {
    this.#agentIdBySha256 = new Map(agents.map((agent) => [agent.tokenSha256.toLowerCase(), agent.id]));
  }

  /** The agent id, or why there is none. Never returns or logs the token. */
  identify(metadata: Metadata): { readonly agentId: string } | { readonly failure: AuthenticationFailure } {
    const [authorization] = metadata.get('authorization');
    if (authorization === undefined) return { failure: 'missing token' };
    const match = typeof authorization === 'string' ? BEARER.exec(authorization) : null;
    if (match === null) return { failure: 'malformed authorization' };
    const agentId = this.#agentIdBySha256.get(sha256Hex(match[1] as string));
    return agentId === undefined ? { failure: 'unknown token' } : { agentId };
  }
}

/** The sha256 of a token as lower-case hex, as `AgentCredential.tokenSha256` holds it. */
export function sha256Hex(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
