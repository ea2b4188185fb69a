import { HOP_BY_HOP_HEADERS } from '@kas/tunnel-protocol';

/** True for a lower-case header name that belongs to one HTTP hop only. */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP_HEADERS.has(name);
}
