import { filePath, tlsFiles } from '@kas/config';
import {
  type KubeProxyConfig,
  kubeProxyConfigSchema,
  kubeProxyModule,
  kubeProxyUsersSchema,
  privateApiSecretSchema,
} from '@kas/module-kube-proxy';
import { z } from 'zod';
import type { KasSection, KasSectionContext } from '../KasSection.js';

const moduleKeys = kubeProxyConfigSchema.shape;

/**
 * `kubeProxy:` in kas.yaml: the module's keys, with the users read from a file and TLS as file paths.
 * The shared secret and the TLS trust between replicas come from `privateApi:`.
 */
export const kubeProxySectionSchema = z
  .strictObject({
    listen: moduleKeys.listen.prefault('127.0.0.1:8443').describe('Where users (kubectl) connect.'),
    tls: tlsFiles()
      .optional()
      .meta({ defaultText: 'none; required unless `plainHttp`' })
      .describe('PEM certificate chain and key: kubectl sends bearer tokens only over HTTPS.'),
    plainHttp: moduleKeys.plainHttp.describe(
      'Plain HTTP instead of HTTPS, only behind a TLS-terminating proxy (kubectl sends no token over plain HTTP). Setting it together with `tls` is an error.',
    ),
    usersFile: filePath().describe(
      "A YAML list of `{ name, tokenSha256, agents }`. A user's token is `user:<agent-id>:<secret>` and `tokenSha256` is the sha256 of `<secret>`; see the kube proxy's README for a kubeconfig.",
    ),
    tunnelWait: moduleKeys.tunnelWait,
    directoryPollInterval: moduleKeys.directoryPollInterval,
    listenGrace: moduleKeys.listenGrace,
    drainBudget: moduleKeys.drainBudget,
    maxUpgradesPerAgent: moduleKeys.maxUpgradesPerAgent,
    maxUpgradesPerUser: moduleKeys.maxUpgradesPerUser,
    maxLongRunningPerUser: moduleKeys.maxLongRunningPerUser,
    upgradeIdleTimeout: moduleKeys.upgradeIdleTimeout,
    responseHeaderTimeout: moduleKeys.responseHeaderTimeout,
    privateApiConnectTimeout: moduleKeys.privateApiConnectTimeout,
    headersTimeout: moduleKeys.headersTimeout,
    requestTimeout: moduleKeys.requestTimeout,
    keepAliveTimeout: moduleKeys.keepAliveTimeout,
    handshakeTimeout: moduleKeys.handshakeTimeout,
  })
  .describe('Where users (kubectl) reach their clusters: the `kube-proxy` module.');

/** The `kube-proxy` module's config from the section, the users file and the private API's secret and CA. */
export async function toKubeProxyConfig(
  section: z.output<typeof kubeProxySectionSchema>,
  { config, files }: KasSectionContext,
): Promise<KubeProxyConfig> {
  const { tls, usersFile, ...rest } = section;
  const { privateApi } = config;
  const [users, privateApiSecret] = await Promise.all([
    files.readYaml(
      usersFile,
      ['kubeProxy', 'usersFile'],
      kubeProxyUsersSchema,
      '- name: alice\n  tokenSha256: <sha256 of the secret>\n  agents: [agent-1]',
    ),
    files.readSecret(privateApi.sharedSecretFile, ['privateApi', 'sharedSecretFile'], privateApiSecretSchema),
  ]);
  return {
    ...rest,
    tls: tls === undefined ? undefined : await files.readTlsKeyPair(tls, ['kubeProxy', 'tls']),
    users,
    privateApiSecret,
    privateApiTls:
      privateApi.tls === undefined
        ? undefined
        : {
            ca: await files.readCertificates(privateApi.tls.caFile, ['privateApi', 'tls', 'caFile']),
            serverName: privateApi.tls.serverName,
          },
  };
}

/** `kubeProxy:`: the Kubernetes API proxy over tunnels. */
export const kubeProxySection: KasSection<'kubeProxy', typeof kubeProxySectionSchema> = {
  key: 'kubeProxy',
  schema: kubeProxySectionSchema,
  create: async (section, kas) => [kubeProxyModule(await toKubeProxyConfig(section, kas))],
};
