// examples/audit-sink consumed as an outside package would be: the library packages are packed with
// `npm pack` and installed from those tarballs into a copy of the example outside the repository (the
// registry only serves third-party dependencies); the copy builds, runs its tests, lints its kas.yaml with
// the installed kas-graph, and runs the installed kas with the module loaded against a real agent.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeKubeApi } from '@kas/fake-kube-api';
import { freePort, type RunningProcess, startProcess } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const AGENTK_MAIN = join(root, 'apps/agentk/dist/cli/main.js');
/** The packages an outside project installs: kas, its linter, and the workspace packages they depend on. */
const WANTED = ['@kas/core', '@kas/kas', '@kas/graph'];

let workspace: string;
let example: string;
const processes: RunningProcess[] = [];

async function workspacePackages(): Promise<Map<string, { folder: string; dependencies: string[] }>> {
  const packages = new Map<string, { folder: string; dependencies: string[] }>();
  for (const parent of ['packages', 'apps']) {
    for (const directory of await readdir(join(root, parent))) {
      const folder = join(root, parent, directory);
      const manifest = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8').catch(() => '{}'));
      const dependencies = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
      if (typeof manifest.name === 'string') packages.set(manifest.name, { folder, dependencies });
    }
  }
  return packages;
}

/** `npm pack`s the wanted packages and the workspace packages they depend on; returns name -> tarball. */
async function packLibraries(destination: string): Promise<Record<string, string>> {
  await mkdir(destination, { recursive: true });
  const packages = await workspacePackages();
  const tarballs: Record<string, string> = {};
  const pending = [...WANTED];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const found = packages.get(name);
    if (found === undefined || name in tarballs) continue;
    const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', destination], {
      cwd: found.folder,
    });
    tarballs[name] = join(destination, stdout.trim().split('\n').at(-1) as string);
    pending.push(...found.dependencies.filter((dependency) => packages.has(dependency)));
  }
  return tarballs;
}

const npm = (args: readonly string[], cwd = example) =>
  run('npm', [...args], { cwd, env: { ...process.env, npm_config_cache: join(workspace, 'npm-cache') } });

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'kas-outside-'));
  example = join(workspace, 'audit-sink');
  const tarballs = await packLibraries(join(workspace, 'tarballs'));
  await cp(join(root, 'examples/audit-sink'), example, {
    recursive: true,
    filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
  });
  const manifestPath = join(example, 'package.json');
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  const fromTarball = Object.fromEntries(
    Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]),
  );
  for (const name of Object.keys(manifest.devDependencies)) {
    if (name in fromTarball) manifest.devDependencies[name] = fromTarball[name];
  }
  manifest.overrides = fromTarball; // kas's own @kas dependencies come from the tarballs too
  await writeFile(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  await npm(['install', '--no-audit', '--no-fund', '--ignore-scripts']);
}, 600_000);

afterAll(async () => {
  await Promise.all(processes.map((child) => child.stop()));
  if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
});

describe('examples/audit-sink, installed from packed tarballs outside the repository', () => {
  it('builds and passes its own tests', async () => {
    await npm(['run', 'build']);
    const { stdout } = await npm(['test']);
    expect(stdout).toMatch(/4 passed/);
  }, 180_000);

  it('lints its kas.yaml clean, and without its stop relation fails at the declaring line', async () => {
    const kasGraph = join(example, 'node_modules/.bin/kas-graph');
    const clean = await run(kasGraph, ['lint', '--config', 'kas.yaml'], { cwd: example });
    expect(clean.stdout).toContain('--config kas.yaml: no findings');

    const copy = join(workspace, 'audit-sink-without-last');
    await cp(example, copy, {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
    });
    await symlink(join(example, 'node_modules'), join(copy, 'node_modules'), 'dir'); // the same install
    const modulePath = join(copy, 'src/auditSinkModule.ts');
    const source = await readFile(modulePath, 'utf8');
    await writeFile(modulePath, source.replace(/^\s*stop: \{ last: true \},.*\n/m, ''));
    await run(
      process.execPath,
      [join(example, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: copy,
      },
    );
    const failed = await run(kasGraph, ['lint', '--config', 'kas.yaml', '--format', 'sarif'], {
      cwd: copy,
    }).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    const [result] = JSON.parse(failed?.stdout ?? '{}').runs[0].results;
    const declaringLine =
      (await readFile(modulePath, 'utf8')).split('\n').findIndex((line) => line.includes('defineModule({')) +
      1;
    expect(result).toMatchObject({
      ruleId: 'KAS_OBSERVER_STOPS_EARLY',
      level: 'error',
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/auditSinkModule.ts' },
            region: { startLine: declaringLine },
          },
          logicalLocations: [{ name: 'audit-sink' }, expect.anything()],
        },
      ],
      relatedLocations: [
        { physicalLocation: { artifactLocation: { uri: 'kas.yaml' }, region: { startLine: 4 } } },
      ],
    });
  }, 120_000);

  it('runs in the installed kas: records the agent and a proxied request, and flushes at SIGTERM after the proxy has stopped', async () => {
    const api = await startFakeKubeApi();
    const auditFile = join(workspace, 'audit.jsonl');
    const [agentGrpc, kubeProxy, privateApi, observability] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    try {
      const kas = startProcess(
        process.execPath,
        [join(example, 'node_modules/@kas/kas/dist/main.js'), '--config', 'kas.yaml', '--log-format', 'json'],
        {
          cwd: example,
          env: {
            ...process.env,
            KAS_AGENT_GRPC__LISTEN: `127.0.0.1:${agentGrpc}`,
            KAS_KUBE_PROXY__LISTEN: `127.0.0.1:${kubeProxy}`,
            KAS_PRIVATE_API__LISTEN: `127.0.0.1:${privateApi}`,
            KAS_OBSERVABILITY__LISTEN: `127.0.0.1:${observability}`,
            KAS_AUDIT_SINK__FILE: auditFile,
          },
        },
      );
      processes.push(kas);
      await kas.waitForLog({ event: 'app.started' }, 30_000);
      expect(kas.logs()).toContainEqual(
        expect.objectContaining({ module: 'audit-sink', event: 'audit.opened' }),
      );

      const tokenFile = join(workspace, 'agent.token');
      await writeFile(tokenFile, 'example-agent-token');
      const agentk = startProcess(process.execPath, [
        AGENTK_MAIN,
        '--kas',
        `127.0.0.1:${agentGrpc}`,
        '--token-file',
        tokenFile,
        '--kube-api',
        api.url,
      ]);
      processes.push(agentk);
      await agentk.waitForLog({ event: 'tunnels.ready' }, 30_000);

      const response = await fetch(`http://127.0.0.1:${kubeProxy}/version`, {
        headers: { authorization: 'Bearer user:agent-1:example-user-secret' },
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();

      kas.signal('SIGTERM');
      expect((await kas.exited).code).toBe(0);
      const logs = kas.logs();
      const flushed = logs.findIndex(
        (line) => line.module === 'audit-sink' && line.event === 'audit.flushed',
      );
      const proxyStopped = logs.findIndex(
        (line) => line.module === 'kube-proxy' && line.event === 'module.stopped',
      );
      const sinkStopping = logs.findIndex(
        (line) => line.module === 'audit-sink' && line.event === 'module.stopping',
      );
      expect(flushed).toBeGreaterThan(-1);
      expect(proxyStopped).toBeGreaterThan(-1);
      expect(sinkStopping).toBeGreaterThan(proxyStopped); // its stage begins only after the proxy's completed

      const records = (await readFile(auditFile, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { type: string; status?: number; agentId?: string });
      expect(records).toContainEqual(
        expect.objectContaining({ type: 'agent.connected', agentId: 'agent-1' }),
      );
      expect(records).toContainEqual(expect.objectContaining({ type: 'request.finished', status: 200 }));
    } finally {
      await Promise.all(processes.map((child) => child.stop()));
      await api.stop();
    }
  }, 120_000);
});
