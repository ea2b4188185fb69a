import type { Http2Server } from 'node:http2';
import type { Server } from '@grpc/grpc-js';

/**
 * The `node:http2` servers a grpc-js server accepts its connections with, after `createConnectionInjector`
 * or `bindAsync`. grpc-js does not export them: they are reached through a field it does not export, and
 * `undefined` says a grpc-js version no longer has it (each caller then runs without what it needed them
 * for, and says so; a test of each server checks it still works).
 */
export function http2ServersOf(server: Server): readonly Http2Server[] | undefined {
  const http2Servers = (server as unknown as { http2Servers?: unknown }).http2Servers;
  if (!(http2Servers instanceof Map) || http2Servers.size === 0) return undefined;
  const servers = [...http2Servers.keys()] as Http2Server[];
  return servers.every((http2Server) => typeof http2Server.updateSettings === 'function')
    ? servers
    : undefined;
}
