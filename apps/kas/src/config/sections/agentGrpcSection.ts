import { duration, filePath, tlsFiles } from '@kas/config';
import {
  type AgentGrpcServerConfig,
  agentCredentialsSchema,
  agentGrpcServerConfigSchema,
  agentGrpcServerModule,
} from '@kas/module-agent-grpc';
import { z } from 'zod';
import type { KasSection, KasSectionContext } from '../KasSection.js';

/**
 * How much longer than the user-traffic drains the agent server lets busy tunnels finish, by default: the
 * kube proxy ends its requests at its budget (watches with their final chunk) while the tunnels under
 * them are still whole; cut at the same moment, a watch would end with a broken stream instead.
 */
export const BUSY_TUNNEL_MARGIN_MS = 10_000;

const moduleKeys = agentGrpcServerConfigSchema.shape;

/** `agentGrpc:` in kas.yaml: the module's keys, with the agents read from a file and TLS as file paths. */
export const agentGrpcSectionSchema = z
  .strictObject({
    listen: moduleKeys.listen.prefault('127.0.0.1:8150').describe('Where agents connect.'),
    tls: tlsFiles()
      .optional()
      .meta({ defaultText: 'none (plaintext)' })
      .describe('PEM certificate chain and key for the agent listener.'),
    agentsFile: filePath().describe(
      'A YAML list of `{ id, tokenSha256 }`: the agents this replica accepts, by the sha256 (hex) of their tokens (`printf %s "$token" | sha256sum`). Unknown or missing tokens get `UNAUTHENTICATED`.',
    ),
    keepalive: moduleKeys.keepalive,
    maxMessageBytes: moduleKeys.maxMessageBytes,
    maxTunnelsPerAgent: moduleKeys.maxTunnelsPerAgent,
    acquireTimeout: moduleKeys.acquireTimeout,
    handshakeTimeout: moduleKeys.handshakeTimeout,
    idleTunnelTimeout: moduleKeys.idleTunnelTimeout,
    drainBudget: duration()
      .optional()
      .meta({
        defaultText:
          'the longer of `kubeProxy.drainBudget` and `privateApi.drainBudget` plus 10 s (1 h 10 s with their defaults)',
      })
      .describe(
        'How long tunnels busy with in-flight requests may finish after GOAWAY. The margin lets the kube proxy end its requests at its own budget (watches with a clean end, so informers watch again) while the tunnels under them are still whole. Never shorter than those budgets: `kas-graph lint` checks it.',
      ),
  })
  .describe('Where agents connect (outbound from their clusters): the `agent-grpc-server` module.');

/** The `agent-grpc-server` module's config from the section, the agents file and the drains. */
export async function toAgentGrpcServerConfig(
  section: z.output<typeof agentGrpcSectionSchema>,
  { config, files }: KasSectionContext,
): Promise<AgentGrpcServerConfig> {
  const { tls, agentsFile, drainBudget, ...rest } = section;
  return {
    ...rest,
    tls: tls === undefined ? undefined : await files.readTlsKeyPair(tls, ['agentGrpc', 'tls']),
    agents: await files.readYaml(
      agentsFile,
      ['agentGrpc', 'agentsFile'],
      agentCredentialsSchema,
      '- id: agent-1\n  tokenSha256: <sha256 of the token>',
    ),
    drainBudget:
      drainBudget ??
      Math.max(config.kubeProxy.drainBudget, config.privateApi.drainBudget) + BUSY_TUNNEL_MARGIN_MS,
  };
}

/** `agentGrpc:`: the agent-facing gRPC server. */
export const agentGrpcSection: KasSection<'agentGrpc', typeof agentGrpcSectionSchema> = {
  key: 'agentGrpc',
  schema: agentGrpcSectionSchema,
  create: async (section, kas) => [agentGrpcServerModule(await toAgentGrpcServerConfig(section, kas))],
};
