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
  /** The base URL of each started variant's first hop. */
  readonly urls: Readonly<Partial<Record<Variant, string>>>;
  /** `Bearer <user token>`: every variant's requests carry it (kas checks it; the others pass it on). */
  readonly authorization: string;
  /** The pid of each process of (b), (c), (d), (e) and the baseline's, by name (`kas-a`, `agentk`, `hop-1`, ...). */
  readonly pids: Readonly<Record<string, number>>;
  /** Stops every process (kas and agentk gracefully, so their CPU profiles are written) and cleans up. */
  stop(): Promise<void>;
}

/** Options of `startProxyChains`. */
export interface ProxyChainsOptions {
  /** Also start the HTTPS variants. */
  readonly withHttps: boolean;
  /**
   * The root of another checkout of kas, built (`apps/kas/dist`, `apps/agentk/dist`): its replicas A and
   * B and its agentk run beside this build's, on a Redis of their own, as variants `b0` and `c0`.
   */
  readonly baselineRoot?: string;
  /**
   * When set, the processes of (b), (c), (d) and (e) write `--cpu-prof` profiles into subdirectories of
   * it: `kas-a`, `kas-b`, `agentk`, `hop-1`, `hop-2`, `hop3-1`, `hop3-2`, `hop3-3`.
   */
  readonly profileDirectory?: string;
}

const JITI_REGISTER = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('jiti/package.json')), 'lib', 'jiti-register.mjs'),
).href;
const THIS_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const kasMain = (root: string) => join(root, 'apps/kas/dist/main.js');
const agentkMain = (root: string) => join(root, 'apps/agentk/dist/cli/main.js');
const START_TIMEOUT_MS = 120_000;

/**
 * Starts the processes of the benchmark, each its own Node process on 127.0.0.1:
 * - the upstream (fake Kubernetes API), shared by every variant;
 * - (b) kas replica A (plain-HTTP kube proxy) and agentk connected to it;
 * - (c) kas replica B, sharing A's tunnel directory in a Redis server started for the run: B has no
 *   tunnel of the agent and forwards to A through the private API;
 * - (d) two plain node:http hops, hop 1 in front of hop 2 in front of the upstream;
 * - (e) three plain node:http hops: as many processes as (c) has (kas B, kas A, agentk);
 * - with HTTPS, replica C (TLS kube proxy, in-memory directory) with an agentk of its own, and a TLS hop
 *   in front of a plain hop;
 * - with a baseline, (b0) and (c0): the same as (b) and (c) from the baseline's build.
 */
export async function startProxyChains(options: ProxyChainsOptions): Promise<ProxyChains> {
  const started: RunningProcess[] = [];
  const directory = await mkdtemp(join(tmpdir(), 'kas-bench-proxy-'));
  const redisServers: RedisServer[] = [];
  const stop = async () => {
    for (const child of started.reverse()) await child.stop(10_000);
    for (const redis of redisServers) await redis.stop();
    await rm(directory, { recursive: true, force: true });
  };
  try {
    const track = (child: RunningProcess) => {
      started.push(child);
      return child;
    };
    const pids: Record<string, number> = {};
    const upstreamProcess = track(startScript('upstreamProcess.ts', [], []));
    const upstream = (await readyLine(upstreamProcess)) as unknown as UpstreamReady;
    const redis = await startRedis();
    redisServers.push(redis);
    const baselineRedis = options.baselineRoot === undefined ? undefined : await startRedis();
    if (baselineRedis !== undefined) redisServers.push(baselineRedis);
    const replicas: (BenchReplica & { readonly root: string })[] = [
      { id: 'a', isTls: false, redisUrl: redis.url, root: THIS_ROOT },
      { id: 'b', isTls: false, redisUrl: redis.url, root: THIS_ROOT },
      ...(options.withHttps ? [{ id: 'c', isTls: true, root: THIS_ROOT }] : []),
      ...(baselineRedis === undefined || options.baselineRoot === undefined
        ? []
        : [
            { id: 'a0', isTls: false, redisUrl: baselineRedis.url, root: options.baselineRoot },
            { id: 'b0', isTls: false, redisUrl: baselineRedis.url, root: options.baselineRoot },
          ]),
    ];
    const files = await writeKasFiles(directory, replicas);
    const profile = (name: string) =>
      options.profileDirectory === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${join(options.profileDirectory, name)}`];
    const kas = new Map<string, { grpcAddress: string; proxyUrl: string }>();
    await Promise.all(
      replicas.map(async (replica) => {
        const name = `kas-${replica.id}`;
        const child = track(
          startProcess(process.execPath, [
            ...profile(name),
            kasMain(replica.root),
            '--config',
            files.configs[replica.id] as string,
          ]),
        );
        await child.waitForLog({ event: 'app.started' }, START_TIMEOUT_MS);
        pids[name] = child.pid;
        kas.set(replica.id, kasAddresses(child));
      }),
    );
    const kasOf = (id: string) => kas.get(id) as { grpcAddress: string; proxyUrl: string };
    const startAgentk = async (root: string, kasGrpc: string, name: string) => {
      const child = track(
        startProcess(process.execPath, [
          ...profile(name),
          agentkMain(root),
          '--kas',
          kasGrpc,
          '--token-file',
          files.agentTokenFile,
          '--kube-api',
          upstream.url,
        ]),
      );
      await child.waitForLog({ event: 'tunnels.ready' }, START_TIMEOUT_MS);
      pids[name] = child.pid;
    };
    await startAgentk(THIS_ROOT, kasOf('a').grpcAddress, 'agentk');
    if (options.withHttps) await startAgentk(THIS_ROOT, kasOf('c').grpcAddress, 'agentk-c');
    if (options.baselineRoot !== undefined)
      await startAgentk(options.baselineRoot, kasOf('a0').grpcAddress, 'agentk-0');

    const startHop = async (target: string, isTls: boolean, profileName?: string) => {
      const args = [target, ...(isTls ? [directory] : [])];
      const child = track(startScript('httpHopProcess.ts', args, profileName ? profile(profileName) : []));
      const url = String((await readyLine(child)).url);
      if (profileName !== undefined) pids[profileName] = child.pid;
      return url;
    };
    const twoHops = await startHop(await startHop(upstream.url, false, 'hop-2'), false, 'hop-1');
    const threeHops = await startHop(
      await startHop(await startHop(upstream.url, false, 'hop3-3'), false, 'hop3-2'),
      false,
      'hop3-1',
    );
    const httpsHop1 = options.withHttps ? await startHop(await startHop(upstream.url, false), true) : '';

    const authorization = `Bearer ${files.userToken}`;
    const urls: Partial<Record<Variant, string>> = {
      a: upstream.url,
      b: kasOf('a').proxyUrl,
      c: kasOf('b').proxyUrl,
      d: twoHops,
      e: threeHops,
      ...(options.withHttps ? { 'b-https': kasOf('c').proxyUrl, 'd-https': httpsHop1 } : {}),
      ...(options.baselineRoot === undefined ? {} : { b0: kasOf('a0').proxyUrl, c0: kasOf('b0').proxyUrl }),
    };
    // B learns that A holds the agent from the directory; its first requests may still wait for it.
    await waitForAnswer(`${urls.c}${upstream.paths.small}`, authorization);
    if (urls.c0 !== undefined) await waitForAnswer(`${urls.c0}${upstream.paths.small}`, authorization);
    return { upstream, urls, authorization, pids, stop };
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
