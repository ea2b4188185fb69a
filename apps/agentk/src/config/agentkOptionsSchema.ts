import { duration, hostPort, positiveDuration, text } from '@kas/config';
import { z } from 'zod';
import type { BackoffOptions } from '../agent/Backoff.js';

/** Defaults of `AgentkOptions` (also shown by `agentk --help`). */
export const AGENTK_DEFAULTS = {
  minIdleTunnels: 4,
  maxTunnels: 64,
  drainBudget: '30s',
  registerTimeout: '10s',
} as const;

const count = (what: string) =>
  z
    .number({ error: `expected ${what} as a whole number above 0` })
    .int({ error: `expected ${what} as a whole number above 0` })
    .positive({ error: `expected ${what} as a whole number above 0` });

/** What the `agentk` module runs: one agent, or many independent ones sharing an upstream. */
export const agentkOptionsSchema = z.strictObject({
  agents: z
    .array(
      z.strictObject({
        name: text().describe('A label for logs.'),
        token: text().describe('The bearer token kas knows the agent by.'),
      }),
    )
    .min(1, { error: 'expected at least one agent' })
    .readonly()
    .describe('The agent identities this process runs.'),
  kasAddresses: z
    .array(hostPort())
    .min(1, { error: 'expected at least one kas address, host:port' })
    .readonly()
    .describe('kas addresses, `host:port`; agents spread over them and move on GOAWAY.'),
  kasTls: z
    .strictObject({ ca: z.string().optional().describe("A PEM bundle to trust instead of Node's CAs.") })
    .optional()
    .meta({ defaultText: 'none (plaintext)' })
    .describe("TLS to kas: `{ ca }` trusts that PEM bundle, `{}` trusts Node's CAs."),
  kubeApi: z
    .strictObject({
      url: text().describe('The Kubernetes API URL, e.g. `https://10.0.0.1:6443`.'),
      token: z.string().optional().describe('Sent as `authorization: Bearer <token>` upstream.'),
      tokenFile: z
        .strictObject({
          path: text().describe('The token file (a service account token).'),
          refreshMs: z
            .number()
            .int()
            .positive()
            .optional()
            .describe('How often it is read again. Default 60 s.'),
        })
        .optional()
        .describe(
          'Like `token`, read from this file and read again when it rotates, and at once after a 401. Wins over `token`.',
        ),
      ca: z.string().optional().describe('PEM CA bundle to trust for an `https` URL.'),
    })
    .describe('Where and how agentk reaches the Kubernetes API.'),
  inCluster: z
    .strictObject({ tokenFile: text(), caFile: text() })
    .optional()
    .describe("Set when `kubeApi` is the in-cluster API found from the pod's environment: said at start."),
  minIdleTunnels: count('an idle tunnel count')
    .default(AGENTK_DEFAULTS.minIdleTunnels)
    .describe('Idle tunnels each agent keeps.'),
  maxTunnels: count('a tunnel count')
    .default(AGENTK_DEFAULTS.maxTunnels)
    .describe('Tunnels each agent opens at most, idle and busy.'),
  backoff: z
    .custom<BackoffOptions>((value) => typeof value === 'object' && value !== null)
    .optional()
    .describe('Delays between reconnect attempts.'),
  registerTimeout: positiveDuration()
    .prefault(AGENTK_DEFAULTS.registerTimeout)
    .describe(
      'How long kas may take to register a new tunnel (its response metadata) before the tunnel is cancelled and counts as failed.',
    ),
  drainBudget: duration()
    .prefault(AGENTK_DEFAULTS.drainBudget)
    .describe('How long in-flight requests may finish at stop.'),
});

/** What `agentkModule` takes. */
export type AgentkOptions = z.input<typeof agentkOptionsSchema>;

/** One agent identity of an agentk process. */
export type AgentIdentity = z.input<typeof agentkOptionsSchema>['agents'][number];
