import { sha256Digest, text } from '@kas/config';
import { z } from 'zod';

/** An agent kas accepts: its id and the sha256 (hex) of its bearer token. */
export const agentCredentialSchema = z.strictObject({
  id: text().describe("The agent's id, e.g. `agent-1`."),
  tokenSha256: sha256Digest().describe(
    "`sha256sum` of the agent's token, 64 hex digits. kas never stores the token itself.",
  ),
});

/**
 * The agents a replica accepts. Several hashes may map to one id (token rotation); one hash may not map
 * to two ids. kas reads its agents file with this schema.
 */
export const agentCredentialsSchema = z
  .array(agentCredentialSchema)
  .meta({ typeLabel: 'list of { id, tokenSha256 }' })
  .readonly()
  .superRefine((agents, context) => {
    const idBySha256 = new Map<string, string>();
    for (const [index, agent] of agents.entries()) {
      const digest = agent.tokenSha256.toLowerCase();
      const other = idBySha256.get(digest);
      if (other !== undefined && other !== agent.id) {
        context.addIssue({
          code: 'custom',
          path: [index, 'tokenSha256'],
          message: `is also the token hash of agent "${other}": give each agent its own token`,
        });
      }
      idBySha256.set(digest, agent.id);
    }
  });

/** An agent kas accepts: its id and the sha256 (hex) of its bearer token. */
export type AgentCredential = z.output<typeof agentCredentialSchema>;
