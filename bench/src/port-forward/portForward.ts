import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeKubeconfig } from '@kas/fake-kube-api';
import { type RunningProcess, spawnKubectl, startProcess } from '@kas/testkit';
import type { Benchmark, BenchmarkRow } from '../Benchmark.js';
import { median } from '../floors/median.js';
import { writeKasFiles } from '../proxy-overhead/writeKasFiles.js';
import { processCpuMs } from '../shutdown-reaction/processCpuMs.js';
import { measureExecRoundTrips } from './measureExecRoundTrips.js';
import { measureTransfer } from './measureTransfer.js';

const TRANSFER_BYTES = 100 * 1024 * 1024;
type PathName = 'direct' | 'kubectlDirect' | 'webSocket' | 'runtimeDefaults' | 'baselineWebSocket' | 'spdy';
const PATH_LABELS: Readonly<Record<PathName, string>> = {
  direct: 'straight to the pod service',
  kubectlDirect: 'kubectl port-forward straight to the fake API (WebSocket)',
  webSocket: 'kubectl port-forward via kas (WebSocket)',
  runtimeDefaults: "kubectl port-forward via kas, Node's and glibc's defaults (WebSocket)",
  baselineWebSocket: 'kubectl port-forward via kas, baseline build (WebSocket)',
  spdy: 'kubectl port-forward via kas (SPDY)',
};
/** The root of another built checkout of kas: its kas and agentk run beside this build's (`BENCH_KAS_BASELINE`). */
const BASELINE_ROOT = process.env.BENCH_KAS_BASELINE;
const THIS_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ROUNDS = 3;
const ROUND_TRIPS = 50;
const GOAL_RATIO = 0.5;
const START_TIMEOUT_MS = 30_000;
const SPDY = { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false', KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
/** How an image runs its process: the glibc malloc settings it sets and the options it gives node. */
interface ImageRuntime {
  readonly env: Readonly<Record<string, string>>;
  readonly nodeOptions: readonly string[];
}
/**
 * The runtime settings the images give kas and agentk (`ENV MALLOC_...` and the node options of the
 * `ENTRYPOINT` in deploy/image/*.Dockerfile): this build's kas and agentk run with them, as in production,
 * and a second pair without them.
 */
function imageRuntime(dockerfile: string): ImageRuntime {
  const text = readFileSync(join(THIS_ROOT, 'deploy/image', dockerfile), 'utf8');
  const entrypoint = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(text)?.[1] ?? '[]') as string[];
  const [, ...args] = entrypoint;
  return {
    env: Object.fromEntries(
      [...text.matchAll(/^ENV (MALLOC_[A-Z_]+)=(\S+)$/gm)].map((match) => [
        match[1] as string,
        match[2] as string,
      ]),
    ),
    nodeOptions: args.slice(
      0,
      Math.max(
        0,
        args.findIndex((arg) => !arg.startsWith('--')),
      ),
    ),
  };
}
const NO_RUNTIME_SETTINGS: ImageRuntime = { env: {}, nodeOptions: [] };
/** The node that runs kas and agentk (`BENCH_KAS_NODE`, e.g. the images' Node 22), by default this one. */
const KAS_NODE = process.env.BENCH_KAS_NODE ?? process.execPath;
const JITI_REGISTER = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('jiti/package.json')), 'lib', 'jiti-register.mjs'),
).href;

/**
 * `kubectl port-forward` and `kubectl exec` through kas against the same straight to the fake pod: a
 * 100 MiB download from the pod's HTTP service, straight to it and through a port-forward via kas (kas
 * and agentk as processes of their own, kubectl 1.32 with its WebSocket default and with SPDY), rounds
 * interleaved; then echo round trips through an interactive `kubectl exec -i` via kas and straight to
 * the fake API.
 */
export const portForward: Benchmark = {
  name: 'port-forward',
  description:
    '100 MiB through kubectl port-forward via kas vs straight to the pod service; exec round trips',
  async run() {
    const directory = await mkdtemp(join(tmpdir(), 'kas-bench-port-forward-'));
    const started: RunningProcess[] = [];
    const track = (child: RunningProcess) => {
      started.push(child);
      return child;
    };
    try {
      const upstream = track(
        startProcess(process.execPath, [
          '--import',
          JITI_REGISTER,
          fileURLToPath(new URL('./podUpstreamProcess.ts', import.meta.url)),
        ]),
      );
      const ready =
        (await upstream.waitForLine((line) => line.json?.type === 'ready', START_TIMEOUT_MS)).json ?? {};
      const apiUrl = String(ready.url);
      const servicePort = Number(ready.servicePort);
      const files = await writeKasFiles(directory, [
        { id: 'pf', isTls: true },
        { id: 'pfm', isTls: true },
        ...(BASELINE_ROOT === undefined ? [] : [{ id: 'pf0', isTls: true }]),
      ]);
      /** kas (TLS kube proxy) and agentk of one build, and a kubeconfig that reaches the agent through them. */
      const startKasAndAgent = async (root: string, id: string, withImageRuntime = true) => {
        const kasRuntime = withImageRuntime ? imageRuntime('kas.Dockerfile') : NO_RUNTIME_SETTINGS;
        const agentkRuntime = withImageRuntime ? imageRuntime('agentk.Dockerfile') : NO_RUNTIME_SETTINGS;
        const kas = track(
          startProcess(
            KAS_NODE,
            [
              ...kasRuntime.nodeOptions,
              join(root, 'apps/kas/dist/main.js'),
              '--config',
              files.configs[id] as string,
            ],
            { env: kasRuntime.env },
          ),
        );
        await kas.waitForLog({ event: 'app.started' }, START_TIMEOUT_MS);
        const logs = kas.logs();
        const grpc = String(logs.find((line) => line.event === 'grpc.listening')?.address);
        const proxyUrl = String(logs.find((line) => line.event === 'kubeProxy.listening')?.url);
        const agentk = track(
          startProcess(
            KAS_NODE,
            [
              ...agentkRuntime.nodeOptions,
              join(root, 'apps/agentk/dist/cli/main.js'),
              '--kas',
              grpc,
              '--token-file',
              files.agentTokenFile,
              '--kube-api',
              apiUrl,
            ],
            { env: agentkRuntime.env },
          ),
        );
        await agentk.waitForLog({ event: 'tunnels.ready' }, START_TIMEOUT_MS);
        const kubeconfig = await writeKubeconfig({
          path: join(directory, `via-${id}.kubeconfig`),
          server: proxyUrl,
          caPem: files.caPem,
          token: files.userToken,
        });
        return { kasPid: kas.pid, agentkPid: agentk.pid, kubeconfig };
      };
      const current = await startKasAndAgent(THIS_ROOT, 'pf');
      const runtimeDefaults = await startKasAndAgent(THIS_ROOT, 'pfm', false);
      const baseline = BASELINE_ROOT === undefined ? undefined : await startKasAndAgent(BASELINE_ROOT, 'pf0');
      const viaKas = current.kubeconfig;
      const direct = await writeKubeconfig({ path: join(directory, 'direct.kubeconfig'), server: apiUrl });

      const kubectlPids: Partial<Record<PathName, number>> = {};
      const forwardPort = async (
        path: PathName,
        env: Readonly<Record<string, string>>,
        kubeconfig: string,
      ) => {
        const child = track(
          spawnKubectl(directory, kubeconfig, ['port-forward', 'pod/web-0', ':80'], { env }),
        );
        const line = await child.waitForLine(
          (candidate) => candidate.text.startsWith('Forwarding from 127.0.0.1:'),
          START_TIMEOUT_MS,
        );
        kubectlPids[path] = child.pid;
        return Number(/127\.0\.0\.1:(\d+)/.exec(line.text)?.[1]);
      };
      const paths: Partial<Record<PathName, number>> = {
        direct: servicePort,
        kubectlDirect: await forwardPort('kubectlDirect', {}, direct),
        webSocket: await forwardPort('webSocket', {}, viaKas),
        runtimeDefaults: await forwardPort('runtimeDefaults', {}, runtimeDefaults.kubeconfig),
        ...(baseline === undefined
          ? {}
          : { baselineWebSocket: await forwardPort('baselineWebSocket', {}, baseline.kubeconfig) }),
        spdy: await forwardPort('spdy', SPDY, viaKas),
      };
      const measured = Object.keys(paths) as PathName[];
      // CPU time of each process a path's bytes pass through, per MiB moved (/proc, 10 ms resolution: a
      // 100 MiB transfer takes hundreds of ms of each): robust where throughput depends on what else runs.
      const processesOf = (path: PathName): Record<string, number> => ({
        'fake API': upstream.pid,
        ...(path === 'webSocket' || path === 'spdy'
          ? { kas: current.kasPid, agentk: current.agentkPid }
          : {}),
        ...(path === 'runtimeDefaults'
          ? { kas: runtimeDefaults.kasPid, agentk: runtimeDefaults.agentkPid }
          : {}),
        ...(path === 'baselineWebSocket' && baseline !== undefined
          ? { kas: baseline.kasPid, agentk: baseline.agentkPid }
          : {}),
        ...(kubectlPids[path] === undefined ? {} : { kubectl: kubectlPids[path] as number }),
        'bench client': process.pid,
      });
      const cpuMsPerMiB: Partial<Record<PathName, Record<string, number[]>>> = {};
      // Warm-up: one small transfer each way, so the first measured round pays no connection set-up.
      for (const port of Object.values(paths)) await measureTransfer(port, 1024 * 1024);

      const seconds: Partial<Record<PathName, number[]>> = {};
      const ratios: Partial<Record<PathName, number[]>> = {};
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? measured : [...measured].reverse();
        const times: Partial<Record<PathName, number>> = {};
        for (const path of order) {
          const processes = Object.entries(processesOf(path));
          const before = processes.map(([, pid]) => processCpuMs(pid) ?? Number.NaN);
          times[path] = (await measureTransfer(paths[path] as number, TRANSFER_BYTES)).seconds;
          append(seconds, path, times[path] as number);
          const cpu = cpuMsPerMiB[path] ?? {};
          cpuMsPerMiB[path] = cpu;
          processes.forEach(([name, pid], index) => {
            const used = (processCpuMs(pid) ?? Number.NaN) - (before[index] as number);
            append(cpu, name, used / (TRANSFER_BYTES / 1024 / 1024));
          });
        }
        for (const path of measured) append(ratios, path, (times.direct as number) / (times[path] as number));
      }

      // Resident memory once the transfers are done: what the images' settings (memory kept for reuse) cost.
      const residentMiB = (pid: number) => {
        const kib = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        return kib === undefined ? 'unknown' : `${(Number(kib) / 1024).toFixed(0)} MiB`;
      };
      const resident = [
        `kas ${residentMiB(current.kasPid)} (defaults ${residentMiB(runtimeDefaults.kasPid)})`,
        `agentk ${residentMiB(current.agentkPid)} (defaults ${residentMiB(runtimeDefaults.agentkPid)})`,
      ].join(', ');

      const execRoundTrips = async (kubeconfig: string, env: Readonly<Record<string, string>>) => {
        const session = track(
          spawnKubectl(directory, kubeconfig, ['exec', '-i', 'web-0', '--', 'cat'], { env, stdin: 'pipe' }),
        );
        await measureExecRoundTrips(session, 5); // warm-up
        const durations = await measureExecRoundTrips(session, ROUND_TRIPS);
        session.child.stdin?.end();
        await session.exited;
        return durations;
      };
      const latencies = {
        direct: await execRoundTrips(direct, {}),
        viaKas: await execRoundTrips(viaKas, {}),
        viaKasSpdy: await execRoundTrips(viaKas, SPDY),
      };

      const cpuColumn = (path: PathName) => {
        const byProcess = Object.entries(cpuMsPerMiB[path] ?? {}).map(
          ([name, values]) => [name, median(values)] as const,
        );
        const total = byProcess.reduce((sum, [, value]) => sum + value, 0);
        return `${byProcess.map(([name, value]) => `${name} ${value.toFixed(2)}`).join(', ')} (total ${total.toFixed(2)})`;
      };
      const rows: BenchmarkRow[] = [
        ...measured.map((path) => ({
          path: PATH_LABELS[path],
          'MiB/s (median)': (TRANSFER_BYTES / 1024 / 1024 / median(seconds[path] ?? [])).toFixed(1),
          'kas / direct': median(ratios[path] ?? []).toFixed(2),
          'exec round trip p50 ms': '',
          'CPU ms per MiB, by process (medians)': cpuColumn(path),
        })),
        ...(
          [
            ['kubectl exec -i, straight to the fake API', latencies.direct],
            ['kubectl exec -i via kas (WebSocket)', latencies.viaKas],
            ['kubectl exec -i via kas (SPDY)', latencies.viaKasSpdy],
          ] as const
        ).map(([path, values]) => ({
          path,
          'MiB/s (median)': '',
          'kas / direct': '',
          'exec round trip p50 ms': median(values).toFixed(2),
          'CPU ms per MiB, by process (medians)': '',
        })),
      ];
      const webSocketRatio = median(ratios.webSocket ?? []);
      const kubectlRatio = median(ratios.kubectlDirect ?? []);
      return {
        columns: [
          'path',
          'MiB/s (median)',
          'kas / direct',
          'exec round trip p50 ms',
          'CPU ms per MiB, by process (medians)',
        ],
        rows,
        notes: [
          `${ROUNDS} rounds of a ${TRANSFER_BYTES / 1024 / 1024} MiB download each way, interleaved (order reversed every other round); "kas / direct" is the median of the per-round throughput ratios.`,
          `goal: through kas >= ${GOAL_RATIO} of direct for 100 MiB (WebSocket default): ${webSocketRatio >= GOAL_RATIO ? 'met' : 'not met'} (${webSocketRatio.toFixed(2)}); kubectl port-forward without kas reached ${kubectlRatio.toFixed(2)} of direct in the same rounds, so through kas is ${(webSocketRatio / kubectlRatio).toFixed(2)} of what kubectl and the fake API's port-forward allow.`,
          `this build's kas and agentk run with the runtime settings their images set (${describeRuntime(
            imageRuntime('kas.Dockerfile'),
          )}), on ${KAS_NODE === process.execPath ? `this node (${process.version})` : `${KAS_NODE} (BENCH_KAS_NODE)`}; "Node's and glibc's defaults" is a second pair of them without those settings, in the same rounds; resident memory after the transfers: ${resident}.`,
          ...(BASELINE_ROOT === undefined
            ? []
            : [
                `baseline: kas and agentk of the build at ${BASELINE_ROOT} (BENCH_KAS_BASELINE), in the same rounds.`,
              ]),
          `exec: ${ROUND_TRIPS} line echoes through one interactive \`kubectl exec -i web-0 -- cat\` after 5 warm-up ones; the straight path is kubectl to the fake API over plain HTTP (no TLS), via kas is kubectl -> kas (TLS) -> agentk -> fake API.`,
          'every process (fake API, kas, agentk, kubectl) on this machine, on loopback: they share its cores.',
        ],
      };
    } finally {
      for (const child of started.reverse()) await child.stop(10_000);
      await rm(directory, { recursive: true, force: true });
    }
  },
};

function describeRuntime(runtime: ImageRuntime): string {
  const settings = [
    ...Object.entries(runtime.env).map(([name, value]) => `${name}=${value}`),
    ...runtime.nodeOptions.map((option) => `node ${option}`),
  ];
  return settings.join(', ') || 'none';
}

function append<K extends string>(lists: Partial<Record<K, number[]>>, key: K, value: number): void {
  const list = lists[key] ?? [];
  list.push(value);
  lists[key] = list;
}
