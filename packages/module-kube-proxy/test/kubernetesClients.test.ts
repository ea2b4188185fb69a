import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeKubeconfig } from '@kas/fake-kube-api';
import type { RunningProcess } from '@kas/testkit';
import { eventually, kubectl, spawnKubectl } from '@kas/testkit';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { aliceToken } from './support/identities.js';
import { startAgent, startCluster, type TestAgent, type TestCluster } from './support/startCluster.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

const pod = (name: string) => ({
  metadata: { name, labels: { app: 'demo' } },
  spec: { containers: [{ name: 'app', image: 'registry.example/app:1' }] },
});

describe('Kubernetes clients through kas → agentk → the Kubernetes API', () => {
  let cluster: TestCluster;
  let kas: KasReplica;
  let agent: TestAgent;
  let kubeconfigPath: string;
  let child: RunningProcess | undefined;
  const watches: AbortController[] = [];

  beforeAll(async () => {
    cluster = await startCluster();
    kas = await startKasReplica({ tls: cluster.certificates.server });
    agent = await startAgent(cluster.upstream, [kas.agentAddress]);
    await eventually(() => kas.registry.hasAgent('agent-1'));
    kubeconfigPath = await writeKubeconfig({
      path: join(cluster.dir, 'kubeconfig'),
      server: kas.proxy.url,
      caPem: cluster.certificates.ca.cert,
      token: aliceToken('agent-1'),
    });
  });
  afterAll(async () => {
    await agent?.app.stop();
    await kas?.kas.stop();
    await cluster?.stop();
  });
  afterEach(async () => {
    for (const watch of watches.splice(0)) watch.abort();
    await child?.stop();
    child = undefined;
    for (const existing of cluster.api.objects.list('pods')) {
      cluster.api.objects.delete('pods', existing.metadata.name, existing.metadata.namespace);
    }
  });

  describe('@kubernetes/client-node 1.4', () => {
    const core = () => {
      const config = new KubeConfig();
      config.loadFromFile(kubeconfigPath);
      return { config, api: config.makeApiClient(CoreV1Api) };
    };

    it('creates, gets, lists and deletes pods', async () => {
      const { api } = core();
      const created = await api.createNamespacedPod({ namespace: 'default', body: pod('web-0') });
      expect(created.metadata).toMatchObject({ name: 'web-0', namespace: 'default' });
      expect(cluster.api.objects.get('pods', 'web-0')?.metadata.uid).toBe(created.metadata?.uid);

      const got = await api.readNamespacedPod({ namespace: 'default', name: 'web-0' });
      expect(got.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);

      await api.createNamespacedPod({ namespace: 'default', body: pod('web-1') });
      const list = await api.listNamespacedPod({ namespace: 'default' });
      expect(list.items.map((item) => item.metadata?.name)).toEqual(['web-0', 'web-1']);

      await api.deleteNamespacedPod({ namespace: 'default', name: 'web-0' });
      expect(cluster.api.objects.get('pods', 'web-0')).toBeUndefined();
      const after = await api.listNamespacedPod({ namespace: 'default' });
      expect(after.items.map((item) => item.metadata?.name)).toEqual(['web-1']);
    });

    it('passes the Kubernetes API NotFound Status through unchanged', async () => {
      const failure = await core()
        .api.readNamespacedPod({ namespace: 'default', name: 'missing' })
        .catch((error: unknown) => error);
      expect(failure).toMatchObject({ code: 404 });
      expect(JSON.parse((failure as { body: string }).body)).toMatchObject({
        kind: 'Status',
        reason: 'NotFound',
        message: 'pods "missing" not found',
      });
    });

    it('receives watch events as they happen, over time', async () => {
      const events: string[] = [];
      const { config } = core();
      watches.push(
        await new Watch(config).watch(
          '/api/v1/namespaces/default/pods',
          {},
          (type, object: { metadata: { name: string } }) => events.push(`${type} ${object.metadata.name}`),
          () => {},
        ),
      );
      cluster.api.objects.create('pods', pod('web-0'));
      await eventually(() => events.length === 1);
      const created = cluster.api.objects.get('pods', 'web-0');
      cluster.api.objects.update('pods', { ...created, status: { phase: 'Running' } });
      await eventually(() => events.length === 2);
      cluster.api.objects.delete('pods', 'web-0');
      await eventually(() => events.length === 3);
      expect(events).toEqual(['ADDED web-0', 'MODIFIED web-0', 'DELETED web-0']);
    });
  });

  describe('kubectl', () => {
    const run = (...args: string[]) => kubectl(cluster.dir, kubeconfigPath, args);

    it('lists pods with `kubectl get pods`', async () => {
      cluster.api.objects.create('pods', pod('web-0'));
      const result = await run('get', 'pods');
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\n/);
      expect(result.stdout).toMatch(/^web-0\s+0\/1\s+Pending\s+0\s+\d+s$/m);
    });

    it('prints a pod created while `kubectl get pods -w` is watching', async () => {
      cluster.api.objects.create('pods', pod('web-0'));
      child = spawnKubectl(cluster.dir, kubeconfigPath, ['get', 'pods', '-w']);
      await child.waitForLine((line) => line.text.startsWith('web-0'));
      cluster.api.objects.create('pods', pod('web-1'));
      await child.waitForLine((line) => /^web-1\s+0\/1\s+Pending/.test(line.text));
    });

    it('kubectl create configmap, secret and namespace (protobuf bodies) work through kas', async () => {
      expect(await run('create', 'configmap', 'settings', '--from-literal=greeting=hello')).toMatchObject({
        code: 0,
        stdout: 'configmap/settings created\n',
      });
      expect(cluster.api.objects.get('configmaps', 'settings')?.data).toEqual({ greeting: 'hello' });
      expect(
        await run('create', 'secret', 'generic', 'token', '--from-literal=password=s3cr3t'),
      ).toMatchObject({
        code: 0,
        stdout: 'secret/token created\n',
      });
      expect(cluster.api.objects.get('secrets', 'token')?.data).toEqual({ password: 'czNjcjN0' });
      expect(await run('create', 'namespace', 'team-a')).toMatchObject({
        code: 0,
        stdout: 'namespace/team-a created\n',
      });
      for (const [resource, name] of [
        ['configmaps', 'settings'],
        ['secrets', 'token'],
        ['namespaces', 'team-a'],
      ] as const) {
        cluster.api.objects.delete(resource, name);
      }
    });

    it('creates a ConfigMap with `kubectl apply -f`, then updates it', async () => {
      const manifest = join(cluster.dir, 'settings.yaml');
      const write = (greeting: string) =>
        writeFile(
          manifest,
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  greeting: ${greeting}\n`,
        );
      await write('hello');
      expect(await run('apply', '-f', manifest)).toMatchObject({
        code: 0,
        stdout: 'configmap/settings created\n',
      });
      expect(cluster.api.objects.get('configmaps', 'settings')?.data).toEqual({ greeting: 'hello' });
      await write('bonjour');
      expect(await run('apply', '-f', manifest)).toMatchObject({
        code: 0,
        stdout: 'configmap/settings configured\n',
      });
      expect(cluster.api.objects.get('configmaps', 'settings')?.data).toEqual({ greeting: 'bonjour' });
    });

    it('answers `kubectl get --raw /version`: the agent id rides in the token, not the URL path', async () => {
      const result = await run('get', '--raw', '/version');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.4-fake',
      });
    });

    it('shows the Kubernetes error of the cluster: `Error from server (NotFound)`', async () => {
      expect(await run('get', 'pod', 'missing')).toMatchObject({
        code: 1,
        stderr: 'Error from server (NotFound): pods "missing" not found\n',
      });
    });
  });
});
