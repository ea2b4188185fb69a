import { request } from 'node:https';
import type { Duplex } from 'node:stream';

/** What kas answered a raw upgrade request: its status and body, or the switched connection. */
export interface RawUpgradeAnswer {
  readonly status: number;
  readonly body: string;
  /** The connection, when kas switched it (status 101); the caller destroys it. */
  readonly socket?: Duplex;
}

/**
 * Asks kas to switch a connection for an exec of `command` in pod web-0 (WebSocket `v5.channel.k8s.io`
 * with a GET, or SPDY with a POST), as client-node does: no kubectl reading the pod first.
 */
export function rawUpgrade(
  url: string,
  ca: string,
  token: string,
  upgrade: string,
  command: readonly string[] = ['echo', 'hi'],
): Promise<RawUpgradeAnswer> {
  const query = [
    ...command.map((part) => `command=${encodeURIComponent(part)}`),
    'stdin=true',
    'stdout=true',
  ];
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/v1/namespaces/default/pods/web-0/exec?${query.join('&')}`, {
      ca,
      method: upgrade === 'websocket' ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        connection: 'Upgrade',
        upgrade,
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
        'sec-websocket-protocol': 'v5.channel.k8s.io',
        'x-stream-protocol-version': 'v4.channel.k8s.io',
      },
    });
    req.on('upgrade', (_response, socket) => resolve({ status: 101, body: '', socket }));
    req.on('response', (response) => {
      let body = '';
      response.on('data', (chunk) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
