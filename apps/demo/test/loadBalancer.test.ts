import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type LoadBalancer, startLoadBalancer } from '../src/index.js';

/** A backend that answers every request with its name, and a readiness probe the test switches. */
async function startBackend(name: string) {
  const backend = { name, isReady: true, server: undefined as Server | undefined, port: 0 };
  const server = createServer((req, res) => {
    if (req.url === '/readiness') res.writeHead(backend.isReady ? 200 : 503).end();
    else res.end(name);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  backend.server = server;
  backend.port = (server.address() as AddressInfo).port;
  return backend;
}

/** GET / over a new connection (or the given keep-alive agent) through the balancer: the backend's name. */
function get(port: number, agent: Agent | false = false): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path: '/', agent }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}

describe('the local load balancer', () => {
  let balancer: LoadBalancer | undefined;
  const servers: Server[] = [];
  afterEach(async () => {
    await balancer?.close();
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
  });

  it('sends new connections round-robin to ready backends only, and leaves open connections where they are', async () => {
    const [a, b] = [await startBackend('a'), await startBackend('b')];
    servers.push(a.server as Server, b.server as Server);
    balancer = await startLoadBalancer(
      [a, b].map((backend) => ({
        id: backend.name,
        port: backend.port,
        readinessUrl: `http://127.0.0.1:${backend.port}/readiness`,
      })),
      { probeIntervalMs: 20 },
    );
    await balancer.waitUntilReady('a');
    await balancer.waitUntilReady('b');
    const answers = [];
    for (let index = 0; index < 4; index += 1) answers.push(await get(balancer.port));
    expect(answers.sort()).toEqual(['a', 'a', 'b', 'b']);

    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
    const pinned = await get(balancer.port, keepAlive);
    const other = pinned === 'a' ? b : a;
    (pinned === 'a' ? a : b).isReady = false;
    const lb = balancer;
    await expect.poll(() => lb.stats().ready, { timeout: 5_000 }).toEqual([other.name]);
    expect(await get(balancer.port)).toBe(other.name);
    expect(await get(balancer.port)).toBe(other.name);
    expect(await get(balancer.port, keepAlive)).toBe(pinned); // the open connection stays
    keepAlive.destroy();

    other.isReady = false;
    await expect.poll(() => lb.stats().ready, { timeout: 5_000 }).toEqual([]);
    await expect(get(balancer.port)).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(balancer.stats().noBackend).toBe(1);
  });
});
