import { readFile } from 'node:fs/promises';
import type { PemSource } from '@kas/module-agent-grpc';
import { KubeProxyError } from '../errors/KubeProxyError.js';

/** Reads the configured certificate chain and key (files are read now). */
export async function loadTlsOptions(tls: {
  readonly cert: PemSource;
  readonly key: PemSource;
}): Promise<{ readonly cert: Buffer; readonly key: Buffer }> {
  const [cert, key] = await Promise.all([readPem(tls.cert, 'tls.cert'), readPem(tls.key, 'tls.key')]);
  return { cert, key };
}

async function readPem(source: PemSource, key: string): Promise<Buffer> {
  if ('pem' in source) return Buffer.from(source.pem);
  try {
    return await readFile(source.file);
  } catch (error) {
    throw new KubeProxyError(
      'KAS_KUBE_PROXY_LISTEN_FAILED',
      `kube-proxy config: ${key}: cannot read ${source.file}: ${(error as Error).message}`,
      `make ${source.file} readable by kas, or fix the path in ${key}.file`,
      { cause: error },
    );
  }
}
