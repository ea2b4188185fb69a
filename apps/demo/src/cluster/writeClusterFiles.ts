import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createDevCertificates } from '@kas/dev-certificates';
import { sha256Hex } from '@kas/module-agent-grpc';
import { userToken } from '@kas/module-kube-proxy';
import { stringify } from 'yaml';
import { DemoError } from '../errors/DemoError.js';

/** The ports one replica listens on: 0 (the OS picks) for its first run, then those it was given. */
export interface ReplicaPorts {
  readonly agentGrpc: number;
  readonly kubeProxy: number;
  readonly privateApi: number;
  readonly observability: number;
}

/** Budgets of the replicas' stop, short enough for a demo or a test. */
export interface ReplicaBudgets {
  /** kube-proxy and private-api drain budget (agent-grpc-server's is kas's default: 10 s more). */
  readonly drainBudgetMs: number;
  /** How long a stopping kube proxy still accepts new connections. */
  readonly listenGraceMs: number;
  /** How long a request waits for its agent's tunnel, here or on another replica. */
  readonly tunnelWaitMs: number;
  /**
   * Heartbeat time on tunnels and Forward calls (`agentGrpc.keepalive` and `privateApi.keepalive`; the
   * timeout is the same). Default: kas's (30 s, timeout 10 s).
   */
  readonly keepaliveMs?: number;
}

/** What `writeClusterFiles` wrote and the secrets a client of the cluster needs. */
export interface ClusterFiles {
  readonly caPem: string;
  /** The agent ids, by agentk process: process p runs `agent-<p>-1` .. `agent-<p>-<n>`. */
  readonly agentIdsByProcess: readonly (readonly string[])[];
  /** The `--token-file-pattern` of agentk process p. */
  readonly tokenFilePattern: (process: number) => string;
  /** The kube proxy token of the demo user for one agent (`user:<agent-id>:<secret>`). */
  readonly userToken: (agentId: string) => string;
  /** The token an agent authenticates with (the content of its token file). */
  readonly agentToken: (agentId: string) => string;
  /** The config file of each replica, by id. */
  readonly configPaths: ReadonlyMap<string, string>;
  /** Writes a replica's config again with these ports (the ones its first run was given). */
  writeReplicaConfig(id: string, ports: ReplicaPorts): Promise<void>;
}

/** What the files describe. */
export interface ClusterFilesOptions {
  readonly directory: string;
  readonly redisUrl: string;
  readonly replicas: ReadonlyMap<string, ReplicaPorts>;
  readonly agentkProcesses: number;
  readonly agentsPerProcess: number;
  readonly budgets: ReplicaBudgets;
}

/**
 * Writes a throwaway CA and server certificate, one token per agent with the agents file, one user who
 * may reach every agent, the replicas' shared secret, and one kas config per replica (Redis directory,
 * loopback ports (0 until a replica's first run has its own: `writeReplicaConfig`), the given budgets).
 */
export async function writeClusterFiles(options: ClusterFilesOptions): Promise<ClusterFiles> {
  const { directory, budgets } = options;
  const path = (...names: string[]) => join(directory, ...names);
  await mkdir(path('tokens'), { recursive: true, mode: 0o700 });
  const secret = () => randomBytes(24).toString('base64url');
  const { ca, server } = await createDevCertificates();
  const userSecret = secret();
  const agentIdsByProcess = Array.from({ length: options.agentkProcesses }, (_, p) =>
    Array.from({ length: options.agentsPerProcess }, (_, i) => `agent-${p + 1}-${i + 1}`),
  );
  const agentIds = agentIdsByProcess.flat();
  const agentTokens = new Map(agentIds.map((id) => [id, secret()]));
  const files = new Map<string, string>([
    [path('ca.pem'), ca.cert],
    [path('tls.pem'), server.cert],
    [path('tls-key.pem'), server.key],
    [path('private-api.secret'), secret()],
    [
      path('agents.yaml'),
      stringify(agentIds.map((id) => ({ id, tokenSha256: sha256Hex(agentTokens.get(id) as string) }))),
    ],
    [
      path('users.yaml'),
      stringify([{ name: 'demo-user', tokenSha256: sha256Hex(userSecret), agents: agentIds }]),
    ],
  ]);
  for (const [id, token] of agentTokens) files.set(path('tokens', `${id}.token`), token);
  const configPaths = new Map<string, string>();
  for (const [id, ports] of options.replicas) {
    configPaths.set(id, path(`${id}.yaml`));
    files.set(path(`${id}.yaml`), kasConfig(id, ports, options.redisUrl, budgets, path));
  }
  await Promise.all([...files].map(([file, text]) => writeFile(file, text, { mode: 0o600 })));
  return {
    caPem: ca.cert,
    agentIdsByProcess,
    tokenFilePattern: (process) => path('tokens', `agent-${process + 1}-{i}.token`),
    writeReplicaConfig: (id, ports) =>
      writeFile(path(`${id}.yaml`), kasConfig(id, ports, options.redisUrl, budgets, path), { mode: 0o600 }),
    userToken: (agentId) => userToken(agentId, userSecret),
    agentToken: (agentId) => {
      const token = agentTokens.get(agentId);
      if (token === undefined) {
        throw new DemoError(
          'KAS_DEMO_UNKNOWN_AGENT',
          `no agent "${agentId}" in this cluster's agents file`,
          "use one of the cluster's agentIds",
        );
      }
      return token;
    },
    configPaths,
  };
}

function kasConfig(
  id: string,
  ports: ReplicaPorts,
  redisUrl: string,
  budgets: ReplicaBudgets,
  path: (...names: string[]) => string,
): string {
  const listen = (port: number) => `127.0.0.1:${port}`;
  const drainBudget = budgets.drainBudgetMs;
  const keepalive =
    budgets.keepaliveMs === undefined
      ? {}
      : { keepalive: { time: budgets.keepaliveMs, timeout: budgets.keepaliveMs } };
  return stringify({
    replica: { id },
    // drainBudget: kas's default, the drains + 10 s
    agentGrpc: { listen: listen(ports.agentGrpc), agentsFile: path('agents.yaml'), ...keepalive },
    redis: { url: redisUrl },
    kubeProxy: {
      listen: listen(ports.kubeProxy),
      tls: { certFile: path('tls.pem'), keyFile: path('tls-key.pem') },
      usersFile: path('users.yaml'),
      tunnelWait: budgets.tunnelWaitMs,
      listenGrace: budgets.listenGraceMs,
      drainBudget,
    },
    privateApi: {
      listen: listen(ports.privateApi),
      sharedSecretFile: path('private-api.secret'),
      drainBudget,
      ...keepalive,
    },
    observability: { listen: listen(ports.observability), debug: true }, // the live view (demo --web)
  });
}
