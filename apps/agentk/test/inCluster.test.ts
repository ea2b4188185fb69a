import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { get, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { createDevCertificates } from '@kas/dev-certificates';
import { type FakeKubeApi, startFakeKubeApi } from '@kas/fake-kube-api';
import { type RunningProcess, scaledMs } from '@kas/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadAgentkOptions } from '../src/config/loadAgentkOptions.js';
import { parseAgentkArgs } from '../src/index.js';
import { startAgentkProcess, type TokenFiles, writeTokenFiles } from './support/startAgentk.js';
import { type KasReplica, startKasReplica } from './support/startKasReplica.js';

function fetchThrough(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => get(url, resolve).on('error', reject));
}

/** Replaces a file at once, as the kubelet swaps a projected token (never a half-written file). */
async function replaceFile(path: string, content: string): Promise<void> {
  await writeFile(`${path}.next`, content);
  await rename(`${path}.next`, path);
}

describe('agentk in a cluster (no --kube-api)', () => {
  let api: FakeKubeApi;
  let kas: KasReplica;
  let tokens: TokenFiles;
  let serviceAccount: string;
  let agentk: RunningProcess | undefined;
  beforeEach(async () => {
    const certificates = await createDevCertificates();
    serviceAccount = await mkdtemp(join(tmpdir(), 'agentk-sa-'));
    await writeFile(join(serviceAccount, 'ca.crt'), certificates.ca.cert);
    await writeFile(join(serviceAccount, 'token'), 'service-account-token-1\n');
    [api, kas, tokens] = await Promise.all([
      startFakeKubeApi({ tls: certificates.server, tokens: ['service-account-token-1'] }),
      startKasReplica(),
      writeTokenFiles(),
    ]);
  });
  afterEach(async () => {
    await agentk?.stop();
    await kas.stop();
    await api.stop();
    await tokens.remove();
    await rm(serviceAccount, { recursive: true, force: true });
  });

  it('serves the API of KUBERNETES_SERVICE_HOST/PORT with the cluster CA, says so, and follows a rotated token', {
    timeout: scaledMs(90_000),
  }, async () => {
    agentk = startAgentkProcess(
      [
        '--kas',
        kas.server.address,
        '--token-file',
        tokens.fileOf('agent-1'),
        '--service-account-dir',
        serviceAccount,
      ],
      {
        KUBERNETES_SERVICE_HOST: '127.0.0.1',
        KUBERNETES_SERVICE_PORT: String(api.port),
        AGENTK_KUBE_API: undefined as unknown as string,
      },
    );
    const said = await agentk.waitForLog({ event: 'kubeApi.inCluster' }, 60_000); // a process start on a loaded machine
    expect(said).toMatchObject({
      kubeApi: `https://127.0.0.1:${api.port}`,
      tokenFile: join(serviceAccount, 'token'),
    });
    expect(JSON.stringify(agentk.logs())).not.toContain('service-account-token-1');
    await agentk.waitForLog({ event: 'tunnels.ready' }, 60_000);

    const before = await fetchThrough(`${kas.consumerUrl}/agent-1/api/v1/namespaces`);
    expect(before.statusCode).toBe(200);
    expect(JSON.parse(await text(before))).toMatchObject({ kind: 'NamespaceList' });

    // The kubelet rotates the token; the old one then expires and the API refuses it.
    await replaceFile(join(serviceAccount, 'token'), 'service-account-token-2\n');
    api.acceptTokens(['service-account-token-2']);

    // agentk reads the file again at the latest after a 401 (and every minute): at most one refusal.
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 2 && statuses.at(-1) !== 200; attempt++) {
      const answer = await fetchThrough(`${kas.consumerUrl}/agent-1/api/v1/namespaces`);
      await text(answer);
      statuses.push(answer.statusCode ?? 0);
    }
    expect(statuses.at(-1)).toBe(200);
    expect(statuses.slice(0, -1).every((status) => status === 401)).toBe(true);
  });

  it('outside a pod, without --kube-api, says what to give', async () => {
    const args = parseAgentkArgs([
      'node',
      'agentk',
      '--kas',
      '127.0.0.1:8150',
      '--token-file',
      tokens.fileOf('agent-1'),
    ]);
    await expect(loadAgentkOptions(args, {})).rejects.toThrow(
      'no --kube-api, and not in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set',
    );
    const inPod = parseAgentkArgs([
      'node',
      'agentk',
      '--kas',
      '127.0.0.1:8150',
      '--token-file',
      tokens.fileOf('agent-1'),
      '--service-account-dir',
      join(serviceAccount, 'missing'),
    ]);
    await expect(
      loadAgentkOptions(inPod, { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }),
    ).rejects.toMatchObject({ code: 'AGENTK_FILE_UNREADABLE' });
  });
});
