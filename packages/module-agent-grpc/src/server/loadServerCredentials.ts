import { readFile } from 'node:fs/promises';
import { ServerCredentials } from '@grpc/grpc-js';
import type { PemSource } from '@kas/tunnel-protocol';
import type { ResolvedAgentGrpcServerConfig } from '../config/agentGrpcServerConfigSchema.js';
import { AgentGrpcError } from '../errors/AgentGrpcError.js';

/** TLS credentials from the configured certificate and key (read now if given as files), or plaintext. */
export async function loadServerCredentials(
  tls: ResolvedAgentGrpcServerConfig['tls'],
): Promise<ServerCredentials> {
  if (tls === undefined) return ServerCredentials.createInsecure();
  // One after the other, so that with both unreadable the error always names the certificate.
  const cert = await readPem(tls.cert, 'tls.cert');
  const key = await readPem(tls.key, 'tls.key');
  try {
    return ServerCredentials.createSsl(null, [{ cert_chain: cert, private_key: key }], false);
  } catch (error) {
    throw new AgentGrpcError(
      'KAS_INVALID_CONFIG',
      `agent-grpc-server config: tls.cert and tls.key are not a usable PEM certificate and key: ${(error as Error).message}`,
      'give a PEM certificate chain and its matching PEM private key',
      { cause: error },
    );
  }
}

async function readPem(source: PemSource, key: string): Promise<Buffer> {
  if ('pem' in source) return Buffer.from(source.pem);
  try {
    return await readFile(source.file);
  } catch (error) {
    throw new AgentGrpcError(
      'KAS_INVALID_CONFIG',
      `agent-grpc-server config: ${key}: cannot read ${source.file}: ${(error as Error).message}`,
      `make ${source.file} readable by kas, or fix the path in ${key}.file`,
      { cause: error },
    );
  }
}
