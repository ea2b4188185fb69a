import { afterEach, describe, expect, it } from 'vitest';
import { type FakeKubeApi, startFakeKubeApi } from '../../src/index.js';
import { sendRequest } from '../support/sendRequest.js';

describe('the tokens the fake accepts', () => {
  let api: FakeKubeApi | undefined;
  afterEach(() => api?.stop());

  it('accepts any of a set, and a new set replaces it (a rotated service account token)', async () => {
    api = await startFakeKubeApi({ tokens: ['token-old', 'token-new'] });
    const status = async (token: string) =>
      (await sendRequest(`${api?.url}/api/v1/namespaces`, { token })).status;
    expect([await status('token-old'), await status('token-new'), await status('token-other')]).toEqual([
      200, 200, 401,
    ]);
    api.acceptTokens(['token-new']);
    expect([await status('token-old'), await status('token-new')]).toEqual([401, 200]);
    expect(() => api?.acceptTokens(['has space'])).toThrow('a token is empty or contains white space');
  });
});
