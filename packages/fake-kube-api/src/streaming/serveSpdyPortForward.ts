import type { Socket } from 'node:net';
import type { SpdyConnection } from '../spdy/SpdyConnection.js';
import type { SpdyStream } from '../spdy/SpdyStream.js';
import { forwardPort } from './forwardPort.js';

/** The pair of streams of one forwarded connection. */
interface PortRequest {
  data?: SpdyStream;
  error?: SpdyStream;
  socket?: Socket | undefined;
  isStarted?: boolean;
}

/**
 * port-forward over SPDY/3.1 (`portforward.k8s.io`), plain or tunnelled in WebSocket messages
 * (`SPDY/3.1+portforward.k8s.io`, kubectl 1.31+): each local connection is a pair of streams with headers
 * `streamType` (`data`, `error`), `port` and `requestID`; once both are open, the data stream is relayed
 * to the pod's service and a failure is written to the error stream.
 */
export function serveSpdyPortForward(
  connection: SpdyConnection,
  pod: string,
  servicePort: (port: number) => Promise<number | undefined>,
  pause: () => void,
  resume: () => void,
): void {
  const requests = new Map<string, PortRequest>();
  connection.on('stream', (stream) => {
    stream.reply();
    const requestId = stream.header('requestid') ?? '';
    const port = Number(stream.header('port'));
    const type = stream.header('streamtype');
    const pair = requests.get(requestId) ?? {};
    requests.set(requestId, pair);
    if (type === 'data') pair.data = stream;
    else if (type === 'error') pair.error = stream;
    else {
      stream.reset();
      return;
    }
    stream.on('close', () => {
      if (pair.data === stream) pair.socket?.destroy();
      requests.delete(requestId);
    });
    const { data, error } = pair;
    if (data === undefined || error === undefined || pair.isStarted === true) return;
    pair.isStarted = true;
    void servicePort(port).then((target) => {
      pair.socket = forwardPort(
        {
          write: (bytes) => data.write(bytes),
          end: () => data.end(),
          whenWritable: (listener) => data.whenWritable(listener),
          onData: (listener) => data.on('data', listener),
          onEnd: (listener) => data.on('end', listener),
          fail: (message) => {
            error.write(message);
            error.end();
            data.end();
          },
          pause,
          resume,
        },
        target,
        pod,
        port,
      );
      error.on('end', () => error.end());
    });
  });
}
