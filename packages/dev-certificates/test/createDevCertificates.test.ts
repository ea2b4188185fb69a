import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createDevCertificates } from '../src/index.js';

describe('createDevCertificates', () => {
  it('makes a CA whose server certificate an HTTPS client trusts for 127.0.0.1 and localhost', async () => {
    const { ca, server } = await createDevCertificates();
    const https = createServer({ cert: server.cert, key: server.key }, (_, response) => response.end('ok'));
    https.listen(0, '127.0.0.1');
    await once(https, 'listening');
    const { port } = https.address() as AddressInfo;
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const response = await fetchWithCa(`https://${host}:${port}/`, ca.cert);
        expect(response).toBe('ok');
      }
      await expect(fetchWithCa(`https://127.0.0.1:${port}/`, undefined)).rejects.toThrow(
        /self.signed|unable to verify/i,
      );
    } finally {
      https.close();
    }
  });
});

async function fetchWithCa(url: string, ca: string | undefined): Promise<string> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, agent: false }, (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end();
  });
}
