import { type IncomingHttpHeaders, type IncomingMessage, request } from 'node:http';

/** A streaming answer (watch, followed log) read line by line. */
export interface OpenStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly lines: readonly string[];
  /** Resolves when at least `count` lines have arrived; rejects after 10 s with what came. */
  waitForLines(count: number): Promise<readonly string[]>;
  /** Resolves when the server ended the answer. */
  readonly ended: Promise<void>;
  /** Closes the connection from the client side. */
  close(): void;
}

/** Opens a GET over plain HTTP and resolves once the response head has arrived. */
export function openStream(url: string, accept?: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: accept === undefined ? {} : { accept } },
      (response: IncomingMessage) => {
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
        const ended = new Promise<void>((done) => response.once('end', () => done()));
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
              }, 10_000);
              waiters.add(check);
              check();
            }),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}
