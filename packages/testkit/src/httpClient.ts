import { type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { scaledMs } from './timeoutScale.js';

/** A whole answer. */
export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** How to send a request: plain HTTP, or HTTPS trusting `ca`. */
export interface SendOptions {
  /** PEM of the CA that signed the server's certificate (HTTPS). */
  readonly ca?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Default `GET`. */
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends one request on a fresh connection and reads the whole answer. */
export function send(url: string, options: SendOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = open(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      response.once('error', reject);
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

/** A streaming answer (a watch, a followed log) read line by line. */
export interface OpenStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The complete lines so far. */
  readonly lines: readonly string[];
  /** Resolves when at least `count` lines have arrived; rejects after 10 s (times `TIMEOUT_SCALE`) with what came. */
  waitForLines(count: number): Promise<readonly string[]>;
  /** Resolves with how the answer ended: `'end'` (complete) or `'aborted'` (the connection was cut). */
  readonly ended: Promise<'end' | 'aborted'>;
  /** Closes the connection from the client side. */
  close(): void;
}

/** Sends a request on a fresh connection and resolves once the response head has arrived. */
export function openStream(url: string, options: SendOptions = {}): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = open(url, options, (response: IncomingMessage) => {
      const lines: string[] = [];
      const waiters = new Set<() => void>();
      let rest = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n');
        rest = parts.pop() ?? '';
        lines.push(...parts);
        for (const waiter of waiters) waiter();
      });
      const ended = new Promise<'end' | 'aborted'>((done) => {
        response.once('end', () => done('end'));
        response.once('aborted', () => done('aborted'));
        response.once('error', () => done('aborted'));
      });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        lines,
        ended,
        close: () => req.destroy(),
        waitForLines: (count) =>
          new Promise((done, fail) => {
            const check = () => {
              if (lines.length < count) return;
              waiters.delete(check);
              clearTimeout(timer);
              done(lines);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`${lines.length} of ${count} lines arrived: ${lines.join(' | ')}`));
            }, scaledMs(10_000));
            waiters.add(check);
            check();
          }),
      });
    });
    req.once('error', reject);
    req.end(options.body);
  });
}

function open(url: string, options: SendOptions, onResponse: (response: IncomingMessage) => void) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const requestOptions = { method: options.method ?? 'GET', headers, agent: false as const };
  return url.startsWith('https:')
    ? httpsRequest(url, { ...requestOptions, ca: options.ca }, onResponse)
    : request(url, requestOptions, onResponse);
}
