/**
 * How often a Node HTTP server should look for requests over its `headersTimeout` or `requestTimeout`
 * (its `connectionsCheckingInterval`): a tenth of the shorter one, between 250 ms and 30 s. Node's default,
 * 30 s, lets a 1 s timeout fire up to 30 s late; each check walks the listener's connections, a few
 * microseconds per thousand. A `requestTimeoutMs` of 0 (no limit) is left out.
 */
export function timeoutCheckIntervalMs(headersTimeoutMs: number, requestTimeoutMs: number): number {
  const shortest = Math.min(
    headersTimeoutMs,
    requestTimeoutMs > 0 ? requestTimeoutMs : Number.POSITIVE_INFINITY,
  );
  return Math.min(30_000, Math.max(250, Math.round(shortest / 10)));
}
