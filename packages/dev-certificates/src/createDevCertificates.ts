import { generate } from 'selfsigned';

/** A PEM certificate and its private key. */
export interface CertificateAndKey {
  readonly cert: string;
  readonly key: string;
}

/** A throwaway CA and a server certificate it signed. */
export interface DevCertificates {
  /** The CA: what clients trust (`ca` of Node TLS options, `certificate-authority-data` of a kubeconfig). */
  readonly ca: CertificateAndKey;
  /** For the server; valid for `localhost` and 127.0.0.1. */
  readonly server: CertificateAndKey;
}

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Makes a throwaway CA and a server certificate for `localhost` / 127.0.0.1, signed with SHA-256 on P-256
 * keys (fast to make; Node's TLS rejects selfsigned's SHA-1 default). For dev mode and tests only.
 */
export async function createDevCertificates(validForDays = 30): Promise<DevCertificates> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(notBeforeDate.getTime() + validForDays * ONE_DAY_MS);
  const ca = await generate([{ name: 'commonName', value: 'kas dev CA (throwaway)' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
  });
  return { ca: { cert: ca.cert, key: ca.private }, server: { cert: server.cert, key: server.private } };
}
