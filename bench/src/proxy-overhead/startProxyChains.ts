import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type RedisServer, type RunningProcess, startProcess, startRedis } from '@kas/testkit';
import type { UpstreamReady } from './upstreamObjects.js';
import type { Variant } from './variants.js';
import { type BenchReplica, writeKasFiles } from './writeKasFiles.js';

/** Every process of every variant, running, and where to send each variant's requests. */
export interface ProxyChains {
  readonly upstream: UpstreamReady;
  /** The base URL of each variant's first hop. */
  readonly urls: Readonly<Record<Variant, string>>;
  /** `Bearer <user token>`: every variant's requests carry it (kas checks it; the others pass it on). */
  readonly authorization: string;
  /** Stops every process (kas and agentk gracefully, so their CPU profiles are written) and cleans up. */
  stop(): Promise<void>;
}

/** Options of `startProxyChains`. */
export interface ProxyChainsOptions {
  /** Also start the HTTPS variants. */
  readonly withHttps: boolean;
  /**
   * When set, the processes of (b), (c) and (d) write `--cpu-prof` profiles into subdirectories of it:
   * `kas-a`, `kas-b`, `agentk`, `hop-1`, `hop-2`.
   */
  readonly profileDirectory?: string;
}

const JITI_REGISTER = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('jiti/package.json')), 'lib', 'jiti-register.mjs'),
).href;
const KAS_MAIN = fileURLToPath(new URL('../../../apps/kas/dist/main.js', import.meta.url));
const AGENTK_MAIN = fileURLToPath(new URL('../../../apps/agentk/dist/cli/main.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

/**
 * Starts the processes of the benchmark, each its own Node process on 127.0.0.1:
 * - the upstream (fake Kubernetes API), shared by every variant;
 * - (b) kas replica A (plain-HTTP kube proxy) and agentk connected to it;
 * - (c) kas replica B, sharing A's tunnel directory in a Redis server started for the run: B has no
 *   tunnel of the agent and forwards to A through the private API;
 * - (d) two plain node:http hops, hop 1 in front of hop 2 in front of the upstream;
 * - with HTTPS, replica C (TLS kube proxy, in-memory directory) with an agentk of its own, and a TLS hop
 *   in front of a plain hop.
 */
export async function startProxyChains(options: ProxyChainsOptions): Promise<ProxyChains> {
  const started: RunningProcess[] = [];
  const directory = await mkdtemp(join(tmpdir(), 'kas-bench-proxy-'));
  let redis: RedisServer | undefined;
  const stop = async () => {
    for (const child of started.reverse()) await child.stop(10_000);
    await redis?.stop();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const track = (child: RunningProcess) => {
      started.push(child);
      return child;
    };
    const upstreamProcess = track(startScript('upstreamProcess.ts', [], []));
    const upstream = (await readyLine(upstreamProcess)) as unknown as UpstreamReady;
    redis = await startRedis();
    const replicas: BenchReplica[] = [
      { id: 'a', isTls: false, redisUrl: redis.url },
      { id: 'b', isTls: false, redisUrl: redis.url },
      ...(options.withHttps ? [{ id: 'c', isTls: true }] : []),
    ];
    const files = await writeKasFiles(directory, replicas);
    const profile = (name: string) =>
      options.profileDirectory === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDirectory, name)}`];
    const kas = await Promise.all(
      replicas.map(async (replica) => {
        const child = track(
          startProcess(process.execPath, [
            ...profile(`kas-${replica.id}`),
            KAS_MAIN,
            '--config',
            files.configs[replica.id] as string,
          ]),
        );
        await child.waitForLog({ event: 'app.started' }, START_TIMEOUT_MS);
        return { child, ...kasAddresses(child) };
      }),
    );
    const startAgentk = async (kasGrpc: string, profileName: string) => {
      const child = track(
        startProcess(process.execPath, [
          ...profile(profileName),
          AGENTK_MAIN,
          '--kas',
          kasGrpc,
          '--token-file',
          files.agentTokenFile,
          '--kube-api',
          upstream.url,
        ]),
      );
      await child.waitForLog({ event: 'tunnels.ready' }, START_TIMEOUT_MS);
    };
    const [kasA, kasB, kasC] = kas as [(typeof kas)[0], (typeof kas)[0], (typeof kas)[0] | undefined];
    await startAgentk(kasA.grpcAddress, 'agentk');
    if (kasC !== undefined) await startAgentk(kasC.grpcAddress, 'agentk-c');

    const startHop = async (target: string, isTls: boolean, profileName?: string) => {
      const args = [target, ...(isTls ? [directory] : [])];
      const child = track(startScript('httpHopProcess.ts', args, profileName ? profile(profileName) : []));
      return String((await readyLine(child)).url);
    };
    const hop1 = await startHop(await startHop(upstream.url, false, 'hop-2'), false, 'hop-1');
    const httpsHop1 = options.withHttps ? await startHop(await startHop(upstream.url, false), true) : '';

    const authorization = `Bearer ${files.userToken}`;
    const urls: Record<Variant, string> = {
      a: upstream.url,
      b: kasA.proxyUrl,
      c: kasB.proxyUrl,
      d: hop1,
      'b-https': kasC?.proxyUrl ?? '',
      'd-https': httpsHop1,
    };
    // B learns that A holds the agent from the directory; its first requests may still wait for it.
    await waitForAnswer(`${urls.c}${upstream.paths.small}`, authorization);
    return { upstream, urls, authorization, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function startScript(name: string, args: readonly string[], nodeArgs: readonly string[]): RunningProcess {
  const script = fileURLToPath(new URL(`./${name}`, import.meta.url));
  return startProcess(process.execPath, [...nodeArgs, '--import', JITI_REGISTER, script, ...args]);
}

async function readyLine(child: RunningProcess): Promise<Readonly<Record<string, unknown>>> {
  const line = await child.waitForLine((candidate) => candidate.json?.type === 'ready', START_TIMEOUT_MS);
  return line.json ?? {};
}

function kasAddresses(child: RunningProcess): { grpcAddress: string; proxyUrl: string } {
  const logs = child.logs();
  const grpc = logs.find((line) => line.event === 'grpc.listening');
  const proxy = logs.find((line) => line.event === 'kubeProxy.listening');
  if (typeof grpc?.address !== 'string' || typeof proxy?.url !== 'string') {
    throw new Error('kas started without logging grpc.listening and kubeProxy.listening');
  }
  return { grpcAddress: grpc.address, proxyUrl: proxy.url };
}

async function waitForAnswer(url: string, authorization: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { headers: { authorization } });
      await response.arrayBuffer();
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not answer 200 within ${START_TIMEOUT_MS}ms (last: ${last})`);
}
