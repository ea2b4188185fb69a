import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventually, kubectl, send, spawnKubectl } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureFakeKubeApi, startSecureFakeKubeApi } from '../support/startSecureFakeKubeApi.js';

const SPDY = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false', KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' };

describe.each([
  ['WebSocket', {}],
  ['SPDY/3.1', SPDY],
] as const)('kubectl exec, attach, cp and port-forward against the fake (%s)', (_name, env) => {
  let fake: SecureFakeKubeApi;
  const run = (args: readonly string[], input?: string) =>
    kubectl(fake.dir, fake.kubeconfigPath, args, { env, ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    fake = await startSecureFakeKubeApi();
    fake.api.objects.create('pods', {
      metadata: { name: 'web-0' },
      spec: { containers: [{ name: 'app', image: 'app:1' }] },
      status: { phase: 'Running' },
    });
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('runs a command and prints its output', async () => {
    const result = await run(['exec', 'web-0', '--', 'echo', 'hi']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('hi\n');
    expect(result.code).toBe(0);
  });

  it('passes the exit code of a failed command', async () => {
    const result = await run(['exec', 'web-0', '--', 'cat', '/nope']);
    expect(result.stderr).toContain('cat: /nope: No such file or directory');
    expect(result.stderr).toContain('command terminated with exit code 1');
    expect(result.code).toBe(1);
  });

  it('feeds stdin to the command', async () => {
    const result = await run(['exec', '-i', 'web-0', '--', 'cat'], 'line one\nline two\n');
    expect(result.stdout).toBe('line one\nline two\n');
  });

  it('copies a file to the pod and back', async () => {
    const local = await mkdtemp(join(fake.dir, 'cp-'));
    await writeFile(join(local, 'notes.txt'), 'copied through exec\n');
    const up = await run(['cp', join(local, 'notes.txt'), 'web-0:/tmp/notes.txt']);
    expect(up.stderr).toBe('');
    expect((await run(['exec', 'web-0', '--', 'cat', '/tmp/notes.txt'])).stdout).toBe(
      'copied through exec\n',
    );
    const down = await run(['cp', 'web-0:/app/index.html', join(local, 'index.html')]);
    expect(down.stderr).toBe('');
    expect(await readFile(join(local, 'index.html'), 'utf8')).toBe('<h1>hello from web-0</h1>\n');
    await rm(local, { recursive: true });
  });

  it('attaches to the pod process', async () => {
    const attach = spawnKubectl(fake.dir, fake.kubeconfigPath, ['attach', 'web-0'], { env });
    try {
      await eventually(
        async () => {
          fake.api.objects.appendLog('web-0', 'a line while attached');
          await attach.waitForLine((line) => line.text === 'a line while attached', 200);
        },
        { timeoutMs: 15_000 },
      );
    } finally {
      await attach.stop();
    }
  });

  it('forwards a local port to the pod service, over the protocol asked for (no fallback)', async () => {
    const forward = spawnKubectl(
      fake.dir,
      fake.kubeconfigPath,
      ['port-forward', 'pod/web-0', ':80', '-v=6'],
      {
        env,
      },
    );
    try {
      const line = await forward.waitForLine(
        (candidate) => candidate.text.startsWith('Forwarding from 127.0.0.1:'),
        15_000,
      );
      const port = Number(/127\.0\.0\.1:(\d+)/.exec(line.text)?.[1]);
      expect((await send(`http://127.0.0.1:${port}/`)).body).toBe('hello from web-0\n');
      // kubectl falls back to SPDY when its WebSocket upgrade is refused: it was, by the fake's WebSocket
      // library, which took `SPDY/3.1+portforward.k8s.io` for an invalid subprotocol.
      expect(forward.lines.filter((candidate) => candidate.text.includes('fallback'))).toEqual([]);
    } finally {
      await forward.stop();
    }
  });
  it('refuses a port the pod does not serve as the kubelet refuses it, and serves the ports its containers list (was: every port reached the service)', async () => {
    fake.api.objects.create('pods', {
      metadata: { name: `api-${env === SPDY ? 'spdy' : 'ws'}` },
      spec: { containers: [{ name: 'app', image: 'app:1', ports: [{ containerPort: 8080 }] }] },
      status: { phase: 'Running' },
    });
    const pod = `pod/api-${env === SPDY ? 'spdy' : 'ws'}`;
    const get = async (port: number) => (await send(`http://127.0.0.1:${port}/`)).body;
    const forward = spawnKubectl(fake.dir, fake.kubeconfigPath, ['port-forward', pod, ':8080', ':80'], {
      env,
    });
    try {
      // Both ports' lines, each matched whole: `-> 8080` contains `-> 80`, and on a loaded machine the
      // second line may come in a later chunk than the first.
      const forwardedTo = (remote: number) =>
        forward.waitForLine(
          (candidate) =>
            new RegExp(`^Forwarding from 127\\.0\\.0\\.1:\\d+ -> ${remote}$`).test(candidate.text),
          15_000,
        );
      const localPort = (line: { text: string }) => Number(/127\.0\.0\.1:(\d+)/.exec(line.text)?.[1]);
      const served = localPort(await forwardedTo(8080));
      const notServed = localPort(await forwardedTo(80));
      expect(await get(served)).toMatch(/^hello from api-/);
      await get(notServed).catch(() => undefined); // the connection is closed without an answer
      await eventually(() =>
        forward.lines.some((candidate) =>
          /an error occurred forwarding \d+ -> 80: error forwarding port 80 to pod api-\w+: dial tcp4 127\.0\.0\.1:80: connect: connection refused/.test(
            candidate.text,
          ),
        ),
      );
    } finally {
      await forward.stop();
    }
  });
});
