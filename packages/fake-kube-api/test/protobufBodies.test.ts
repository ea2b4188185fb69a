import { kubectl } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureFakeKubeApi, startSecureFakeKubeApi } from './support/startSecureFakeKubeApi.js';

describe('kubectl create and expose (protobuf request bodies)', () => {
  let fake: SecureFakeKubeApi;
  const run = (args: readonly string[], input?: string) =>
    kubectl(fake.dir, fake.kubeconfigPath, args, input === undefined ? {} : { input });

  beforeAll(async () => {
    fake = await startSecureFakeKubeApi();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('kubectl create configmap stores the data it sent as protobuf', async () => {
    const result = await run([
      'create',
      'configmap',
      'settings',
      '--from-literal=greeting=hello',
      '--from-literal=mode=fast',
    ]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('configmap/settings created\n');
    expect(fake.api.objects.get('configmaps', 'settings')).toMatchObject({
      kind: 'ConfigMap',
      metadata: { name: 'settings', namespace: 'default' },
      data: { greeting: 'hello', mode: 'fast' },
    });
  });

  it('kubectl create secret generic stores base64 data and the type', async () => {
    const result = await run(['create', 'secret', 'generic', 'token', '--from-literal=password=s3cr3t']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('secret/token created\n');
    expect(fake.api.objects.get('secrets', 'token')).toMatchObject({
      kind: 'Secret',
      type: 'Opaque',
      data: { password: Buffer.from('s3cr3t').toString('base64') },
    });
    expect((await run(['get', 'secret', 'token', '-o', 'jsonpath={.data.password}'])).stdout).toBe(
      Buffer.from('s3cr3t').toString('base64'),
    );
  });

  it('kubectl create namespace creates it', async () => {
    const result = await run(['create', 'namespace', 'team-a']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('namespace/team-a created\n');
    expect(fake.api.objects.get('namespaces', 'team-a')?.metadata.name).toBe('team-a');
  });

  it('kubectl create service stores each type with its ports, target ports and defaults', async () => {
    const created = await Promise.all([
      run(['create', 'service', 'clusterip', 'api', '--tcp=80:8080', '--tcp=443:https']),
      run(['create', 'service', 'nodeport', 'edge', '--tcp=8080:80', '--node-port=30080']),
      run(['create', 'service', 'externalname', 'docs', '--external-name=docs.example.com']),
      run(['create', 'service', 'clusterip', 'peers', '--clusterip=None']),
    ]);
    expect(created.map(({ stderr }) => stderr)).toEqual(['', '', '', '']);
    expect(created.map(({ stdout }) => stdout)).toEqual([
      'service/api created\n',
      'service/edge created\n',
      'service/docs created\n',
      'service/peers created\n',
    ]);
    expect(fake.api.objects.get('services', 'api')).toMatchObject({
      metadata: { name: 'api', labels: { app: 'api' } },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'api' },
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: '443-https', protocol: 'TCP', port: 443, targetPort: 'https' },
        ],
      },
    });
    expect(fake.api.objects.get('services', 'edge')?.spec).toMatchObject({
      type: 'NodePort',
      ports: [{ port: 8080, targetPort: 80, nodePort: 30080 }],
    });
    expect(fake.api.objects.get('services', 'docs')?.spec).toMatchObject({
      type: 'ExternalName',
      externalName: 'docs.example.com',
    });
    expect(fake.api.objects.get('services', 'peers')?.spec).toMatchObject({ clusterIP: 'None' });
    const table = await run(['get', 'services', 'api', 'edge', 'docs']);
    expect(table.stdout.split('\n').map((line) => line.trim().split(/\s+/).slice(0, 5))).toEqual([
      ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)'],
      ['api', 'ClusterIP', '<none>', '<none>', '80/TCP,443/TCP'],
      ['edge', 'NodePort', '<none>', '<none>', '8080:30080/TCP'],
      ['docs', 'ExternalName', '<none>', 'docs.example.com', '<none>'],
      [''],
    ]);
  });

  it('kubectl expose makes a service that selects the pod by its labels', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'shop-0', labels: { app: 'shop', tier: 'web' } },
      spec: { containers: [{ name: 'shop', image: 'shop:1' }] },
    };
    expect((await run(['apply', '-f', '-'], JSON.stringify(pod))).stderr).toBe('');
    const result = await run(['expose', 'pod', 'shop-0', '--port=80', '--target-port=8080', '--name=shop']);
    expect(result).toEqual({ code: 0, stdout: 'service/shop exposed\n', stderr: '' });
    expect(fake.api.objects.get('services', 'shop')?.spec).toMatchObject({
      selector: { app: 'shop', tier: 'web' },
      ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }],
    });
  });
});
