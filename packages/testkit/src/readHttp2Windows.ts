import { once } from 'node:events';
import { connect, type Settings } from 'node:http2';

/** What an HTTP/2 server lets a client have on its way before the client waits for a window update. */
export interface Http2Windows {
  /** The server's `SETTINGS_INITIAL_WINDOW_SIZE`: each stream's window. */
  readonly streamBytes: number | undefined;
  /** The connection's own window, after the server's first `WINDOW_UPDATE`. */
  readonly connectionBytes: number | undefined;
}

/**
 * Connects to a plaintext HTTP/2 server at `host:port` as a client would and reads the flow-control
 * windows it is given. A ping's answer comes after any `WINDOW_UPDATE` the server sent when the
 * connection began (HTTP/2 frames arrive in order), so no polling is needed.
 */
export async function readHttp2Windows(address: string): Promise<Http2Windows> {
  const session = connect(`http://${address}`);
  try {
    const [settings] = (await once(session, 'remoteSettings')) as [Settings];
    await new Promise<void>((resolve, reject) =>
      session.ping((error) => (error === null ? resolve() : reject(error))),
    );
    return { streamBytes: settings.initialWindowSize, connectionBytes: session.state.remoteWindowSize };
  } finally {
    session.destroy();
  }
}
