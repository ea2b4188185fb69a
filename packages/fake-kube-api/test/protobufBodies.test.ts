import { kubectl } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureFakeKubeApi, startSecureFakeKubeApi } from './support/startSecureFakeKubeApi.js';

describe('kubectl create from its generators (protobuf request bodies)', () => {
  let fake: SecureFakeKubeApi;
  const run = (args: readonly string[]) => kubectl(fake.dir, fake.kubeconfigPath, args);

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
});
