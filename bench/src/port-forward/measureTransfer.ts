import { connect } from 'node:net';

/** One bulk download: bytes received and how long it took. */
export interface Transfer {
  readonly bytes: number;
  readonly seconds: number;
}

/** The one buffer every read of a download goes into (its bytes are only counted). */
const READ_BUFFER_BYTES = 256 * 1024;

/**
 * Downloads `GET /bytes?size=<bytes>` from 127.0.0.1:<port> and times it, from request to last byte.
 *
 * The body is read into one reused buffer (`onread`) and only counted: Node's HTTP client takes a fresh
 * 64 KiB buffer for every read, which the kernel pages in anew each time, and on a virtual machine that
 * made the benchmark's own client the slowest part of the straight path (3.7 ms of CPU per MiB, all of
 * one core), understating "direct".
 */
export function measureTransfer(port: number, bytes: number): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let head = '';
    let received: number | undefined;
    const finish = (error?: Error) => {
      socket.destroy();
      if (error !== undefined) reject(error);
      else resolve({ bytes, seconds: (performance.now() - startedAt) / 1000 });
    };
    const readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const socket = connect({
      host: '127.0.0.1',
      port,
      onread: {
        buffer: readBuffer,
        callback: (length) => {
          if (received === undefined) {
            head += readBuffer.toString('latin1', 0, length);
            const headEnd = head.indexOf('\r\n\r\n');
            if (headEnd < 0) return true;
            const statusLine = head.slice(0, head.indexOf('\r\n'));
            if (!/^HTTP\/1\.[01] 200 /.test(statusLine)) {
              finish(new Error(`GET /bytes through port ${port} answered ${statusLine}`));
              return false;
            }
            received = head.length - (headEnd + 4);
          } else received += length;
          if (received > bytes) finish(new Error(`received more than ${bytes} bytes through port ${port}`));
          else if (received === bytes) finish();
          return true;
        },
      },
    });
    socket.once('connect', () => {
      socket.write(`GET /bytes?size=${bytes} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    socket.once('error', (error) => finish(error));
    socket.once('end', () =>
      finish(new Error(`received ${received ?? 0} of ${bytes} bytes through port ${port}`)),
    );
  });
}
