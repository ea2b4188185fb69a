import type { IncomingMessage } from 'node:http';
import type { Header } from '@kas/tunnel-protocol';
import { isHopByHop } from './hopByHop.js';

/**
 * The answer's headers for the wire, from `rawHeaders` in one pass (`headersDistinct` would build an object
 * first): names lower-cased, repeated names merged in order, hop-by-hop fields dropped — but for a `101`
 * (`isSwitch`) its `upgrade` field, which names the protocol kas tells the client it switched to.
 */
export function responseHeaders(response: IncomingMessage, isSwitch: boolean): Header[] {
  const headers: Header[] = [];
  const raw = response.rawHeaders;
  for (let index = 0; index < raw.length; index += 2) {
    const name = (raw[index] as string).toLowerCase();
    if (isHopByHop(name) && !(isSwitch && name === 'upgrade')) continue;
    const value = raw[index + 1] as string;
    const seen = headers.find((header) => header.name === name);
    if (seen === undefined) headers.push({ name, values: [value] });
    else seen.values.push(value);
  }
  return headers;
}
