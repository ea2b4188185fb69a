import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseConfig } from '@kas/config';
import type { AgentkArgs } from '../cli/parseAgentkArgs.js';
import { AgentkError } from '../errors/AgentkError.js';
import { type AgentIdentity, type AgentkOptions, agentkOptionsSchema } from './agentkOptionsSchema.js';

/** The flag each checked option comes from, for messages that name what to change. */
const FLAG_OF = {
  kasAddresses: '--kas',
  minIdleTunnels: '--tunnels',
  maxTunnels: '--max-tunnels',
  drainBudget: '--drain-budget',
} as const;

const flagsSchema = agentkOptionsSchema.pick({
  kasAddresses: true,
  minIdleTunnels: true,
  maxTunnels: true,
  drainBudget: true,
});

/**
 * Checks the parsed flags with the options' schema, then reads the files they name; errors name the flag
 * (`--kas: expected host:port ... (got "kas")`) or the file to fix. Without `--kube-api`, agentk serves its
 * own cluster's API as client-go's in-cluster config does:
 * `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the service account's token (read again
 * when the kubelet rotates it) and the cluster CA, from `--service-account-dir`.
 */
export async function loadAgentkOptions(
  args: AgentkArgs,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<AgentkOptions> {
  const flags = parseConfig(
    flagsSchema,
    {
      kasAddresses: args.kas,
      minIdleTunnels: args.tunnels,
      maxTunnels: Math.max(args.maxTunnels, args.tunnels),
      drainBudget: args.drainBudget,
    },
    (_problems, cause) =>
      new AgentkError(
        'AGENTK_INVALID_CONFIG',
        cause.issues
          .map((issue) => `${FLAG_OF[issue.path[0] as keyof typeof FLAG_OF]}: ${issue.message}`)
          .join('; '),
        'correct each flag named (or its AGENTK_* variable)',
        { cause },
      ),
  );
  const [agents, kubeToken, kubeCa, kasCa, inCluster] = await Promise.all([
    readIdentities(args),
    args.kubeTokenFile === undefined ? undefined : readText(args.kubeTokenFile, '--kube-token-file'),
    args.kubeCaFile === undefined ? undefined : readText(args.kubeCaFile, '--kube-ca-file'),
    args.kasCaFile === undefined ? undefined : readText(args.kasCaFile, '--kas-ca-file'),
    args.kubeApi === undefined ? readInClusterApi(args.serviceAccountDir, env) : undefined,
  ]);
  return {
    ...flags,
    agents,
    kasTls: kasCa !== undefined ? { ca: kasCa } : args.kasTls ? {} : undefined,
    kubeApi: inCluster?.kubeApi ?? { url: args.kubeApi as string, token: kubeToken, ca: kubeCa },
    ...(inCluster === undefined ? {} : { inCluster: inCluster.source }),
  };
}

async function readInClusterApi(
  serviceAccountDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ kubeApi: AgentkOptions['kubeApi']; source: NonNullable<AgentkOptions['inCluster']> }> {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host === undefined || host === '' || port === undefined || port === '') {
    invalid(
      'no --kube-api, and not in a pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set',
      'give --kube-api (and --kube-token-file, --kube-ca-file), or run agentk in a pod of the cluster',
    );
  }
  const tokenFile = join(serviceAccountDir, 'token');
  const caFile = join(serviceAccountDir, 'ca.crt');
  await readText(tokenFile, '--service-account-dir');
  const ca = await readText(caFile, '--service-account-dir');
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return { kubeApi: { url, tokenFile: { path: tokenFile }, ca }, source: { tokenFile, caFile } };
}

async function readIdentities(args: AgentkArgs): Promise<AgentIdentity[]> {
  if (args.tokenFilePattern !== undefined) {
    if (args.tokenFile !== undefined)
      invalid('--token-file and --token-file-pattern are both set', 'give one of them');
    if (!args.tokenFilePattern.includes('{i}')) {
      invalid(
        '--token-file-pattern has no {i}',
        'write it like tokens/agent-{i}.token; {i} runs from 1 to --agents',
      );
    }
    const files = Array.from({ length: args.agents }, (_, index) =>
      (args.tokenFilePattern as string).replaceAll('{i}', String(index + 1)),
    );
    return Promise.all(
      files.map(async (file) => ({
        name: nameOf(file),
        token: await readText(file, '--token-file-pattern'),
      })),
    );
  }
  if (args.tokenFile === undefined)
    invalid('no --token-file', 'give --token-file (or --agents N with --token-file-pattern)');
  if (args.agents > 1)
    invalid(`--agents ${args.agents} needs --token-file-pattern`, 'give each agent its own token file');
  return [{ name: nameOf(args.tokenFile), token: await readText(args.tokenFile, '--token-file') }];
}

/** An agent's log label: its token file's name without the extension. */
function nameOf(file: string): string {
  return basename(file, extname(file));
}

async function readText(file: string, flag: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch (error) {
    throw new AgentkError(
      'AGENTK_FILE_UNREADABLE',
      `${flag}: cannot read ${file}: ${(error as Error).message}`,
      `make ${file} readable by agentk, or fix ${flag}`,
      { cause: error },
    );
  }
  if (text === '') {
    throw new AgentkError(
      'AGENTK_FILE_UNREADABLE',
      `${flag}: ${file} is empty`,
      `put the value into ${file}`,
    );
  }
  return text;
}

function invalid(message: string, fix: string, cause?: unknown): never {
  throw new AgentkError('AGENTK_INVALID_CONFIG', message, fix, { cause });
}
