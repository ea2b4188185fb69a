import { createHash } from 'node:crypto';
import type { KubeProxyUser } from '../config/kubeProxyUsersSchema.js';

/** The kind of token a user presents: `user:<agent-id>:<secret>`. */
export const USER_TOKEN_KIND = 'user';

const PREFIX = `${USER_TOKEN_KIND}:`;
const BEARER = /^bearer +/i;

/** What a request's `Authorization` header allows. */
export type Authentication =
  | { readonly kind: 'allowed'; readonly user: string; readonly agentId: string }
  /** 401: no token, a malformed one, or an unknown secret (then `agentId` is the one the token names). */
  | { readonly kind: 'unauthenticated'; readonly reason: string; readonly agentId?: string }
  /** 404: no user may reach this agent id, so kas does not know it. */
  | { readonly kind: 'unknownAgent'; readonly user: string; readonly agentId: string }
  /** 403: the agent exists, but this user may not reach it. */
  | { readonly kind: 'forbidden'; readonly user: string; readonly agentId: string };

interface UserEntry {
  readonly name: string;
  readonly agents: ReadonlySet<string>;
}

/**
 * Resolves a bearer token `user:<agent-id>:<secret>` to a user (by the sha256 of the secret) and the agent
 * the request is for. The agent id rides in the token because `kubectl get --raw` drops the path of the
 * kubeconfig's server URL: a token reaches the proxy with every kubectl command. Never logs or returns
 * the secret.
 */
export class UserAuthenticator {
  readonly #userBySha256: ReadonlyMap<string, UserEntry>;
  readonly #knownAgents: ReadonlySet<string>;

  constructor(users: readonly KubeProxyUser[]) {
    this.#userBySha256 = new Map(
      users.map((user) => [
        user.tokenSha256.toLowerCase(),
        { name: user.name, agents: new Set(user.agents) },
      ]),
    );
    this.#knownAgents = new Set(users.flatMap((user) => user.agents));
  }

  authenticate(authorization: string | undefined): Authentication {
    if (authorization === undefined) {
      return {
        kind: 'unauthenticated',
        reason: `no bearer token (kubectl sends it only over HTTPS); send "Authorization: Bearer ${USER_TOKEN_KIND}:<agent-id>:<secret>"`,
      };
    }
    const bearer = BEARER.exec(authorization);
    if (bearer === null)
      return { kind: 'unauthenticated', reason: 'the Authorization header is not "Bearer <token>"' };
    const token = authorization.slice(bearer[0].length).trim();
    const agentEnd = token.indexOf(':', PREFIX.length);
    if (!token.startsWith(PREFIX) || agentEnd <= PREFIX.length) {
      return {
        kind: 'unauthenticated',
        reason: `the token is not of the form ${USER_TOKEN_KIND}:<agent-id>:<secret>`,
      };
    }
    const agentId = token.slice(PREFIX.length, agentEnd);
    const user = this.#userBySha256.get(
      createHash('sha256')
        .update(token.slice(agentEnd + 1))
        .digest('hex'),
    );
    if (user === undefined) return { kind: 'unauthenticated', reason: 'the token is not known', agentId };
    if (!this.#knownAgents.has(agentId)) return { kind: 'unknownAgent', user: user.name, agentId };
    if (!user.agents.has(agentId)) return { kind: 'forbidden', user: user.name, agentId };
    return { kind: 'allowed', user: user.name, agentId };
  }
}

/** The bearer token a user puts in a kubeconfig to reach `agentId`. */
export function userToken(agentId: string, secret: string): string {
  return `${PREFIX}${agentId}:${secret}`;
}
