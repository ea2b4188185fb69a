import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDevCertificates, type DevCertificates } from '@kas/dev-certificates';
import {
  type FakeKubeApi,
  type FakeKubeApiOptions,
  startFakeKubeApi,
  writeKubeconfig,
} from '../../src/index.js';

/** A fake API over HTTPS with a token, and a kubeconfig for it in a temporary folder. */
export interface SecureFakeKubeApi {
  readonly api: FakeKubeApi;
  readonly certificates: DevCertificates;
  readonly token: string;
  /** Temporary folder: the kubeconfig, kubectl's cache, manifests. Removed by `stop()`. */
  readonly dir: string;
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

export const TEST_TOKEN = 'test-token-7f3a';

let certificates: Promise<DevCertificates> | undefined;

/** Starts the fake with a throwaway CA's certificate and `TEST_TOKEN`; writes a kubeconfig for it. */
export async function startSecureFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<SecureFakeKubeApi> {
  certificates ??= createDevCertificates();
  const certs = await certificates;
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-api-test-'));
  const api = await startFakeKubeApi({ tls: certs.server, token: TEST_TOKEN, ...options });
  const kubeconfigPath = await writeKubeconfig({
    path: join(dir, 'kubeconfig'),
    server: api.url,
    caPem: certs.ca.cert,
    token: TEST_TOKEN,
  });
  return {
    api,
    certificates: certs,
    token: TEST_TOKEN,
    dir,
    kubeconfigPath,
    async stop() {
      await api.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
