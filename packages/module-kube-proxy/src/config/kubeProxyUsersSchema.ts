import { sha256Digest, text } from '@kas/config';
import { z } from 'zod';

const agentId = () =>
  z.string().regex(/^[^\s:]+$/, {
    error: (issue) =>
      `expected an agent id: non-empty, without ":" or white space (the token carries it between colons; got ${JSON.stringify(issue.input)})`,
  });

/** A user of the kube proxy: who may reach which agents with the secret of their token. */
export const kubeProxyUserSchema = z.strictObject({
  name: text().describe('A label for logs and errors (never the token).'),
  tokenSha256: sha256Digest().describe(
    'sha256 (hex) of the secret part of the user\'s token (`user:<agent-id>:<secret>`): `printf %s "$secret" | sha256sum`. kas never stores the secret itself.',
  ),
  agents: z
    .array(agentId())
    .min(1, { error: 'expected at least one agent id' })
    .readonly()
    .describe('The agent ids this user may reach.'),
});

/**
 * Who may use the kube proxy, and for which agents. No two users may share a token hash. kas reads its
 * users file with this schema.
 */
export const kubeProxyUsersSchema = z
  .array(kubeProxyUserSchema)
  .meta({ typeLabel: 'list of { name, tokenSha256, agents }' })
  .readonly()
  .superRefine((users, context) => {
    const nameBySha256 = new Map<string, string>();
    for (const [index, user] of users.entries()) {
      const digest = user.tokenSha256.toLowerCase();
      const other = nameBySha256.get(digest);
      if (other !== undefined) {
        context.addIssue({
          code: 'custom',
          path: [index, 'tokenSha256'],
          message: `is also the token hash of user "${other}": give each user a secret of their own`,
        });
      }
      nameBySha256.set(digest, user.name);
    }
  });

/** A user of the kube proxy: who may reach which agents with the secret of their token. */
export type KubeProxyUser = z.input<typeof kubeProxyUserSchema>;
