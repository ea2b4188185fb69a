import { readFile } from 'node:fs/promises';
import type { PemSource } from '@kas/tunnel-protocol';
import { KubeProxyError } from '../errors/KubeProxyError.js';

/** Who reads a PEM, for the error: the module, the config key, and the error code of its start failure. */
export interface PemOwner {
  readonly module: 'kube-proxy' | 'private-api';
  readonly code: 'KAS_KUBE_PROXY_LISTEN_FAILED' | 'KAS_PRIVATE_API_LISTEN_FAILED';
}

const KUBE_PROXY: PemOwner = { module: 'kube-proxy', code: 'KAS_KUBE_PROXY_LISTEN_FAILED' };

/** Reads the configured certificate chain and key (files are read now). */
export async function loadTlsOptions(
  tls: { readonly cert: PemSource; readonly key: PemSource },
  owner: PemOwner = KUBE_PROXY,
): Promise<{ readonly cert: Buffer; readonly key: Buffer }> {
  const [cert, key] = await Promise.all([
    readPem(tls.cert, 'tls.cert', owner),
    readPem(tls.key, 'tls.key', owner),
  ]);
  return { cert, key };
}

/** A PEM given inline, or read from its file now. */
export async function readPem(source: PemSource, key: string, owner: PemOwner = KUBE_PROXY): Promise<Buffer> {
  if ('pem' in source) return Buffer.from(source.pem);
  try {
    return await readFile(source.file);
  } catch (error) {
    throw new KubeProxyError(
      owner.code,
      `${owner.module} config: ${key}: cannot read ${source.file}: ${(error as Error).message}`,
      `make ${source.file} readable by kas, or fix the path in ${key}.file`,
      { cause: error },
    );
  }
}
