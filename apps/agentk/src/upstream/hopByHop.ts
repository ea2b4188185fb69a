// Headers of one HTTP hop (RFC 9110 section 7.6.1); a proxy does not forward them.
const HOP_BY_HOP = new Set([
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

/** True for a lower-case header name that belongs to one HTTP hop only. */
export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name);
}
