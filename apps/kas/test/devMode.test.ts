import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, type RunningProcess, startProcess } from '@kas/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { startDevKas } from './support/startDevKas.js';

const run = promisify(execFile);
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('kas as a process', () => {
  let kas: RunningProcess | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await kas?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('in dev mode, serves the live lifecycle view and names its page and the watch command with the real port', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-dev-'));
    kas = startDevKas(dir);
    const ready = await kas.waitForLog({ event: 'dev.ready' }, 20_000);
    const url = String((await kas.waitForLog({ msg: 'observability listening' })).url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(ready).toMatchObject({
      lifecyclePage: `${url}/debug/lifecycle/ui/`,
      watchCommand: `npx kas-graph watch ${url}`,
    });
    expect(ready.msg).toContain(
      `Watch kas start and stop live: open  ${url}/debug/lifecycle/ui/  or run  npx kas-graph watch ${url}`,
    );
    const snapshot = await fetch(`${url}/debug/lifecycle`);
    expect(snapshot.status).toBe(200);
    expect(((await snapshot.json()) as { state: string }).state).toBe('running');
    expect((await fetch(`${url}/debug/lifecycle/ui/`)).status).toBe(200);
  });

  it('takes KAS_* overrides over its own config, such as a pinned observability port and a longer drain', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-dev-'));
    const port = await freePort();
    kas = startDevKas(dir, [], {
      env: { KAS_OBSERVABILITY__LISTEN: `127.0.0.1:${port}`, KAS_KUBE_PROXY__DRAIN_BUDGET: '3m' },
    });
    const ready = await kas.waitForLog({ event: 'dev.ready' }, 20_000);
    expect(ready.watchCommand).toBe(`npx kas-graph watch http://127.0.0.1:${port}`);
    const snapshot = (await (await fetch(`http://127.0.0.1:${port}/debug/lifecycle`)).json()) as {
      stages: { phase: string; members: string[]; budgetMs: number }[];
    };
    expect(
      snapshot.stages.find((stage) => stage.phase === 'stop' && stage.members.includes('kube-proxy')),
    ).toMatchObject({ budgetMs: 180_000 });
  });

  it('in dev mode, loads the modules KAS_MODULES lists, configured by their KAS_<KEY>__ variables', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-dev-'));
    const recorder = fileURLToPath(new URL('./fixtures/modules/recorder.mjs', import.meta.url));
    kas = startDevKas(dir, [], {
      env: { KAS_MODULES: JSON.stringify([recorder]), KAS_RECORDER__LABEL: 'recorded in dev mode' },
    });
    // The recorder logs its label for each activity event: the dev agent's connect is the first.
    const recorded = await kas.waitForLog({ module: 'recorder', msg: 'recorded in dev mode' }, 20_000);
    expect(recorded.event).toBe('agent.connected');
  });

  it('in dev mode, serves kubectl through kas -> tunnel -> dev agent -> fake Kubernetes API, and stops cleanly on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-dev-'));
    kas = startDevKas(dir);
    await kas.waitForLog({ event: 'dev.mode' });
    const ready = await kas.waitForLog({ event: 'dev.ready' }, 20_000);
    expect(ready.msg).toContain(`KUBECONFIG=${join(dir, 'dev', 'kubeconfig')} kubectl get pods`);

    const { stdout } = await run('kubectl', ['get', 'pods', '--cache-dir', join(dir, 'cache')], {
      env: { ...process.env, KUBECONFIG: String(ready.kubeconfig) },
    });
    expect(stdout).toMatch(/^NAME\s+READY\s+STATUS/);
    expect(stdout).toContain('web-0');
    const kubectlEnv = { ...process.env, KUBECONFIG: String(ready.kubeconfig) };
    const exec = await run(
      'kubectl',
      ['exec', 'web-0', '--cache-dir', join(dir, 'cache'), '--', 'echo', 'hi'],
      {
        env: kubectlEnv,
      },
    );
    expect(exec.stdout).toBe('hi\n');
    const created = await run('kubectl', ['create', 'configmap', 'dev-check', '--from-literal=a=b'], {
      env: kubectlEnv,
    });
    expect(created.stdout).toBe('configmap/dev-check created\n');
    const exposed = await run('kubectl', ['expose', 'pod', 'web-0', '--port=80', '--name=web'], {
      env: kubectlEnv,
    });
    expect(exposed.stdout).toBe('service/web exposed\n');
    const whoami = await run('kubectl', ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], {
      env: kubectlEnv,
    });
    // The dev agent reaches an in-process fake that asks for no token: the API sees an anonymous user.
    expect(whoami.stdout).toBe('system:anonymous');
    const forward = startProcess(
      'kubectl',
      ['port-forward', 'pod/web-0', ':80', '--cache-dir', join(dir, 'cache')],
      {
        env: { KUBECONFIG: String(ready.kubeconfig) },
      },
    );
    try {
      const line = await forward.waitForLine(
        (candidate) => candidate.text.startsWith('Forwarding from 127.0.0.1:'),
        20_000,
      );
      const port = /127\.0\.0\.1:(\d+)/.exec(line.text)?.[1];
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('hello from web-0\n');
    } finally {
      await forward.stop();
    }

    const observability = kas.logs().find((log) => log.msg === 'observability listening')?.url as string;
    expect((await fetch(`${observability}/readiness`)).status).toBe(200);
    const metrics = await (await fetch(`${observability}/metrics`)).text();
    expect(metrics).toMatch(/^kas_agent_connections 1$/m);
    expect(metrics).toMatch(/^kas_agent_tunnel_events_total\{event="tunnels.registered"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^kas_proxy_requests_total\{code="200"\} \d+$/m);
    expect(metrics).toMatch(
      /^kas_proxy_request_duration_seconds_count\{route="local",code="200"\} [1-9]\d*$/m,
    );
    expect(metrics).toMatch(/^kas_module_state\{module="kube-proxy",state="running"\} 1$/m);

    kas.signal('SIGTERM');
    expect(await kas.exited).toEqual({ code: 0, signal: null });
    // The dev agent's only kas is this one: after its GOAWAY, reconnecting can only fail, and saying so
    // at warn level would read as a problem with a clean stop.
    const goaway = kas.logs().findIndex((log) => log.event === 'kas.goaway');
    expect(goaway).toBeGreaterThan(-1);
    const agentWarnings = kas
      .logs()
      .slice(goaway)
      .filter((log) => log.module === 'dev-agent' && Number(log.level) >= 40);
    expect(agentWarnings).toEqual([]);
    const stopping = kas
      .logs()
      .filter((log) => log.event === 'module.stopping')
      .map((log) => log.module);
    expect(stopping.slice(0, 4).sort()).toEqual([
      'agent-grpc-server',
      'kube-proxy',
      'private-api',
      'tunnel-tracker',
    ]);
    expect(stopping.at(-1)).toBe('observability');
  });

  it('refuses a bad config before anything starts, naming the file, the key and what is expected', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-config-'));
    const config = join(dir, 'kas.yaml');
    await writeFile(
      config,
      'agentGrpc:\n  listen: nowhere\n  agentsFile: a.yaml\nkubeProxy:\n  usersFile: u.yaml\n',
    );
    kas = startProcess(process.execPath, [main, '--config', config]);
    expect(await kas.exited).toEqual({ code: 2, signal: null });
    const fatal = kas.logs().find((log) => log.level === 60);
    expect(fatal).toMatchObject({ code: 'KAS_CONFIG_INVALID' });
    expect(fatal?.msg).toContain(`${config}:2:11: agentGrpc.listen: expected host:port`);
    expect(fatal?.msg).toContain(
      `${config}: privateApi: missing: expected a section with sharedSecretFile (optional: listen, advertiseAddress, tls, maxTunnelWait, drainBudget`,
    );
    expect(kas.logs().some((log) => log.event === 'app.starting')).toBe(false);
  });

  it('warns loudly when run with the pre-fix stop order', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kas-dev-'));
    kas = startDevKas(dir, ['--legacy-stop-order']);
    const warning = await kas.waitForLog({ event: 'legacy.stopOrder' });
    expect(warning.msg).toMatch(/^LEGACY STOP ORDER: .*for comparison only$/);
    await kas.waitForLog({ event: 'dev.ready' }, 20_000);
  });
});
