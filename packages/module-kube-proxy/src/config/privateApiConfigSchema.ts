import { duration, hostPort, positiveDuration, splitHostPort, text, tlsKeyPair } from '@kas/config';
import { z } from 'zod';
import { privateApiSecretSchema } from './privateApiSecretSchema.js';

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

/**
 * The configuration of `privateApiModule`, with its defaults and docs (the README's configuration section
 * is generated from it). `replicaId`, `listen` and `secret` are required.
 */
export const privateApiConfigSchema = z
  .strictObject({
    replicaId: text().describe(
      "This replica's id, unique among the replicas sharing a tunnel directory (the pod name).",
    ),
    listen: hostPort().describe(
      'Where other replicas forward requests: `host:port`; port 0 picks a free port.',
    ),
    advertiseAddress: hostPort()
      .optional()
      .meta({ defaultText: 'the bound address' })
      .describe(
        'Where other replicas dial this replica (the pod IP and port): what the tunnel directory tells them. Required when `listen` binds every interface (`0.0.0.0`, `::`).',
      ),
    secret: privateApiSecretSchema.describe(
      "The shared secret every replica's private API and kube proxy use; at least 16 characters. Compared in constant time, never logged.",
    ),
    tls: tlsKeyPair()
      .optional()
      .meta({ defaultText: 'none (plaintext, for a pod network that is already private)' })
      .describe(
        "Serve the private API over TLS with this certificate chain and key; every replica's kube proxy then needs `privateApiTls`. An unreadable file or an unusable pair fails the start with `KAS_PRIVATE_API_LISTEN_FAILED`.",
      ),
    maxTunnelWait: duration()
      .prefault('10s')
      .describe(
        'The longest a forwarded request waits here for an idle tunnel (the caller asks for what is left of its own tunnel wait).',
      ),
    drainBudget: duration()
      .prefault('1h')
      .describe('How long forwarded requests in flight at stop may continue before they are cut.'),
    handshakeTimeout: positiveDuration()
      .prefault('10s')
      .describe(
        'How long after it was accepted a connection must have carried a Forward call, or it is reset: a TCP health check, or a TLS handshake that never comes, does not stay open (grpc-js has no handshake timeout of its own). A replica calls at once; a connection that carried a call is never closed by this.',
      ),
    keepalive: z
      .strictObject({
        time: positiveDuration()
          .prefault('30s')
          .describe(
            'How often the private API sends a heartbeat on each Forward call, idle or busy, before and after GOAWAY (they replace HTTP/2 keepalive pings, which stop working once a connection has GOAWAY).',
          ),
        timeout: positiveDuration()
          .prefault('10s')
          .describe(
            'A call whose heartbeat the calling replica does not answer within this is cancelled (and one whose heartbeat waits behind an answer the caller has not read, when the caller does not answer an HTTP/2 ping within this); the caller cancels one on which it heard nothing for `time` plus this.',
          ),
      })
      .prefault({}),
  })
  .superRefine((config, context) => {
    if (config.advertiseAddress !== undefined) {
      const advertised = splitHostPort(config.advertiseAddress);
      if (WILDCARD_HOSTS.has(advertised.host) || advertised.port === 0) {
        context.addIssue({
          code: 'custom',
          path: ['advertiseAddress'],
          message: `${config.advertiseAddress} is not an address other replicas can dial: give this replica's own address and port, e.g. '10.0.3.7:8155'`,
        });
      }
    } else if (WILDCARD_HOSTS.has(splitHostPort(config.listen).host)) {
      context.addIssue({
        code: 'custom',
        path: ['advertiseAddress'],
        message: `is missing while listen (${config.listen}) binds every interface: give the address other replicas dial, e.g. '10.0.3.7:8155' (the pod IP)`,
      });
    }
  });

/** What `privateApiModule` takes: durations as milliseconds or strings such as `'10s'`. */
export type PrivateApiConfig = z.input<typeof privateApiConfigSchema>;
