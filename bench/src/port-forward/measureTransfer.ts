import { request } from 'node:http';

/** One bulk download: bytes received and how long it took. */
export interface Transfer {
  readonly bytes: number;
  readonly seconds: number;
}

/** Downloads `GET /bytes?size=<bytes>` from 127.0.0.1:<port> and times it, from request to last byte. */
export function measureTransfer(port: number, bytes: number): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let received = 0;
    request({ host: '127.0.0.1', port, path: `/bytes?size=${bytes}`, agent: false }, (response) => {
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      response.on('end', () => {
        if (received !== bytes)
          reject(new Error(`received ${received} of ${bytes} bytes through port ${port}`));
        else resolve({ bytes: received, seconds: (performance.now() - startedAt) / 1000 });
      });
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
