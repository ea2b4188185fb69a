import { Writable } from 'node:stream';
import { type Logger, pino } from 'pino';

/** A pino logger at `debug` that keeps every line it writes, parsed, for assertions. */
export function captureLogs(): { readonly logger: Logger; readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) {
        if (text !== '') lines.push(JSON.parse(text) as Record<string, unknown>);
      }
      callback();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}
