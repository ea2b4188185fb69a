/** What the operating system's listen errors mean, by their code. */
const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'another process already listens on this port (EADDRINUSE)',
  EACCES: 'permission denied: ports below 1024 need privileges (EACCES)',
  EADDRNOTAVAIL: 'the host is not an address of this machine (EADDRNOTAVAIL)',
};

/**
 * Why a listener could not bind, in words: `EADDRINUSE`, `EACCES` and `EADDRNOTAVAIL` (found in the
 * error's `code` or, for grpc-js, which wraps them, in its message) are explained; any other error keeps
 * its own message.
 */
export function describeListenFailure(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = String(message ?? error);
  const known =
    typeof code === 'string' && code in REASONS
      ? code
      : Object.keys(REASONS).find((name) => text.includes(name));
  return known === undefined ? text : (REASONS[known] as string);
}

/**
 * The fix for a listener that could not bind: free the port or listen elsewhere. `key` is the option
 * that sets the address (e.g. `kubeProxy.listen`).
 */
export function listenFailureFix(key: string, address: string): string {
  const port = address.slice(address.lastIndexOf(':') + 1);
  return `stop the process that listens on port ${port} (ss -ltnp 'sport = :${port}' shows it), or set another address in ${key}; port 0 picks a free one`;
}
