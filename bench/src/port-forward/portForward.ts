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
import { measureExecRoundTrips } from './measureExecRoundTrips.js';
import { measureTransfer } from './measureTransfer.js';

const TRANSFER_BYTES = 100 * 1024 * 1024;
const ROUNDS = 3;
const ROUND_TRIPS = 50;
const GOAL_RATIO = 0.5;
const START_TIMEOUT_MS = 30_000;
const SPDY = { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false', KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };
const JITI_REGISTER = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve('jiti/package.json')), 'lib', 'jiti-register.mjs'),
).href;
const KAS_MAIN = fileURLToPath(new URL('../../../apps/kas/dist/main.js', import.meta.url));
const AGENTK_MAIN = fileURLToPath(new URL('../../../apps/agentk/dist/cli/main.js', import.meta.url));

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
      const files = await writeKasFiles(directory, [{ id: 'pf', isTls: true }]);
      const kas = track(startProcess(process.execPath, [KAS_MAIN, '--config', files.configs.pf as string]));
      await kas.waitForLog({ event: 'app.started' }, START_TIMEOUT_MS);
      const logs = kas.logs();
      const grpc = String(logs.find((line) => line.event === 'grpc.listening')?.address);
      const proxyUrl = String(logs.find((line) => line.event === 'kubeProxy.listening')?.url);
      const agentk = track(
        startProcess(process.execPath, [
          AGENTK_MAIN,
          '--kas',
          grpc,
          '--token-file',
          files.agentTokenFile,
          '--kube-api',
          apiUrl,
        ]),
      );
      await agentk.waitForLog({ event: 'tunnels.ready' }, START_TIMEOUT_MS);
      const viaKas = await writeKubeconfig({
        path: join(directory, 'via-kas.kubeconfig'),
        server: proxyUrl,
        caPem: files.caPem,
        token: files.userToken,
      });
      const direct = await writeKubeconfig({ path: join(directory, 'direct.kubeconfig'), server: apiUrl });

      const forwardPort = async (env: Readonly<Record<string, string>>, kubeconfig = viaKas) => {
        const child = track(
          spawnKubectl(directory, kubeconfig, ['port-forward', 'pod/web-0', ':80'], { env }),
        );
        const line = await child.waitForLine(
          (candidate) => candidate.text.startsWith('Forwarding from 127.0.0.1:'),
          START_TIMEOUT_MS,
        );
        return Number(/127\.0\.0\.1:(\d+)/.exec(line.text)?.[1]);
      };
      const paths = {
        direct: servicePort,
        kubectlDirect: await forwardPort({}, direct),
        webSocket: await forwardPort({}),
        spdy: await forwardPort(SPDY),
      };
      // Warm-up: one small transfer each way, so the first measured round pays no connection set-up.
      for (const port of Object.values(paths)) await measureTransfer(port, 1024 * 1024);

      const seconds: Record<keyof typeof paths, number[]> = {
        direct: [],
        kubectlDirect: [],
        webSocket: [],
        spdy: [],
      };
      const ratios: Record<'kubectlDirect' | 'webSocket' | 'spdy', number[]> = {
        kubectlDirect: [],
        webSocket: [],
        spdy: [],
      };
      for (let round = 0; round < ROUNDS; round++) {
        const order = (['direct', 'kubectlDirect', 'webSocket', 'spdy'] as const).slice();
        if (round % 2 === 1) order.reverse();
        const times: Partial<Record<keyof typeof paths, number>> = {};
        for (const path of order) {
          times[path] = (await measureTransfer(paths[path], TRANSFER_BYTES)).seconds;
          seconds[path].push(times[path] as number);
        }
        ratios.kubectlDirect.push((times.direct as number) / (times.kubectlDirect as number));
        ratios.webSocket.push((times.direct as number) / (times.webSocket as number));
        ratios.spdy.push((times.direct as number) / (times.spdy as number));
      }

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

      const mibPerSecond = (values: readonly number[]) =>
        (TRANSFER_BYTES / 1024 / 1024 / median(values)).toFixed(1);
      const rows: BenchmarkRow[] = [
        {
          path: 'straight to the pod service',
          'MiB/s (median)': mibPerSecond(seconds.direct),
          'kas / direct': '1.00',
          'exec round trip p50 ms': '',
        },
        {
          path: 'kubectl port-forward straight to the fake API (WebSocket)',
          'MiB/s (median)': mibPerSecond(seconds.kubectlDirect),
          'kas / direct': median(ratios.kubectlDirect).toFixed(2),
          'exec round trip p50 ms': '',
        },
        {
          path: 'kubectl port-forward via kas (WebSocket)',
          'MiB/s (median)': mibPerSecond(seconds.webSocket),
          'kas / direct': median(ratios.webSocket).toFixed(2),
          'exec round trip p50 ms': '',
        },
        {
          path: 'kubectl port-forward via kas (SPDY)',
          'MiB/s (median)': mibPerSecond(seconds.spdy),
          'kas / direct': median(ratios.spdy).toFixed(2),
          'exec round trip p50 ms': '',
        },
        {
          path: 'kubectl exec -i, straight to the fake API',
          'MiB/s (median)': '',
          'kas / direct': '',
          'exec round trip p50 ms': median(latencies.direct).toFixed(2),
        },
        {
          path: 'kubectl exec -i via kas (WebSocket)',
          'MiB/s (median)': '',
          'kas / direct': '',
          'exec round trip p50 ms': median(latencies.viaKas).toFixed(2),
        },
        {
          path: 'kubectl exec -i via kas (SPDY)',
          'MiB/s (median)': '',
          'kas / direct': '',
          'exec round trip p50 ms': median(latencies.viaKasSpdy).toFixed(2),
        },
      ];
      const webSocketRatio = median(ratios.webSocket);
      return {
        columns: ['path', 'MiB/s (median)', 'kas / direct', 'exec round trip p50 ms'],
        rows,
        notes: [
          `${ROUNDS} rounds of a ${TRANSFER_BYTES / 1024 / 1024} MiB download each way, interleaved (order reversed every other round); "kas / direct" is the median of the per-round throughput ratios.`,
          `goal: through kas >= ${GOAL_RATIO} of direct for 100 MiB (WebSocket default): ${webSocketRatio >= GOAL_RATIO ? 'met' : 'not met'} (${webSocketRatio.toFixed(2)}).`,
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
