import getPort from 'get-port';

/** A TCP port on 127.0.0.1 that nothing listens on right now. Prefer binding port 0 where the code allows it. */
export function freePort(): Promise<number> {
  return getPort({ host: '127.0.0.1' });
}
