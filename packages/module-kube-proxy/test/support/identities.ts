import { createHash } from 'node:crypto';
import { sha256Hex } from '@kas/module-agent-grpc';
import { type KubeProxyUser, userToken } from '../../src/index.js';

/** The agents every test replica accepts, by id, with the token each agentk presents. */
export const AGENT_TOKENS = {
  'agent-1': 'agentk-token-of-agent-1-0123456789',
  'agent-2': 'agentk-token-of-agent-2-0123456789',
  'agent-3': 'agentk-token-of-agent-3-0123456789',
} as const;

/** An agent id of the test replicas. */
export type AgentId = keyof typeof AGENT_TOKENS;

/** The secrets of the test users (the part of their token after `user:<agent-id>:`). */
export const USER_SECRETS = {
  alice: 'alice-secret-0123456789',
  bob: 'bob-secret-0123456789',
  carol: 'carol-secret-0123456789',
} as const;

/** alice may reach agents 1 and 2; bob only agent 3; carol only agent 1. */
export const USERS: readonly KubeProxyUser[] = [
  { name: 'alice', tokenSha256: sha256(USER_SECRETS.alice), agents: ['agent-1', 'agent-2'] },
  { name: 'bob', tokenSha256: sha256(USER_SECRETS.bob), agents: ['agent-3'] },
  { name: 'carol', tokenSha256: sha256(USER_SECRETS.carol), agents: ['agent-1'] },
];

/** The shared secret of the test replicas' private API. */
export const PRIVATE_API_SECRET = 'private-api-secret-of-the-tests';

/** The bearer token the fake Kubernetes API requires (agentk presents it upstream). */
export const KUBE_API_TOKEN = 'fake-kube-api-token';

/** alice's token for an agent. */
export function aliceToken(agentId: string): string {
  return userToken(agentId, USER_SECRETS.alice);
}

/** The agent credentials of agent-grpc-server's configuration. */
export function agentCredentials() {
  return Object.entries(AGENT_TOKENS).map(([id, token]) => ({ id, tokenSha256: sha256Hex(token) }));
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A test user's token for an agent (which the user may or may not be allowed). */
export function userTokenOf(user: keyof typeof USER_SECRETS, agentId: string): string {
  return userToken(agentId, USER_SECRETS[user]);
}
