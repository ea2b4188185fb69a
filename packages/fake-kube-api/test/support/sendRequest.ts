import type { IncomingHttpHeaders } from 'node:http';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** What a raw request to the fake answered. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON (throws if it is not). */
  json(): Record<string, unknown>;
}

/** Options of `sendRequest`. */
export interface RawRequestOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly token?: string;
  /** CA to trust for an `https://` URL. */
  readonly ca?: string;
}

/** Sends one request with node:http(s) and reads the whole answer. */
export function sendRequest(url: string, options: RawRequestOptions = {}): Promise<RawAnswer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: options.method ?? 'GET',
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        headers: {
          ...(body === undefined ? {} : { 'content-type': options.contentType ?? 'application/json' }),
          ...(options.accept === undefined ? {} : { accept: options.accept }),
          ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            json: () => JSON.parse(text) as Record<string, unknown>,
          });
        });
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
