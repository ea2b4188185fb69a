import { z } from 'zod';

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]/]+):(\d{1,5})$/;
const EXPECTED = "expected host:port, such as '0.0.0.0:8150', '127.0.0.1:0' or '[::1]:8150'";

/** An address split into its parts; an IPv6 host without its brackets. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const isHostPort = (value: string) => {
  const match = HOST_PORT.exec(value);
  return match !== null && Number(match[2]) <= 65_535;
};

/**
 * An address option, `host:port` (`[::1]:8150` for IPv6, port 0..65535; a listener's port 0 picks a free
 * port). Stays a string after parsing, branded as checked, so `splitHostPort` can take it apart.
 */
export function hostPort() {
  const expected = (issue: { readonly input?: unknown }) =>
    `${EXPECTED} (got ${JSON.stringify(issue.input)})`;
  return z
    .string({ error: expected })
    .refine(isHostPort, { error: expected })
    .brand<'HostPort'>()
    .meta({ typeLabel: 'host:port' });
}

/** A `host:port` that `hostPort()` has checked. */
export type HostPortAddress = z.output<ReturnType<typeof hostPort>>;

/** Splits a checked `host:port` into its host (IPv6 without brackets) and port. */
export function splitHostPort(address: HostPortAddress): HostPort {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}

/** Formats a host and port as an address, bracketing an IPv6 host. */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}
