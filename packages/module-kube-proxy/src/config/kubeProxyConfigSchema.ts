import { duration, hostPort, pemSource, positiveDuration, text, tlsKeyPair } from '@kas/config';
import { formatDuration } from '@kas/core';
import { z } from 'zod';
import { kubeProxyUsersSchema } from './kubeProxyUsersSchema.js';
import { privateApiSecretSchema } from './privateApiSecretSchema.js';

const upgradeCount = () =>
  z
    .number()
    .int()
    .min(1, {
      error: (issue) => `expected a whole number of at least 1 (got ${JSON.stringify(issue.input)})`,
    });

/**
 * The configuration of `kubeProxyModule`, with its defaults and docs (the README's configuration section
 * is generated from it). `listen`, `users`, `privateApiSecret` and `tls` (or `plainHttp`) are required.
 */
export const kubeProxyConfigSchema = z
  .strictObject({
    listen: hostPort().describe(
      'Where users (kubectl) connect: `host:port`, `[::1]:8443` for IPv6; port 0 picks a free port (read it from `KubeProxyToken`).',
    ),
    tls: tlsKeyPair()
      .optional()
      .meta({ defaultText: 'none; required unless `plainHttp`' })
      .describe(
        'Serve HTTPS with this certificate chain and key, each `{ file }` (read at start) or `{ pem }`. kubectl sends bearer tokens only over HTTPS.',
      ),
    plainHttp: z
      .boolean()
      .default(false)
      .describe(
        'Serve plain HTTP. kubectl then sends no token at all: only for tests, or behind a proxy that terminates TLS and adds the token. Setting it together with `tls` is an error.',
      ),
    users: kubeProxyUsersSchema.describe(
      "Who may use the proxy: `name` labels the user in logs and errors; `tokenSha256` is the sha256 (hex) of the secret part of the user's tokens, and no two users may share one; `agents` lists the agent ids the user may reach (no `:` or white space). Every agent id listed for some user is an agent kas knows; others are answered `404`.",
    ),
    privateApiSecret: privateApiSecretSchema.describe(
      "The shared secret of the private API, sent when forwarding to another replica: the same value as `private-api`'s `secret` on every replica. At least 16 characters. Never logged.",
    ),
    privateApiTls: z
      .strictObject({
        ca: pemSource().describe("The CA that signed every replica's private API certificate."),
        serverName: text()
          .optional()
          .describe(
            'The name those certificates carry, checked instead of the address dialled (replicas are dialled by their advertised address, usually a pod IP).',
          ),
      })
      .optional()
      .meta({ defaultText: 'none (plaintext)' })
      .describe(
        "Reach other replicas' private APIs over TLS. Give it exactly when every replica's `private-api` has `tls`. An unreadable CA file fails the start with `KAS_KUBE_PROXY_LISTEN_FAILED` naming the file.",
      ),
    privateApiConnectTimeout: positiveDuration()
      .prefault('10s')
      .describe(
        "How long another replica's private API may take to answer a new Forward call that carries a forwarded request: to complete the connection (TCP, TLS, HTTP/2) and send the call's response metadata, which a kas replica does as it accepts the call, before it waits for a tunnel. A replica that has not answered by then is taken for lost, as one whose heartbeats stopped: the request goes to another route, or is answered `502` (`KAS_FORWARD_FAILED`) instead of waiting for `responseHeaderTimeout`. Once connected, a replica of a kas version without heartbeats (it answers with its first reply only) is not bounded by it. The default is that of `private-api`'s `keepalive.timeout`, the time a replica has to answer a heartbeat.",
      ),
    tunnelWait: duration()
      .prefault('5s')
      .describe(
        'How long a request may look for a tunnel of its agent (here, on another replica, or while the agent reconnects) before it is answered `503` or `504`.',
      ),
    responseHeaderTimeout: duration()
      .prefault('60s')
      .describe(
        "How long a request may wait for its answer's head, from the moment it arrived (the tunnel wait included): an agent or Kubernetes API that never answers is then answered `504` with a `Status` naming the agent and `Connection: close`, and the request is cancelled upstream. Once the head has arrived nothing is cut: watches, logs -f and long answers stream on. Upgrades (exec, port-forward) are not bounded by it. 0: no limit.",
      ),
    headersTimeout: positiveDuration()
      .prefault('60s')
      .describe(
        "How long a client may take to send a request's headers (Node's `headersTimeout`); then it is answered `408` and its connection closed. Both timeouts are checked every tenth of the shorter one (at least every 250 ms, at most every 30 s), so they fire up to that much late.",
      ),
    requestTimeout: duration()
      .prefault('5m')
      .describe(
        "How long a client may take to send a whole request, body included (Node's `requestTimeout`); then `408`. Not below `headersTimeout`; 0: no limit. Upgraded connections are not bounded by it.",
      ),
    keepAliveTimeout: duration()
      .prefault('5s')
      .describe(
        "How long an idle keep-alive connection stays open after its last answer (Node's `keepAliveTimeout`). Behind a load balancer, longer than the balancer's idle timeout.",
      ),
    handshakeTimeout: positiveDuration()
      .prefault('10s')
      .describe(
        "How long a TLS handshake may take before the connection is closed (Node's `handshakeTimeout`, 120 s by default there): a connection that never sends its ClientHello does not stay for two minutes.",
      ),
    directoryPollInterval: positiveDuration()
      .prefault('250ms')
      .describe(
        "While requests wait for an agent, how often the tunnel directory is asked for it: one look-up per agent per interval, whatever the number of waiting requests. Also how long an answer that names replicas is reused for the agent's other requests (dropped at once when a route it named fails).",
      ),
    listenGrace: duration()
      .prefault('5s')
      .describe(
        'After the stop began (readiness false at once), how long new connections are still accepted, so load balancers notice.',
      ),
    drainBudget: duration()
      .prefault('1h')
      .describe(
        'How long requests in flight at stop (watches too) may continue before they are cut. Keep it at most the drain budget of `agent-grpc-server` (the linter checks). Exec, attach and port-forward sessions are requests in flight: they keep working through the stop until they end or this budget cuts them (a WebSocket client is told why: kubectl prints `kas ended the connection: …`).',
      ),
    maxUpgradesPerAgent: upgradeCount()
      .default(100)
      .describe(
        'How many upgraded connections (kubectl exec, attach, cp, port-forward) one agent may have open through this replica at once; one more is answered `429 TooManyRequests`.',
      ),
    maxUpgradesPerUser: upgradeCount()
      .default(20)
      .describe(
        'How many upgraded connections one user may have open through this replica at once; one more is answered `429 TooManyRequests`.',
      ),
    maxLongRunningPerUser: upgradeCount()
      .default(32)
      .describe(
        "How many watches and followed logs (`kubectl get -w`, `kubectl logs -f`, a controller's informers) one user may have in flight to one agent through this replica at once; one more is answered `429 TooManyRequests`. Each holds one of the agent's tunnels while it runs: keep it below agentk's `--max-tunnels` (64 by default), so that one user's watches cannot take every tunnel and leave other users' requests waiting.",
      ),
    upgradeIdleTimeout: duration()
      .prefault('4h')
      .describe(
        "An upgraded connection with no byte either way for this long is ended (the client is told why); `0`: never. The default is the kubelet's streaming idle timeout.",
      ),
  })
  .superRefine((config, context) => {
    if (config.requestTimeout !== 0 && config.requestTimeout < config.headersTimeout) {
      context.addIssue({
        code: 'custom',
        path: ['requestTimeout'],
        message: `must not be shorter than headersTimeout (${formatDuration(config.requestTimeout)} is below ${formatDuration(config.headersTimeout)}): a request's headers are part of it; 0 disables it`,
      });
    }
    if (config.tls !== undefined && config.plainHttp) {
      context.addIssue({
        code: 'custom',
        path: ['plainHttp'],
        message:
          'is set together with tls: give tls (kubectl sends tokens only over HTTPS), or plainHttp alone',
      });
    }
    if (config.tls === undefined && !config.plainHttp) {
      context.addIssue({
        code: 'custom',
        path: ['tls'],
        message:
          'is missing: give tls with a certificate and key (kubectl sends bearer tokens only over HTTPS), or set plainHttp: true explicitly',
      });
    }
  });

/** What `kubeProxyModule` takes: durations as milliseconds or strings such as `'5s'`. */
export type KubeProxyConfig = z.input<typeof kubeProxyConfigSchema>;
