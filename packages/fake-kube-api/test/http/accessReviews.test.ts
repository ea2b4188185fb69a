import { afterEach, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startFakeKubeApi } from '../../src/index.js';
import { sendRequest } from '../support/sendRequest.js';

const REVIEWS = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

describe('authorization.k8s.io/v1 access reviews over HTTP', () => {
  let api: FakeKubeApi | undefined;
  afterEach(() => api?.stop());

  it('answers a JSON review 201 with allowed: true and why, and keeps its spec', async () => {
    api = await startFakeKubeApi();
    const spec = { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'secrets' } };
    const answer = await sendRequest(`${api.url}${REVIEWS}`, {
      method: 'POST',
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec },
    });
    expect(answer.status).toBe(201);
    expect(answer.json()).toEqual({
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec,
      status: {
        allowed: true,
        reason: 'the fake Kubernetes API has no RBAC: every request it authenticates is allowed',
      },
    });
  });

  it('refuses a review without attributes (422), another kind (400) and a GET (405), as the real server does', async () => {
    api = await startFakeKubeApi();
    const post = (body: unknown) => sendRequest(`${api?.url}${REVIEWS}`, { method: 'POST', body });
    const empty = await post({ kind: 'SelfSubjectAccessReview', spec: {} });
    expect(empty.status).toBe(422);
    expect(empty.json()).toMatchObject({
      reason: 'Invalid',
      message:
        'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    });
    const otherKind = await post({ kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } });
    expect(otherKind.json()).toMatchObject({ code: 400, reason: 'BadRequest' });
    const get = await sendRequest(`${api.url}${REVIEWS}`);
    expect(get.json()).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
  });

  it("answers a self review with the token's user, and with system:anonymous when the fake has no token", async () => {
    const path = '/apis/authentication.k8s.io/v1/selfsubjectreviews';
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
    api = await startFakeKubeApi({ token: 'secret-1' });
    const withToken = await sendRequest(`${api.url}${path}`, {
      method: 'POST',
      body,
      token: 'secret-1',
    });
    expect(withToken.status).toBe(201);
    expect(withToken.json()).toEqual({
      ...body,
      metadata: {},
      status: { userInfo: { username: 'fake-kube-api:token-user', groups: ['system:authenticated'] } },
    });
    await api.stop();
    api = await startFakeKubeApi();
    const anonymous = await sendRequest(`${api.url}${path}`, { method: 'POST', body });
    expect(anonymous.json()).toMatchObject({
      status: { userInfo: { username: 'system:anonymous', groups: ['system:unauthenticated'] } },
    });
  });
});
