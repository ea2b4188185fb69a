import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDevCertificates } from '@kas/dev-certificates';
import { sha256Hex } from '@kas/module-agent-grpc';
import { userToken } from '@kas/module-kube-proxy';

/** The agent every kas variant of the benchmark serves. */
export const BENCH_AGENT_ID = 'bench-agent';

/** What `writeKasFiles` wrote: one config per replica, the agent's token file and the user's token. */
export interface KasFiles {
  /** `kas --config` files, by replica id. */
  readonly configs: Readonly<Record<string, string>>;
  readonly agentTokenFile: string;
  /** The bearer token a Kubernetes client sends (`user:<agent-id>:<secret>`). */
  readonly userToken: string;
  /** The PEM CA that signed the replicas' certificate (for a TLS kube proxy). */
  readonly caPem: string;
}

/** A replica of the benchmark: its id, whether its kube proxy serves HTTPS (else plain HTTP), its Redis. */
export interface BenchReplica {
  readonly id: string;
  readonly isTls: boolean;
  /** The shared tunnel directory; without it the replica runs alone with the in-memory directory. */
  readonly redisUrl?: string;
}

/**
 * Writes what `kas --config` needs into `directory`, as `apps/kas/src/dev/prepareDevFiles.ts` does: an
 * agent token and the agents file, a user token and the users file, the private API secret, a throwaway
 * certificate, and one config per replica (every listener on 127.0.0.1 port 0, short drains so the run
 * stops quickly). The configs are JSON, which is YAML.
 */
export async function writeKasFiles(directory: string, replicas: readonly BenchReplica[]): Promise<KasFiles> {
  const path = (name: string) => join(directory, name);
  const secret = () => randomBytes(24).toString('base64url');
  const agentToken = secret();
  const userSecret = secret();
  const { ca, server } = await createDevCertificates();
  const files: Record<string, string> = {
    'agent.token': agentToken,
    'private-api.secret': secret(),
    'tls.pem': server.cert,
    'tls-key.pem': server.key,
    'agents.yaml': JSON.stringify([{ id: BENCH_AGENT_ID, tokenSha256: sha256Hex(agentToken) }]),
    'users.yaml': JSON.stringify([
      { name: 'bench-user', tokenSha256: sha256Hex(userSecret), agents: [BENCH_AGENT_ID] },
    ]),
  };
  const configs: Record<string, string> = {};
  for (const replica of replicas) {
    const name = `kas-${replica.id}.yaml`;
    configs[replica.id] = path(name);
    files[name] = JSON.stringify({
      replica: { id: replica.id },
      agentGrpc: { listen: '127.0.0.1:0', agentsFile: path('agents.yaml'), drainBudget: '3s' },
      ...(replica.redisUrl === undefined ? {} : { redis: { url: replica.redisUrl } }),
      kubeProxy: {
        listen: '127.0.0.1:0',
        ...(replica.isTls
          ? { tls: { certFile: path('tls.pem'), keyFile: path('tls-key.pem') } }
          : { plainHttp: true }),
        usersFile: path('users.yaml'),
        listenGrace: '10ms',
        drainBudget: '2s',
      },
      privateApi: { listen: '127.0.0.1:0', sharedSecretFile: path('private-api.secret'), drainBudget: '2s' },
      observability: { listen: '127.0.0.1:0' },
    });
  }
  await Promise.all(
    Object.entries(files).map(([name, text]) => writeFile(path(name), text, { mode: 0o600 })),
  );
  return {
    configs,
    agentTokenFile: path('agent.token'),
    userToken: userToken(BENCH_AGENT_ID, userSecret),
    caPem: ca.cert,
  };
}
