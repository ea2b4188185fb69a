import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDevCertificates } from '@kas/dev-certificates';
import {
  eventually,
  freePort,
  type RedisServer,
  type RunningProcess,
  scaledMs,
  send,
  startProcess,
  startRedis,
} from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instruction, readDockerfile, type Stage } from './support/readDockerfile.js';
import { renderKustomization } from './support/renderKustomization.js';

const run = promisify(execFile);
const repository = fileURLToPath(new URL('../../', import.meta.url));
const kubernetesDir = fileURLToPath(new URL('../kubernetes/', import.meta.url));

/** The Dockerfile's build and final stage, with the steps this test runs taken from it. */
function imageSteps(dockerfile: string) {
  const [build, final] = readDockerfile(join(repository, 'deploy/image', dockerfile)) as [Stage, Stage];
  return {
    build,
    final,
    stage: instruction(build, 'RUN', 'node deploy/image/stage-production.mjs').split(' '),
    install: instruction(final, 'RUN', 'sh deploy/image/install-production.sh').split(' '),
    entrypoint: JSON.parse(instruction(final, 'ENTRYPOINT')) as string[],
  };
}

/** Runs a step of the Dockerfile with its paths mapped: /src is this repository, /stage and /app the folder. */
async function runStep(argv: readonly string[], folder: string, cwd: string): Promise<void> {
  const [command = '', ...args] = argv.map((arg) =>
    arg === '/src' ? repository : arg === '/stage' ? folder : arg,
  );
  await run(command, args, {
    cwd,
    maxBuffer: 16 * 1024 * 1024,
    // The install step ends with `npm cache clean --force` (an image keeps no cache): run here, it must
    // clean a cache of its own, not the user's, which other npm processes may be using at that moment.
    env: {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_cache: `${folder}.npm-cache`,
    },
  });
}

describe.each(['kas.Dockerfile', 'agentk.Dockerfile'])('%s', (dockerfile) => {
  it('builds on Node 22 (Node 20 is past its end of life) in two stages and runs node as PID 1, unprivileged, stopped by SIGTERM, with glibc keeping freed memory and V8 room for relayed buffers', () => {
    const { build, final, entrypoint } = imageSteps(dockerfile);
    expect(build.from).toMatch(/^node:22-bookworm-slim AS build$/);
    expect(instruction(build, 'RUN', 'npm ci')).toMatch(/^npm ci .*&& npx turbo run build --filter=@kas\//);
    expect(final.from).toBe('node:22-bookworm-slim'); // the Node the build stage built with
    expect(instruction(final, 'COPY')).toBe('--from=build /stage/ /app/');
    expect(instruction(final, 'USER')).toBe('node');
    expect(instruction(final, 'STOPSIGNAL')).toBe('SIGTERM');
    // glibc keeps freed memory for reuse (bench/README.md, port-forward): the bench runs kas and agentk so too.
    expect(instruction(final, 'ENV', 'MALLOC_')).toBe('MALLOC_TRIM_THRESHOLD_=67108864');
    expect(entrypoint[0]).toBe('node');
    // V8 keeps room for a relay's buffers (below): the bench runs kas and agentk so too.
    expect(nodeOptions(dockerfile)).toEqual(['--initial-old-space-size=96']);
    expect(final.instructions.filter((step) => /\bnpm (start|run)\b/.test(step.value))).toEqual([]);
  });
});

/** The options the image gives node itself: those of the ENTRYPOINT before the script. */
function nodeOptions(dockerfile: string): string[] {
  const [, ...args] = imageSteps(dockerfile).entrypoint;
  return args.slice(
    0,
    args.findIndex((arg) => !arg.startsWith('--')),
  );
}

describe("the images' node options", () => {
  /**
   * Relays 1 GiB through short-lived 64 KiB buffers (fixtures/relayBuffers.mjs) with V8 in the state a
   * relay drifts into: the least room above its heap before a full GC (`--heap-growing-percent=1` puts it
   * there at once). Counting full GCs is the behaviour, not a timing: without the images' options V8 runs
   * one for every few dozen MiB relayed, which cost kas and agentk 2-3 times the CPU per MiB.
   */
  async function fullGcsWhileRelaying(options: readonly string[]): Promise<number> {
    const { stdout } = await run(process.execPath, [
      '--expose-gc',
      '--heap-growing-percent=1',
      ...options,
      fileURLToPath(new URL('./fixtures/relayBuffers.mjs', import.meta.url)),
    ]);
    const report = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      majorGcs: number;
      relayedMiB: number;
    };
    expect(report.relayedMiB).toBe(1024);
    return report.majorGcs;
  }

  it("are the same for kas and agentk, and keep V8 from running full GCs while a relay's buffers pass", async () => {
    const options = nodeOptions('kas.Dockerfile');
    expect(nodeOptions('agentk.Dockerfile')).toEqual(options);
    expect(await fullGcsWhileRelaying([])).toBeGreaterThanOrEqual(5); // V8's behaviour this guards against
    expect(await fullGcsWhileRelaying(options)).toBe(0);
  });
});

describe("the kas image's final stage, run in an empty folder", () => {
  let folder: string;
  let secrets: string;
  let redis: RedisServer;
  let kas: RunningProcess | undefined;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'kas-image-'));
    secrets = await mkdtemp(join(tmpdir(), 'kas-image-secrets-'));
    redis = await startRedis();
  });
  afterAll(async () => {
    await kas?.stop();
    await redis?.stop();
    await rm(folder, { recursive: true, force: true });
    await rm(`${folder}.npm-cache`, { recursive: true, force: true });
    await rm(secrets, { recursive: true, force: true });
  });

  it('installs production dependencies only, and the installed kas answers /readiness with the ConfigMap config', {
    timeout: scaledMs(300_000),
  }, async () => {
    const steps = imageSteps('kas.Dockerfile');
    await runStep(steps.stage, folder, repository); // the build stage's last step
    await runStep(steps.install, folder, folder); // WORKDIR /app
    const installed = await readFile(join(folder, 'deploy/image/staged-workspaces.txt'), 'utf8');
    expect(installed).toContain('@kas/kas\n');
    for (const devOnly of [
      '@kas/graph',
      '@kas/testkit',
      'vitest',
      'typescript',
      '@biomejs/biome',
      'turbo',
      // What only `kas --dev` runs (kas's devDependencies, imported only in dev mode).
      '@kas/fake-kube-api',
      '@kas/agentk',
      '@kas/dev-certificates',
      'selfsigned',
    ]) {
      expect(existsSync(join(folder, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    expect(existsSync(join(folder, 'apps/kas/src'))).toBe(false); // built code only

    // Dev mode is refused, naming what is missing, and kas --config (below) runs without it.
    const dev = startProcess(steps.entrypoint[0] as string, [...steps.entrypoint.slice(1), '--dev'], {
      cwd: folder,
      env: { NODE_ENV: 'production' },
    });
    expect(await dev.exited).toEqual({ code: 2, signal: null });
    // In human lines (the default with --dev): pino-pretty is a production dependency.
    expect(dev.lines[0]?.text).toMatch(
      /^\[[\d:.]+\] FATAL: kas did not start: --dev needs kas's devDependencies .*"code":"KAS_DEV_UNAVAILABLE"/,
    );

    // The ConfigMap's kas.yaml, its /etc/kas files under a temporary folder, on free loopback ports.
    const objects = await renderKustomization(`${kubernetesDir}overlays/redis`);
    const configMap = objects.find((object) => object.kind === 'ConfigMap') as unknown as {
      data: Record<string, string>;
    };
    const etc = join(secrets, 'etc/kas');
    const certificates = await createDevCertificates();
    for (const [file, content] of Object.entries({
      'tls/tls.crt': certificates.server.cert,
      'tls/tls.key': certificates.server.key,
      'agents/agents.yaml': '[]\n',
      'users/users.yaml': '[]\n',
      'private-api/shared-secret': 'a-shared-secret-of-the-replicas\n',
      'config/kas.yaml': (configMap.data['kas.yaml'] as string).replaceAll('/etc/kas/', `${etc}/`),
    })) {
      await mkdir(join(etc, file, '..'), { recursive: true });
      await writeFile(join(etc, file), content);
    }
    const [agents, users, privateApi, observability] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    kas = startProcess(
      steps.entrypoint[0] as string,
      [...steps.entrypoint.slice(1), '--config', join(etc, 'config/kas.yaml')],
      {
        cwd: folder,
        env: {
          NODE_ENV: 'production',
          KAS_REPLICA__ID: 'kas-6d5f8-x2x9q',
          KAS_REDIS__URL: redis.url,
          KAS_AGENT_GRPC__LISTEN: `127.0.0.1:${agents}`,
          KAS_KUBE_PROXY__LISTEN: `127.0.0.1:${users}`,
          KAS_PRIVATE_API__LISTEN: `127.0.0.1:${privateApi}`,
          KAS_PRIVATE_API__ADVERTISE_ADDRESS: `127.0.0.1:${privateApi}`,
          KAS_OBSERVABILITY__LISTEN: `127.0.0.1:${observability}`,
        },
      },
    );
    await kas.waitForLog({ event: 'app.started' }, 60_000);
    const readiness = await eventually(async () => {
      const answer = await send(`http://127.0.0.1:${observability}/readiness`);
      return answer.status === 200 ? answer : false;
    });
    expect(readiness.status).toBe(200);
    expect((await send(`http://127.0.0.1:${observability}/liveness`)).status).toBe(200);

    kas.signal('SIGTERM'); // what the kubelet sends PID 1
    expect(await kas.exited).toMatchObject({ code: 0 });
    expect(kas.logs().some((line) => line.event === 'app.stopped')).toBe(true);
  });
});
