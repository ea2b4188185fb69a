import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createDevCertificates } from '@kas/dev-certificates';
import { sha256Hex } from '@kas/module-agent-grpc';
import { userToken } from '@kas/module-kube-proxy';
import { stringify } from 'yaml';
import type { DevAgentOptions } from './devModules.js';

/** The agent id of dev mode's agent. */
export const DEV_AGENT_ID = 'dev-agent';

/** What dev mode wrote, and what its extra modules need. */
export interface DevFiles {
  readonly directory: string;
  readonly configPath: string;
  readonly agent: DevAgentOptions;
}

/**
 * Writes a throwaway dev setup into `directory`: a CA and server certificate, an agent token and a user
 * token with their sha256 files, the replica shared secret, and a kas.yaml that uses them (in-memory
 * directory, every listener on 127.0.0.1 with a free port, short drains, the lifecycle view on). Every run
 * makes new ones; `KAS_*` environment variables override its values as they override any kas.yaml.
 */
export async function prepareDevFiles(directory: string): Promise<DevFiles> {
  const dir = resolve(directory);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = (name: string) => join(dir, name);
  const secret = () => randomBytes(24).toString('base64url');
  const { ca, server } = await createDevCertificates();
  const agentToken = secret();
  const userSecret = secret();
  const files: Record<string, string> = {
    'ca.pem': ca.cert,
    'tls.pem': server.cert,
    'tls-key.pem': server.key,
    'agent.token': agentToken,
    'private-api.secret': secret(),
    'agents.yaml': stringify([{ id: DEV_AGENT_ID, tokenSha256: sha256Hex(agentToken) }]),
    'users.yaml': stringify([
      { name: 'dev-user', tokenSha256: sha256Hex(userSecret), agents: [DEV_AGENT_ID] },
    ]),
    'kas.yaml': [
      '# Written by `kas --dev`: a throwaway single-replica setup. Never use it in production.',
      stringify({
        replica: { id: 'kas-dev' },
        agentGrpc: { listen: '127.0.0.1:0', agentsFile: path('agents.yaml') }, // the drains below + 10 s
        kubeProxy: {
          listen: '127.0.0.1:0',
          tls: { certFile: path('tls.pem'), keyFile: path('tls-key.pem') },
          usersFile: path('users.yaml'),
          listenGrace: '1s',
          // A request that waits for the agent during the stop gets its 503 before the drain budget cuts it.
          tunnelWait: '2s',
          drainBudget: '5s',
        },
        privateApi: {
          listen: '127.0.0.1:0',
          sharedSecretFile: path('private-api.secret'),
          drainBudget: '5s',
        },
        // A throwaway setup on 127.0.0.1: the live lifecycle view is on, to watch kas start and stop.
        observability: { listen: '127.0.0.1:0', debug: true },
      }),
    ].join('\n'),
  };
  await Promise.all(
    Object.entries(files).map(([name, text]) => writeFile(path(name), text, { mode: 0o600 })),
  );
  return {
    directory: dir,
    configPath: path('kas.yaml'),
    agent: {
      agentToken,
      userToken: userToken(DEV_AGENT_ID, userSecret),
      caPem: ca.cert,
      kubeconfigPath: path('kubeconfig'),
    },
  };
}
