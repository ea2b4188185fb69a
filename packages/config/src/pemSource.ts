import { z } from 'zod';
import { filePath } from './text.js';

const EXPECTED = "expected { file: '/etc/kas/tls.crt' } or { pem: '-----BEGIN ...' }";

/**
 * Where PEM text comes from: `{ pem }` inline, or `{ file }` read when the module starts. The same
 * shape as `@kas/tunnel-protocol`'s `PemSource` type.
 */
export function pemSource() {
  return z
    .union([z.strictObject({ pem: z.string().min(1) }), z.strictObject({ file: filePath() })], {
      error: EXPECTED,
    })
    .meta({ typeLabel: '{ pem } or { file }' });
}

/** A certificate chain and its private key, each a PEM source: what a TLS listener serves. */
export function tlsKeyPair() {
  return z
    .strictObject({
      cert: pemSource().describe('The PEM certificate chain.'),
      key: pemSource().describe('The PEM private key. A secret: never logged.'),
    })
    .meta({ typeLabel: '{ cert, key }' });
}

/** A certificate chain and key as two file paths: how a YAML config names a listener's TLS files. */
export function tlsFiles() {
  return z.strictObject({
    certFile: filePath().describe('PEM certificate chain.'),
    keyFile: filePath().describe('PEM private key (a secret: read from this file, never logged).'),
  });
}

/** `{ certFile, keyFile }` as the key pair a module takes. */
export function toTlsKeyPair(files: { readonly certFile: string; readonly keyFile: string }): {
  readonly cert: { readonly file: string };
  readonly key: { readonly file: string };
} {
  return { cert: { file: files.certFile }, key: { file: files.keyFile } };
}
