import { afterEach, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startFakeKubeApi } from '../../src/index.js';
import { sendRequest } from '../support/sendRequest.js';

const TABLE =
  'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';

describe('discovery, tables and authentication', () => {
  let api: FakeKubeApi | undefined;
  const start = async (token?: string) => {
    api = await startFakeKubeApi(token === undefined ? {} : { token });
    return api;
  };
  afterEach(async () => {
    await api?.stop();
  });

  it('answers version, the legacy discovery documents (even to an aggregated Accept) and health', async () => {
    const { url } = await start();
    const [version, apiRoot, apis, v1, healthz, readyz] = await Promise.all([
      sendRequest(`${url}/version`),
      sendRequest(`${url}/api`, { accept: AGGREGATED }),
      sendRequest(`${url}/apis`, { accept: AGGREGATED }),
      sendRequest(`${url}/api/v1`),
      sendRequest(`${url}/healthz`),
      sendRequest(`${url}/readyz?verbose`),
    ]);
    expect(version.json()).toMatchObject({
      major: '1',
      minor: '32',
      gitVersion: expect.stringMatching(/^v1\.32\./),
    });
    expect(apiRoot.json()).toMatchObject({ kind: 'APIVersions', versions: ['v1'] });
    expect(apiRoot.headers['content-type']).toBe('application/json');
    const group = (name: string) => {
      const version = { groupVersion: `${name}.k8s.io/v1`, version: 'v1' };
      return { name: `${name}.k8s.io`, versions: [version], preferredVersion: version };
    };
    expect(apis.json()).toEqual({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [group('authentication'), group('authorization')],
    });
    const resources = (v1.json().resources as { name: string; verbs: string[]; shortNames?: string[] }[]).map(
      (resource) => resource.name,
    );
    expect(resources).toEqual([
      'configmaps',
      'events',
      'namespaces',
      'namespaces/status',
      'pods',
      'pods/attach',
      'pods/exec',
      'pods/log',
      'pods/portforward',
      'pods/status',
      'secrets',
      'services',
      'services/status',
    ]);
    expect([healthz.text, readyz.text]).toEqual(['ok', 'ok']);
  });

  it('serves an OpenAPI v3 index whose api/v1 document declares fieldValidation on each PATCH', async () => {
    const { url } = await start();
    const index = (await sendRequest(`${url}/openapi/v3`)).json() as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    const relative = index.paths['api/v1']?.serverRelativeURL ?? '';
    expect(relative).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    const document = await sendRequest(`${url}${relative}`);
    expect(document.headers['cache-control']).toBe('public, immutable');
    const path = (document.json().paths as Record<string, { patch?: Record<string, unknown> }>)[
      '/api/v1/namespaces/{namespace}/configmaps/{name}'
    ];
    expect(path?.patch).toMatchObject({
      'x-kubernetes-group-version-kind': { group: '', version: 'v1', kind: 'ConfigMap' },
      parameters: expect.arrayContaining([expect.objectContaining({ name: 'fieldValidation', in: 'query' })]),
    });
  });

  it('answers a Table when asked, with the columns kubectl prints', async () => {
    const fake = await start();
    fake.objects.create('configmaps', { metadata: { name: 'settings' }, data: { a: '1', b: '2' } });
    const table = (
      await sendRequest(`${fake.url}/api/v1/namespaces/default/configmaps?limit=500`, { accept: TABLE })
    ).json();
    expect(table).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: fake.objects.resourceVersion },
      rows: [{ cells: ['settings', 2, expect.any(String)], object: { kind: 'PartialObjectMetadata' } }],
    });
    expect((table.columnDefinitions as { name: string }[]).map((column) => column.name)).toEqual([
      'Name',
      'Data',
      'Age',
    ]);
    const plain = (await sendRequest(`${fake.url}/api/v1/namespaces/default/configmaps`)).json();
    expect(plain).toMatchObject({ kind: 'ConfigMapList', items: [{ metadata: { name: 'settings' } }] });
    expect((plain.items as Record<string, unknown>[])[0]).not.toHaveProperty('kind');
  });

  it('requires the bearer token, except for version and health asked without credentials', async () => {
    const { url } = await start('s3cret');
    const answers = await Promise.all([
      sendRequest(`${url}/api/v1/namespaces`),
      sendRequest(`${url}/api/v1/namespaces`, { token: 'wrong' }),
      sendRequest(`${url}/api/v1/namespaces`, { token: 's3cret' }),
      sendRequest(`${url}/version`),
      sendRequest(`${url}/version`, { token: 'wrong' }),
      sendRequest(`${url}/livez`),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([401, 401, 200, 200, 401, 200]);
    expect(answers[0]?.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'Unauthorized',
      reason: 'Unauthorized',
      code: 401,
    });
  });

  it('says what is wrong with an option', async () => {
    await expect(startFakeKubeApi({ token: 'has space' })).rejects.toMatchObject({
      code: 'KAS_FAKE_KUBE_INVALID_OPTION',
    });
    const first = await start();
    await expect(startFakeKubeApi({ port: first.port })).rejects.toMatchObject({
      code: 'KAS_FAKE_KUBE_LISTEN_FAILED',
      message: expect.stringContaining(`127.0.0.1:${first.port}`),
    });
  });
});
