import type { Http2Session } from 'node:http2';
import type { Server } from '@grpc/grpc-js';
import { http2ServersOf } from '../connections/http2ServersOf.js';

/**
 * How much a tunnel or Forward call may have on its way to its receiver before the sender waits for a
 * window update: 1 MiB per stream (HTTP/2's default of 64 KiB made a bulk transfer wait for a round trip
 * every 64 KiB: a port-forward through kas ran at a third of its speed), 4 MiB per connection so that a
 * few busy streams of one connection do not share one stream's worth. Backpressure still holds: a stream
 * whose reader is slow stops taking data once this much is buffered for it.
 */
export const FLOW_CONTROL_WINDOW = {
  streamBytes: 1024 * 1024,
  connectionBytes: 4 * 1024 * 1024,
} as const;

/**
 * Widens what the receiving side of every connection of a grpc-js server lets be in flight (HTTP/2
 * `SETTINGS_INITIAL_WINDOW_SIZE` for its streams and the connection's own window) to
 * {@link FLOW_CONTROL_WINDOW}. grpc-js has the `grpc-node.flow_control_window` option for channels only;
 * servers always announce HTTP/2's 64 KiB. Call it after `createConnectionInjector` or `bindAsync`, before
 * any connection arrives: it reaches the server's HTTP/2 servers through a field grpc-js does not export,
 * so it returns `false` (and changes nothing) when a grpc-js version no longer has it. A test of each
 * server checks the window a client sees.
 */
export function widenServerFlowControlWindow(server: Server): boolean {
  const http2Servers = http2ServersOf(server);
  if (http2Servers === undefined) return false;
  for (const http2Server of http2Servers) {
    http2Server.updateSettings({ initialWindowSize: FLOW_CONTROL_WINDOW.streamBytes });
    http2Server.on('session', (session: Http2Session) => {
      session.setLocalWindowSize(FLOW_CONTROL_WINDOW.connectionBytes);
    });
  }
  return true;
}
