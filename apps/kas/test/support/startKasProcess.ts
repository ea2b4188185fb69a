import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDevCertificates } from '@kas/dev-certificates';
import { sha256Hex } from '@kas/module-agent-grpc';
import { userToken } from '@kas/module-kube-proxy';
import { freePort, type RunningProcess, startProcess } from '@kas/testkit';
import { stringify } from 'yaml';

/** kas's built entry point; `npm test` builds it first. */
export const KAS_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** The loopback ports one kas process listens on. */
export interface KasPorts {
  readonly agentGrpc: number;
  readonly kubeProxy: number;
  readonly privateApi: number;
  readonly observability: number;
}

/** A kas process started by `startKasProcess`, with what a client needs to reach it. */
export interface KasProcess {
  readonly process: RunningProcess;
  readonly ports: KasPorts;
  readonly caPem: string;
  /** The one agent the agents file lists. */
  readonly agentId: string;
  readonly agentToken: string;
  /** The kube proxy token of the one user, for that agent. */
  readonly userToken: string;
  /** The private API's shared secret. */
  readonly sharedSecret: string;
  /** Stops the process (SIGTERM, then SIGKILL) if it still runs, and removes its files. */
  stop(): Promise<void>;
}

/** How `startKasProcess` configures kas; every key is merged over the test's defaults. */
export interface KasProcessOptions {
  /** Config sections merged over the defaults (one level deep: `{ kubeProxy: { listenGrace: 100 } }`). */
  readonly config?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** `redis.url`; default: none (the in-memory directory). */
  readonly redisUrl?: string;
  /** Resolve once kas logged `app.started` (default), or as soon as the process runs. */
  readonly waitFor?: 'started' | 'spawned';
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Writes a throwaway CA and certificate, one agent, one user and the shared secret, and runs
 * `node apps/kas/dist/main.js --config <file>` on free loopback ports.
 */
export async function startKasProcess(options: KasProcessOptions = {}): Promise<KasProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'kas-process-'));
  const path = (name: string) => join(dir, name);
  const { ca, server } = await createDevCertificates();
  const [agentToken, userSecret, sharedSecret] = [0, 0, 0].map(() =>
    randomBytes(24).toString('base64url'),
  ) as [string, string, string];
  const agentId = 'agent-1';
  const ports: KasPorts = {
    agentGrpc: await freePort(),
    kubeProxy: await freePort(),
    privateApi: await freePort(),
    observability: await freePort(),
  };
  const listen = (port: number) => `127.0.0.1:${port}`;
  const sections = options.config ?? {};
  const config = {
    replica: { id: 'kas-test' },
    ...(options.redisUrl === undefined ? {} : { redis: { url: options.redisUrl } }),
    ...sections,
    agentGrpc: { listen: listen(ports.agentGrpc), agentsFile: path('agents.yaml'), ...sections.agentGrpc },
    kubeProxy: {
      listen: listen(ports.kubeProxy),
      tls: { certFile: path('tls.pem'), keyFile: path('tls-key.pem') },
      usersFile: path('users.yaml'),
      ...sections.kubeProxy,
    },
    privateApi: {
      listen: listen(ports.privateApi),
      sharedSecretFile: path('private-api.secret'),
      ...sections.privateApi,
    },
    observability: { listen: listen(ports.observability), ...sections.observability },
  };
  const files: [string, string][] = [
    ['tls.pem', server.cert],
    ['tls-key.pem', server.key],
    ['private-api.secret', sharedSecret],
    ['agents.yaml', stringify([{ id: agentId, tokenSha256: sha256Hex(agentToken) }])],
    ['users.yaml', stringify([{ name: 'test-user', tokenSha256: sha256Hex(userSecret), agents: [agentId] }])],
    ['kas.yaml', stringify(config)],
  ];
  await Promise.all(files.map(([name, text]) => writeFile(path(name), text, { mode: 0o600 })));
  const child = startProcess(process.execPath, [KAS_MAIN, '--config', path('kas.yaml')], {
    env: options.env,
  });
  const stop = async () => {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if ((options.waitFor ?? 'started') === 'started')
      await child.waitForLog({ event: 'app.started' }, 30_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    process: child,
    ports,
    caPem: ca.cert,
    agentId,
    agentToken,
    userToken: userToken(agentId, userSecret),
    sharedSecret,
    stop,
  };
}
