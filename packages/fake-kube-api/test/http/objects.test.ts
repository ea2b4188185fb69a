import { request } from 'node:http';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startFakeKubeApi } from '../../src/index.js';
import { sendRequest } from '../support/sendRequest.js';

const pod = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'demo' } },
  spec: { containers: [{ name: 'app', image: 'app:1', env: [{ name: 'A', value: '1' }] }] },
});

describe('objects over HTTP', () => {
  let api: FakeKubeApi;
  const pods = () => `${api.url}/api/v1/namespaces/default/pods`;
  const send = (path: string, options: Parameters<typeof sendRequest>[1] = {}) =>
    sendRequest(`${api.url}${path}`, options);

  beforeEach(async () => {
    api = await startFakeKubeApi();
  });
  afterEach(async () => {
    await api.stop();
  });

  it('creates an object as the real server does: 201, uid, creation time, resourceVersion, Pending', async () => {
    const answer = await sendRequest(`${pods()}?fieldManager=kubectl&fieldValidation=Strict`, {
      method: 'POST',
      body: { ...pod('web-0'), status: { phase: 'Running' } },
    });
    expect(answer.status).toBe(201);
    expect(answer.json()).toMatchObject({
      kind: 'Pod',
      apiVersion: 'v1',
      metadata: {
        name: 'web-0',
        namespace: 'default',
        uid: expect.any(String),
        resourceVersion: expect.any(String),
      },
      status: { phase: 'Pending' },
    });
    expect(String((answer.json().metadata as Record<string, unknown>).creationTimestamp)).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
    );
  });

  it('answers failures with Status bodies and their codes', async () => {
    await sendRequest(pods(), { method: 'POST', body: pod('web-0') });
    const failures = await Promise.all([
      sendRequest(pods(), { method: 'POST', body: pod('web-0') }),
      send('/api/v1/namespaces/nowhere/pods', { method: 'POST', body: pod('web-1') }),
      sendRequest(pods(), { method: 'POST', body: { metadata: { name: 'bare' }, spec: {} } }),
      sendRequest(pods(), { method: 'POST', body: { ...pod('x'), kind: 'ConfigMap' } }),
      sendRequest(`${pods()}/web-0`, {
        method: 'PUT',
        body: { ...pod('web-0'), metadata: { name: 'web-0', resourceVersion: '1' } },
      }),
      sendRequest(`${pods()}/web-0`, { method: 'POST', body: pod('web-0') }),
      sendRequest(pods(), { method: 'POST', body: pod('web-2'), contentType: 'application/yaml' }),
      sendRequest(`${pods()}?labelSelector=${encodeURIComponent('a in (b')}`),
      sendRequest(`${pods()}?dryRun=All`, { method: 'POST', body: pod('dry') }),
    ]);
    expect(failures.map((answer) => [answer.status, answer.json().reason, answer.json().message])).toEqual([
      [409, 'AlreadyExists', 'pods "web-0" already exists'],
      [404, 'NotFound', 'namespaces "nowhere" not found'],
      [422, 'Invalid', 'Pod "bare" is invalid: spec.containers: Required value'],
      [400, 'BadRequest', 'ConfigMap in version "v1" cannot be handled as a Pod'],
      [
        409,
        'Conflict',
        'Operation cannot be fulfilled on pods "web-0": the object has been modified; please apply your changes to the latest version and try again',
      ],
      [405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'],
      [415, 'UnsupportedMediaType', expect.stringContaining('application/json')],
      [400, 'BadRequest', expect.stringContaining('unable to parse requirement')],
      [400, 'BadRequest', 'dryRun is not served by the fake Kubernetes API'],
    ]);
    for (const answer of failures)
      expect(answer.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure' });
  });

  it('answers a path with a malformed percent-escape with 400 BadRequest, as the real server does, not 500', async () => {
    const answers = await Promise.all([
      send('/api/%ZZ'),
      send('/api/v1/namespaces/default/pods/web%E0%A4%A'),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.json()).toMatchObject({
        kind: 'Status',
        apiVersion: 'v1',
        status: 'Failure',
        reason: 'BadRequest',
        code: 400,
      });
    }
    expect(answers[0]?.json().message).toBe(
      'invalid URL escape in the path /api/%ZZ: "%ZZ" is not valid percent-encoding',
    );
  });

  it('answers an exec upgrade whose pod name is a malformed percent-escape with 400 BadRequest, not a thrown handler', async () => {
    const answer = await new Promise<{ status: number | undefined; body: string }>((resolve, reject) => {
      const sent = request(`${api.url}/api/v1/namespaces/default/pods/web%ZZ/exec?command=ls&stdout=1`, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-protocol': 'v5.channel.k8s.io',
        },
      });
      sent.once('upgrade', () => reject(new Error('upgraded')));
      sent.once('response', async (response) =>
        resolve({ status: response.statusCode, body: await text(response) }),
      );
      sent.once('error', reject);
      sent.end();
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({
      kind: 'Status',
      reason: 'BadRequest',
      message: expect.stringContaining('"web%ZZ" is not valid percent-encoding'),
    });
  });

  it('applies a strategic merge patch: maps merge, containers merge by name, env by name', async () => {
    await sendRequest(pods(), { method: 'POST', body: pod('web-0') });
    const answer = await sendRequest(`${pods()}/web-0`, {
      method: 'PATCH',
      contentType: 'application/strategic-merge-patch+json',
      body: {
        metadata: { labels: { tier: 'front' } },
        spec: {
          containers: [
            { name: 'app', image: 'app:2', env: [{ name: 'B', value: '2' }] },
            { name: 'side', image: 'side:1' },
          ],
        },
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({
      metadata: { labels: { app: 'demo', tier: 'front' } },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'app:2',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'side', image: 'side:1' },
        ],
      },
    });
  });

  it('applies a merge patch and a JSON patch, and answers 422 when a JSON patch test fails', async () => {
    await sendRequest(pods(), { method: 'POST', body: pod('web-0') });
    const merged = await sendRequest(`${pods()}/web-0`, {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { app: null, tier: 'back' } } },
    });
    expect(merged.json()).toMatchObject({ metadata: { labels: { tier: 'back' } } });
    const patched = await sendRequest(`${pods()}/web-0`, {
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      body: [{ op: 'replace', path: '/spec/containers/0/image', value: 'app:3' }],
    });
    expect(patched.json()).toMatchObject({ spec: { containers: [{ image: 'app:3' }] } });
    const failed = await sendRequest(`${pods()}/web-0`, {
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      body: [{ op: 'test', path: '/spec/containers/0/image', value: 'app:1' }],
    });
    expect([failed.status, failed.json().reason]).toEqual([422, 'Invalid']);
  });

  it('keeps status out of main-resource writes and takes it only through /status', async () => {
    await sendRequest(pods(), { method: 'POST', body: pod('web-0') });
    const main = await sendRequest(`${pods()}/web-0`, {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status: { phase: 'Running' } },
    });
    expect(main.json()).toMatchObject({ status: { phase: 'Pending' } });
    const status = await sendRequest(`${pods()}/web-0/status`, {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { status: { phase: 'Running' }, spec: { containers: [] } },
    });
    expect(status.json()).toMatchObject({
      status: { phase: 'Running' },
      spec: { containers: [{ name: 'app' }] },
    });
  });

  it('answers a deleted pod with the pod and a deleted ConfigMap with a success Status', async () => {
    await sendRequest(pods(), { method: 'POST', body: pod('web-0') });
    await send('/api/v1/namespaces/default/configmaps', {
      method: 'POST',
      body: { metadata: { name: 'cm' } },
    });
    const deletedPod = await sendRequest(`${pods()}/web-0`, { method: 'DELETE' });
    expect(deletedPod.json()).toMatchObject({ kind: 'Pod', metadata: { name: 'web-0' } });
    const deletedMap = await send('/api/v1/namespaces/default/configmaps/cm', { method: 'DELETE' });
    expect(deletedMap.json()).toMatchObject({
      kind: 'Status',
      status: 'Success',
      details: { name: 'cm', kind: 'configmaps' },
    });
    expect((await sendRequest(`${pods()}/web-0`)).status).toBe(404);
  });

  it('pages a list with limit and continue', async () => {
    for (const name of ['a', 'b', 'c']) await sendRequest(pods(), { method: 'POST', body: pod(name) });
    const first = (await sendRequest(`${pods()}?limit=2`)).json() as {
      items: { metadata: { name: string } }[];
      metadata: { continue: string };
    };
    expect(first.items.map((item) => item.metadata.name)).toEqual(['a', 'b']);
    expect(first.metadata).toMatchObject({ remainingItemCount: 1 });
    const second = (
      await sendRequest(`${pods()}?limit=2&continue=${first.metadata.continue}`)
    ).json() as typeof first;
    expect(second.items.map((item) => item.metadata.name)).toEqual(['c']);
    expect(second.metadata.continue).toBeUndefined();
  });
});
