import { HOP_BY_HOP_HEADERS } from '@kas/tunnel-protocol';

// `authorization` is the user's credential for kas; the agent authenticates upstream with its own.
const NOT_FORWARDED: ReadonlySet<string> = new Set(['authorization', ...HOP_BY_HOP_HEADERS]);

/** Header fields by lower-case name, each with all its values in order. */
export type HeaderFields = Record<string, string[]>;

/**
 * The request headers to send upstream, from Node's `rawHeaders` in one pass: names lower-cased, values
 * kept in order, the user's credentials and hop-by-hop fields dropped, and so are fields that the request's
 * own `Connection` header names.
 */
export function upstreamRequestHeaders(rawHeaders: readonly string[]): HeaderFields {
  const headers: HeaderFields = Object.create(null);
  let connectionOptions: string | undefined;
  for (let index = 0; index < rawHeaders.length; index += 2) {
    const name = (rawHeaders[index] as string).toLowerCase();
    const value = rawHeaders[index + 1] as string;
    if (NOT_FORWARDED.has(name)) {
      if (name === 'connection')
        connectionOptions = connectionOptions === undefined ? value : `${connectionOptions},${value}`;
      continue;
    }
    const values = headers[name];
    if (values === undefined) headers[name] = [value];
    else values.push(value);
  }
  if (connectionOptions !== undefined) dropConnectionOptions(headers, connectionOptions);
  return headers;
}

/** The response headers to send to the client: hop-by-hop fields dropped (Node frames the body itself). */
export function clientResponseHeaders(
  upstream: Readonly<Record<string, readonly string[]>>,
  closeConnection: boolean,
): HeaderFields {
  const headers: HeaderFields = Object.create(null);
  let connectionOptions: string | undefined;
  for (const name in upstream) {
    const values = upstream[name] as string[];
    if (NOT_FORWARDED.has(name)) {
      if (name === 'connection') connectionOptions = values.join(',');
      // `authorization` in a response is no credential of the user; it is an ordinary header there.
      if (name !== 'authorization') continue;
    }
    headers[name] = values;
  }
  if (connectionOptions !== undefined) dropConnectionOptions(headers, connectionOptions);
  if (closeConnection) headers.connection = ['close'];
  return headers;
}

function dropConnectionOptions(headers: HeaderFields, options: string): void {
  for (const option of options.split(',')) {
    const name = option.trim().toLowerCase();
    if (name !== '') delete headers[name];
  }
}
