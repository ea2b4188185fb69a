import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../src/index.js';

const run = promisify(execFile);
const cli = (server: RedisServer, ...args: string[]) =>
  run('redis-cli', ['-h', server.host, '-p', String(server.port), ...args]).then((result) =>
    result.stdout.trim(),
  );

describe('startRedis', () => {
  let server: RedisServer | undefined;
  afterEach(async () => {
    await server?.stop();
  });

  it('starts a real redis-server on a free port without persistence', async () => {
    server = await startRedis();
    expect(await cli(server, 'PING')).toBe('PONG');
    expect(await cli(server, 'CONFIG', 'GET', 'save')).toBe('save');
    expect(await cli(server, 'CONFIG', 'GET', 'appendonly')).toBe('appendonly\nno');
  });

  it('kills it like an outage and restarts it empty on the same port', async () => {
    server = await startRedis();
    await cli(server, 'SET', 'k', 'v');
    await server.kill();
    await expect(cli(server, 'PING')).rejects.toThrow();
    await server.restart();
    expect(await cli(server, 'PING')).toBe('PONG');
    expect(await cli(server, 'GET', 'k')).toBe('');
  });
});
