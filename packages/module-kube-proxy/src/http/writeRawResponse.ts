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
}
