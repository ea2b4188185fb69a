import { Writable } from 'node:stream';
import { eventually } from '@kas/testkit';
import { ApiException, CoreV1Api, Exec, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type SecureFakeKubeApi, startSecureFakeKubeApi } from './support/startSecureFakeKubeApi.js';

const pod = (name: string) => ({
  metadata: { name },
  spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
});

describe('@kubernetes/client-node 1.4 against the fake', () => {
  let fake: SecureFakeKubeApi;
  let config: KubeConfig;
  let core: CoreV1Api;
  const watches: AbortController[] = [];

  beforeEach(async () => {
    fake = await startSecureFakeKubeApi();
    config = new KubeConfig();
    config.loadFromFile(fake.kubeconfigPath);
    core = config.makeApiClient(CoreV1Api);
  });
  afterEach(async () => {
    for (const watch of watches.splice(0)) watch.abort();
    await fake.stop();
  });

  it('creates, gets, lists and deletes pods', async () => {
    const created = await core.createNamespacedPod({ namespace: 'default', body: pod('web-0') });
    expect(created.metadata).toMatchObject({ name: 'web-0', namespace: 'default' });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.status?.phase).toBe('Pending');

    const got = await core.readNamespacedPod({ namespace: 'default', name: 'web-0' });
    expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

    await core.createNamespacedPod({ namespace: 'default', body: pod('web-1') });
    const list = await core.listNamespacedPod({ namespace: 'default' });
    expect(list.items.map((item) => item.metadata?.name)).toEqual(['web-0', 'web-1']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));

    await core.deleteNamespacedPod({ namespace: 'default', name: 'web-0' });
    const after = await core.listNamespacedPod({ namespace: 'default' });
    expect(after.items.map((item) => item.metadata?.name)).toEqual(['web-1']);
  });

  it('refuses an exec into a container whose command has exited, as the kubelet does (was: the sandbox ran it)', async () => {
    fake.api.objects.create('pods', {
      metadata: { name: 'once' },
      spec: {
        containers: [{ name: 'app', image: 'busybox', command: ['echo', 'hi'] }],
        restartPolicy: 'Never',
      },
      status: { phase: 'Running' },
    });
    await eventually(
      () =>
        (fake.api.objects.get('pods', 'once')?.status as { phase?: string } | undefined)?.phase ===
        'Succeeded',
      { timeoutMs: 10_000 },
    );
    let output = '';
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        output += String(chunk);
        done();
      },
    });
    const failure = await new Exec(config)
      .exec('default', 'once', 'app', ['echo', 'ran'], stdout, null, null, false)
      .catch((error: unknown) => error);
    expect((failure as { message?: string }).message).toMatch(/Unexpected server response: 400/);
    expect(output).toBe('');
  });

  it('answers a missing pod with a 404 NotFound Status', async () => {
    const failure = await core.readNamespacedPod({ namespace: 'default', name: 'missing' }).catch((e) => e);
    expect(failure).toBeInstanceOf(ApiException);
    expect((failure as ApiException<string>).code).toBe(404);
    expect(JSON.parse((failure as ApiException<string>).body)).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "missing" not found',
      reason: 'NotFound',
      details: { name: 'missing', kind: 'pods' },
      code: 404,
    });
  });

  it('receives ADDED, MODIFIED and DELETED events over time through a Watch', async () => {
    const events: string[] = [];
    let notify = () => {};
    const until = (count: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`events so far: ${events.join(', ')}`)), 10_000);
        notify = () => {
          if (events.length < count) return;
          clearTimeout(timer);
          resolve();
        };
        notify();
      });
    const watch = new Watch(config);
    watches.push(
      await watch.watch(
        '/api/v1/namespaces/default/pods',
        {},
        (type, object: { metadata: { name: string } }) => {
          events.push(`${type} ${object.metadata.name}`);
          notify();
        },
        () => {},
      ),
    );

    fake.api.objects.create('pods', pod('web-0'));
    await until(1);
    const created = fake.api.objects.get('pods', 'web-0');
    fake.api.objects.update('pods', { ...created, status: { phase: 'Running' } });
    await until(2);
    fake.api.objects.delete('pods', 'web-0');
    await until(3);
    expect(events).toEqual(['ADDED web-0', 'MODIFIED web-0', 'DELETED web-0']);
  });
});
