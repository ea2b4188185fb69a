import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { kubectl } from '@kas/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SecureFakeKubeApi, startSecureFakeKubeApi } from './support/startSecureFakeKubeApi.js';

describe('real kubectl: auth can-i, auth whoami, cluster-info and services against the fake', () => {
  let fake: SecureFakeKubeApi;
  const run = (...args: string[]) => kubectl(fake.dir, fake.kubeconfigPath, args);

  beforeAll(async () => {
    fake = await startSecureFakeKubeApi();
  });
  afterAll(async () => {
    await fake.stop();
  });

  it('answers `kubectl auth can-i` with yes, for resources and non-resource URLs', async () => {
    expect(await run('auth', 'can-i', 'get', 'pods')).toEqual({ code: 0, stdout: 'yes\n', stderr: '' });
    expect(await run('auth', 'can-i', 'create', 'pods', '--subresource=exec', '-A')).toEqual({
      code: 0,
      stdout: 'yes\n',
      stderr: '',
    });
    expect(await run('auth', 'can-i', 'get', '/healthz')).toEqual({ code: 0, stdout: 'yes\n', stderr: '' });
  });

  it('lists everything as allowed with `kubectl auth can-i --list`', async () => {
    const result = await run('auth', 'can-i', '--list');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n').map((line) => line.trim().split(/\s+/))).toEqual([
      ['Resources', 'Non-Resource', 'URLs', 'Resource', 'Names', 'Verbs'],
      ['*.*', '[]', '[]', '[*]'],
      ['[*]', '[]', '[*]'],
      [''],
    ]);
  });

  it('lists the authorization.k8s.io review resources in discovery, as a real server does', async () => {
    const result = await run('api-resources', '--api-group=authorization.k8s.io', '-o', 'name');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      'selfsubjectaccessreviews.authorization.k8s.io\nselfsubjectrulesreviews.authorization.k8s.io\n',
    );
    const authentication = await run('api-resources', '--api-group=authentication.k8s.io', '-o', 'name');
    expect(authentication).toEqual({
      code: 0,
      stdout: 'selfsubjectreviews.authentication.k8s.io\n',
      stderr: '',
    });
  });

  it("names the token's user with `kubectl auth whoami`, in a table and as JSON", async () => {
    const table = await run('auth', 'whoami');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout.split('\n').map((line) => line.trim().split(/\s{2,}/))).toEqual([
      ['ATTRIBUTE', 'VALUE'],
      ['Username', 'fake-kube-api:token-user'],
      ['Groups', '[system:authenticated]'],
      [''],
    ]);
    const json = await run('auth', 'whoami', '-o', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      status: { userInfo: { username: 'fake-kube-api:token-user', groups: ['system:authenticated'] } },
    });
  });

  it('prints the control plane address with `kubectl cluster-info`', async () => {
    const result = await run('cluster-info');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    // kubectl colours a few words of `cluster-info` even when stdout is not a terminal.
    expect(stripVTControlCharacters(result.stdout)).toBe(
      `Kubernetes control plane is running at ${fake.api.url}\n\n` +
        "To further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
    );
  });

  it('serves services: an empty list, then one applied from a manifest, as the table kubectl prints', async () => {
    expect(await run('get', 'services', '-A')).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No resources found\n',
    });
    const manifest = join(fake.dir, 'web-service.yaml');
    await writeFile(
      manifest,
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n' +
        '  ports:\n  - name: http\n    port: 80\n    targetPort: 8080\n',
    );
    expect(await run('apply', '-f', manifest)).toEqual({
      code: 0,
      stdout: 'service/web created\n',
      stderr: '',
    });
    const table = await run('get', 'svc', '-o', 'wide');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(
      /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR\nweb\s+ClusterIP\s+<none>\s+<none>\s+80\/TCP\s+\d+s\s+app=web\n$/,
    );
    expect(fake.api.objects.get('services', 'web')?.spec).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
    });
  });
});
