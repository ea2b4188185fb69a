import type { Header } from '../generated/kas/http/v1/http.js';

/** Headers of one HTTP hop (RFC 9110 section 7.6.1), lower-case: no end of a tunnel forwards them. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Header fields by lower-case name, each with all its values in order (Node's `headersDistinct` shape). */
export type HeaderRecord = Readonly<Record<string, readonly string[] | undefined>>;

/** Turns a header record into the wire's header list; names are lower-cased. */
export function toHeaderList(headers: HeaderRecord): Header[] {
  const list: Header[] = [];
  for (const name in headers) {
    const values = headers[name];
    // The encoder only reads `values`; no copy is needed.
    if (values !== undefined && values.length > 0)
      list.push({ name: name.toLowerCase(), values: values as string[] });
  }
  return list;
}

/**
 * Turns the wire's header list into a record (a prototype-less object, so a header named `__proto__` is
 * just a header). Repeated names are merged in order.
 */
export function fromHeaderList(list: readonly Header[]): Record<string, string[]> {
  const headers: Record<string, string[]> = Object.create(null);
  for (const { name, values } of list) {
    const key = name.toLowerCase();
    const seen = headers[key];
    headers[key] = seen === undefined ? values : [...seen, ...values];
  }
  return headers;
}
