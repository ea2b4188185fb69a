import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type StatusAnswer, statusBody } from './kubeStatus.js';

/** The status line and header block of an HTTP/1.1 answer written straight to a socket. */
export function rawResponseHead(
  status: number,
  headers: Readonly<Record<string, readonly string[]>>,
): string {
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`;
  for (const name in headers) {
    for (const value of headers[name] as readonly string[]) {
      if (/[\r\n]/.test(value)) continue; // never let a value split the header block
      head += `${name}: ${value}\r\n`;
    }
  }
  return `${head}\r\n`;
}

/**
 * Answers a request that asked for a connection upgrade, and was not switched, with a Kubernetes `Status`
 * written to its socket, then closes the connection: kubectl prints the message.
 */
export function writeRawStatus(socket: Duplex, answer: StatusAnswer): void {
  const body = statusBody(answer);
  const headers: Record<string, string[]> = {
    'content-type': ['application/json'],
    'cache-control': ['no-cache, private'],
    'content-length': [String(Buffer.byteLength(body))],
    connection: ['close'],
  };
  if (answer.retryAfterSeconds !== undefined) headers['retry-after'] = [String(answer.retryAfterSeconds)];
  if (answer.code === 401) headers['www-authenticate'] = ['Bearer realm="kas"'];
  if (!socket.writable) return;
  socket.end(rawResponseHead(answer.code, headers) + body);
  closeAfterAnswer(socket);
}

/** How long a client may go on sending after its answer before kas closes the connection anyway. */
export const LINGER_MS = 5_000;

/**
 * Closes a connection kas has answered and ended (`socket.end()` already called): what the client still
 * sends (bytes it wrote before it read the answer, an upgrade's first frames) is read and dropped, so the
 * client sees the answer rather than a reset, and the connection is destroyed once the client closes its
 * half or `LINGER_MS` after the answer. Without this a client that kept sending, or never closed, held
 * the connection (and its place among the requests in flight, which a stop drains) forever.
 */
export function closeAfterAnswer(socket: Duplex): void {
  const timer = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(timer));
  // The client closed its half: the connection goes once the answer has left.
  socket.once('end', () => {
    if (socket.writableFinished) socket.destroy();
    else socket.once('finish', () => socket.destroy());
  });
  socket.resume();
}
