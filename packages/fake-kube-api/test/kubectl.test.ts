import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningProcess } from '@kas/testkit';
import { kubectl, spawnKubectl } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeKubeconfig } from '../src/index.js';
import { type SecureFakeKubeApi, startSecureFakeKubeApi } from './support/startSecureFakeKubeApi.js';

const pod = (name: string) => ({
  metadata: { name, labels: { app: 'demo' } },
  spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
});

describe('real kubectl against the fake', () => {
  let fake: SecureFakeKubeApi;
  let child: RunningProcess | undefined;
  const run = (...args: string[]) => kubectl(fake.dir, fake.kubeconfigPath, args);

  beforeEach(async () => {
    fake = await startSecureFakeKubeApi();
  });
  afterEach(async () => {
    await child?.stop();
    child = undefined;
    await fake.stop();
  });

  it('lists pods as the NAME READY STATUS RESTARTS AGE table', async () => {
    fake.api.objects.create('pods', pod('web-0'));
    const result = await run('get', 'pods');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
    expect(result.stdout).toMatch(/^web-0\s+0\/1\s+Pending\s+0\s+\d+s$/m);
  });

  it('prints a pod created while `kubectl get pods -w` is watching', async () => {
    fake.api.objects.create('pods', pod('web-0'));
    child = spawnKubectl(fake.dir, fake.kubeconfigPath, ['get', 'pods', '-w']);
    await child.waitForLine((line) => line.text.startsWith('web-0'));
    fake.api.objects.create('pods', pod('web-1'));
    await child.waitForLine((line) => /^web-1\s+0\/1\s+Pending/.test(line.text));
    const running = fake.api.objects.get('pods', 'web-1');
    fake.api.objects.update('pods', { ...running, status: { phase: 'Running' } });
    await child.waitForLine((line) => /^web-1\s+0\/1\s+Running/.test(line.text));
  });

  it('creates a ConfigMap with `kubectl apply -f`, then updates it when the manifest changes', async () => {
    const manifest = join(fake.dir, 'settings.yaml');
    const write = (greeting: string) =>
      writeFile(
        manifest,
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: ${greeting}\n  keep: "yes"\n`,
      );
    await write('hello');
    expect(await run('apply', '-f', manifest)).toMatchObject({
      code: 0,
      stdout: 'configmap/settings created\n',
    });
    expect(fake.api.objects.get('configmaps', 'settings')?.data).toEqual({ greeting: 'hello', keep: 'yes' });

    await write('bonjour');
    expect(await run('apply', '-f', manifest)).toMatchObject({
      code: 0,
      stdout: 'configmap/settings configured\n',
    });
    expect(fake.api.objects.get('configmaps', 'settings')?.data).toEqual({
      greeting: 'bonjour',
      keep: 'yes',
    });
    expect(await run('apply', '-f', manifest)).toMatchObject({
      code: 0,
      stdout: 'configmap/settings unchanged\n',
    });
  });

  it('follows a pod log with `kubectl logs -f`, line by line as they are written', async () => {
    fake.api.objects.create('pods', pod('web-0'));
    fake.api.objects.appendLog('web-0', 'first line');
    child = spawnKubectl(fake.dir, fake.kubeconfigPath, ['logs', '-f', 'web-0']);
    await child.waitForLine((line) => line.text === 'first line');
    fake.api.objects.appendLog('web-0', 'second line');
    await child.waitForLine((line) => line.text === 'second line');
    fake.api.objects.delete('pods', 'web-0');
    expect(await child.exited).toEqual({ code: 0, signal: null });
  });

  it('answers `kubectl get --raw /version`', async () => {
    const result = await run('get', '--raw', '/version');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ major: '1', minor: '32' });
  });

  it('shows `Error from server (NotFound)` for a pod that does not exist', async () => {
    const result = await run('get', 'pod', 'missing');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('Error from server (NotFound): pods "missing" not found\n');
  });

  it('refuses a wrong token: kubectl says it must be logged in (Unauthorized)', async () => {
    const badConfig = await writeKubeconfig({
      path: join(fake.dir, 'bad-kubeconfig'),
      server: fake.api.url,
      caPem: fake.certificates.ca.cert,
      token: 'not-the-token',
    });
    const raw = await kubectl(fake.dir, badConfig, ['get', '--raw', '/api/v1/namespaces/default/pods']);
    expect(raw).toMatchObject({
      code: 1,
      stderr: 'error: You must be logged in to the server (Unauthorized)\n',
    });
    // Discovery fails first here; client-go words a 401 on discovery this way, against real servers too.
    const get = await kubectl(fake.dir, badConfig, ['get', 'pods']);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain(
      'error: You must be logged in to the server (the server has asked for the client to provide credentials)',
    );
  });
});
