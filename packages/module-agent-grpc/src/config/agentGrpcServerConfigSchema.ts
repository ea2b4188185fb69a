import { duration, hostPort, positiveDuration, tlsKeyPair } from '@kas/config';
import { z } from 'zod';
import { agentCredentialsSchema } from './agentCredentialsSchema.js';

/** The smallest `maxMessageBytes`: a 64 KiB body frame plus a generous head must fit. */
export const MIN_MAX_MESSAGE_BYTES = 128 * 1024;

/**
 * The configuration of `agentGrpcServerModule`, with its defaults and docs (the README's configuration
 * section is generated from it). Only `listen` and `agents` are required.
 */
export const agentGrpcServerConfigSchema = z.strictObject({
  listen: hostPort().describe(
    "Where agents connect: `host:port`, `[::1]:8150` for IPv6; port `0` picks a free port (read the real one from `AgentGrpcServerToken`'s `address` after start).",
  ),
  agents: agentCredentialsSchema.describe(
    'The agents this replica accepts: each agent id with the sha256 (64 hex digits) of its token. Several hashes may map to one id (token rotation); one hash may not map to two ids. A call with a missing, malformed or unknown bearer token is refused with `UNAUTHENTICATED`; the token never appears in a log.',
  ),
  tls: tlsKeyPair()
    .optional()
    .meta({ defaultText: 'none (plaintext)' })
    .describe(
      'Serve TLS. Each of `cert` and `key` is `{ pem }` or `{ file }` (read at start; an unreadable file fails the start with `KAS_INVALID_CONFIG` naming it).',
    ),
  keepalive: z
    .strictObject({
      time: positiveDuration()
        .prefault('30s')
        .describe(
          'How often kas sends a heartbeat on each tunnel of an agent that answers them (agentk does), idle or busy, before and after GOAWAY. They replace HTTP/2 keepalive pings, which Node cancels once a connection has GOAWAY (grpc-js then drops every call on it, and a busy tunnel must last until its request ends or the drain budget).',
        ),
      timeout: positiveDuration()
        .prefault('10s')
        .describe(
          'A tunnel whose heartbeat is not answered within this is ended as lost (`tunnel.lost`), so tunnels of a vanished agent go away; so is a busy one whose heartbeat cannot tell (it waits behind a request body) when the agent does not answer an HTTP/2 ping within this. agentk ends a tunnel on which it heard nothing from kas for `time` plus this, and reconnects.',
        ),
    })
    .prefault({}),
  maxMessageBytes: z
    .number()
    .int()
    .min(MIN_MAX_MESSAGE_BYTES, {
      error: (issue) =>
        `expected at least ${MIN_MAX_MESSAGE_BYTES} (a 64 KiB body frame and its head must fit; got ${JSON.stringify(issue.input)})`,
    })
    .default(4 * 1024 * 1024)
    .describe(
      'The largest message accepted or sent, in bytes (4 MiB by default; at least 128 KiB). A larger one ends its tunnel with `RESOURCE_EXHAUSTED` (`KAS_FRAME_TOO_LARGE`); grpc-js refuses messages over twice this size by itself (RESOURCE_EXHAUSTED, logged as `tunnel.endedByGrpc` with the agent and the limit).',
    ),
  maxTunnelsPerAgent: z
    .number()
    .int()
    .positive()
    .default(500)
    .describe(
      'Registered tunnels one agent may hold here; more are refused with `RESOURCE_EXHAUSTED` (`KAS_TUNNEL_LIMIT`).',
    ),
  acquireTimeout: positiveDuration()
    .prefault('10s')
    .describe('How long `acquire` waits for an idle tunnel when the caller gives no `timeoutMs`.'),
  handshakeTimeout: positiveDuration()
    .prefault('10s')
    .describe(
      'How long after it was accepted a connection must have carried a tunnel, or it is reset: a TCP health check, or a TLS handshake that never comes, does not stay open (grpc-js has no handshake timeout of its own). agentk opens its tunnels at once; a connection that carried one is never closed by this. Each tunnel, too, must send its descriptor within this time of its start, or it is refused (`KAS_DESCRIPTOR_TIMEOUT`); and a connection may hold at most `maxTunnelsPerAgent` + 20 streams at once (HTTP/2 refuses more), so calls that never register cannot pile up.',
    ),
  idleTunnelTimeout: duration()
    .prefault('60s')
    .describe(
      "`0` turns it off. Each tunnel's descriptor says how many idle tunnels the agent keeps (`idle_tunnels`; agentk sends its `--tunnels`). Every quarter of this timeout (at most every 15 s) the server ends, with status OK, each agent's idle tunnels beyond that number that have been idle this long, longest idle first; tunnels carrying a request are never ended. The registry hands out the most recently idle tunnel first, so when fewer requests come the extra tunnels stay idle and go. An agent that does not say (0) keeps all its tunnels. Counted as `tunnels.trimmed`.",
    ),
  drainBudget: duration()
    .prefault('1h')
    .describe(
      "How long busy tunnels may finish after GOAWAY before they are cut. Keep it at least the kube proxy's, or `kas-graph lint` flags it.",
    ),
});

/** What `agentGrpcServerModule` takes: durations as milliseconds or strings such as `'10s'`. */
export type AgentGrpcServerConfig = z.input<typeof agentGrpcServerConfigSchema>;

/** The configuration with every default filled in and every duration in milliseconds. */
export type ResolvedAgentGrpcServerConfig = z.output<typeof agentGrpcServerConfigSchema>;
