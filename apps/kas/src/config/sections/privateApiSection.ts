import { filePath, tlsFiles } from '@kas/config';
import {
  type PrivateApiConfig,
  privateApiConfigSchema,
  privateApiModule,
  privateApiSecretSchema,
} from '@kas/module-kube-proxy';
import { z } from 'zod';
import type { KasSection, KasSectionContext } from '../KasSection.js';
import { yamlText } from '../yamlText.js';

const moduleKeys = privateApiConfigSchema.shape;

/** `privateApi:` in kas.yaml: the module's keys, with the shared secret read from a file. */
export const privateApiSectionSchema = z
  .strictObject({
    listen: moduleKeys.listen.prefault('127.0.0.1:8155').describe('Where other replicas forward requests.'),
    advertiseAddress: moduleKeys.advertiseAddress.describe(
      "What the directory tells other replicas: this replica's address on the pod network. Set it (`KAS_PRIVATE_API__ADVERTISE_ADDRESS=$(POD_IP):8155`) when listening on `0.0.0.0`.",
    ),
    sharedSecretFile: filePath().describe(
      'A file holding the secret every replica shares (16 characters or more): the private API checks it, every kube proxy sends it.',
    ),
    tls: tlsFiles()
      .extend({
        caFile: filePath().describe("The CA that signed every replica's private API certificate."),
        serverName: yamlText()
          .optional()
          .describe(
            'The name those certificates carry, when they do not name the pod IPs replicas are dialled by.',
          ),
      })
      .optional()
      .meta({ defaultText: 'none (plaintext, for a pod network that is already private)' })
      .describe(
        "TLS between replicas (every replica alike). The shared secret authenticates every forwarded call either way. With it, the private API serves TLS with `certFile` / `keyFile`, and the kube proxy reaches other replicas over TLS, trusting `caFile`, checking their certificates against `serverName` when given, else against the advertised address. A replica that does not trust another's certificate answers 502 for the requests it would forward there, and its log's `request.unrouted` line says so.",
      ),
    maxTunnelWait: moduleKeys.maxTunnelWait,
    drainBudget: moduleKeys.drainBudget,
    handshakeTimeout: moduleKeys.handshakeTimeout,
    keepalive: moduleKeys.keepalive,
  })
  .describe(
    'Where other replicas forward requests for agents whose tunnels are here: the `private-api` module.',
  );

/** The `private-api` module's config from the section, the replica id and the shared secret. */
export async function toPrivateApiConfig(
  section: z.output<typeof privateApiSectionSchema>,
  { config, files }: KasSectionContext,
): Promise<PrivateApiConfig> {
  const { sharedSecretFile, tls, ...rest } = section;
  return {
    ...rest,
    replicaId: config.replica.id,
    secret: await files.readSecret(
      sharedSecretFile,
      ['privateApi', 'sharedSecretFile'],
      privateApiSecretSchema,
    ),
    tls: tls === undefined ? undefined : await files.readTlsKeyPair(tls, ['privateApi', 'tls']),
  };
}

/** `privateApi:`: the listener other replicas forward to. */
export const privateApiSection: KasSection<'privateApi', typeof privateApiSectionSchema> = {
  key: 'privateApi',
  schema: privateApiSectionSchema,
  create: async (section, kas) => [privateApiModule(await toPrivateApiConfig(section, kas))],
};
