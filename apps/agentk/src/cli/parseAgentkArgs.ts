import { Command, InvalidArgumentError, Option } from 'commander';
import { AGENTK_DEFAULTS } from '../config/agentkOptionsSchema.js';
import { AGENTK_VERSION } from '../version.js';

/** Where the kubelet mounts a pod's service account token, cluster CA and namespace. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** agentk's settings as given on the command line or in the environment, before files are read. */
export interface AgentkArgs {
  readonly kas: readonly string[];
  readonly tokenFile?: string;
  readonly tokenFilePattern?: string;
  readonly agents: number;
  /** Absent: the in-cluster API (KUBERNETES_SERVICE_HOST/PORT and the service account). */
  readonly kubeApi?: string;
  readonly serviceAccountDir: string;
  readonly kubeTokenFile?: string;
  readonly kubeCaFile?: string;
  readonly kasCaFile?: string;
  readonly kasTls: boolean;
  readonly tunnels: number;
  readonly maxTunnels: number;
  readonly drainBudget: string;
  readonly logLevel: string;
}

const positiveInteger = (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('not a positive whole number');
  return number;
};

/** The `agentk` command: flags, with an `AGENTK_*` environment variable for each. */
export function agentkCommand(): Command {
  return new Command('agentk')
    .description('Keeps reverse tunnels to kas and serves them against a Kubernetes API URL.')
    .version(AGENTK_VERSION)
    .addOption(
      new Option('--kas <addresses>', 'kas address(es), host:port, comma-separated')
        .env('AGENTK_KAS')
        .argParser((value) =>
          value
            .split(',')
            .map((address) => address.trim())
            .filter(Boolean),
        )
        .makeOptionMandatory(),
    )
    .addOption(new Option('--token-file <file>', 'file holding the agent token').env('AGENTK_TOKEN_FILE'))
    .addOption(
      new Option(
        '--kube-api <url>',
        "the Kubernetes API URL to serve, e.g. https://10.0.0.1:6443 (default: in a pod, its cluster's API)",
      ).env('AGENTK_KUBE_API'),
    )
    .addOption(
      new Option(
        '--service-account-dir <dir>',
        "in a pod without --kube-api: where the service account's token and the cluster CA are mounted",
      )
        .env('AGENTK_SERVICE_ACCOUNT_DIR')
        .default(SERVICE_ACCOUNT_DIR),
    )
    .addOption(
      new Option('--kube-token-file <file>', 'bearer token for the Kubernetes API').env(
        'AGENTK_KUBE_TOKEN_FILE',
      ),
    )
    .addOption(
      new Option('--kube-ca-file <file>', 'CA bundle (PEM) for the Kubernetes API').env(
        'AGENTK_KUBE_CA_FILE',
      ),
    )
    .addOption(
      new Option('--kas-ca-file <file>', 'connect to kas over TLS, trusting this CA (PEM)').env(
        'AGENTK_KAS_CA_FILE',
      ),
    )
    .addOption(
      new Option('--kas-tls', "connect to kas over TLS, trusting Node's CAs")
        .env('AGENTK_KAS_TLS')
        .default(false),
    )
    .addOption(
      new Option('--tunnels <n>', 'idle tunnels each agent keeps')
        .env('AGENTK_TUNNELS')
        .argParser(positiveInteger)
        .default(AGENTK_DEFAULTS.minIdleTunnels),
    )
    .addOption(
      new Option('--max-tunnels <n>', 'tunnels each agent opens at most, idle and busy')
        .env('AGENTK_MAX_TUNNELS')
        .argParser(positiveInteger)
        .default(AGENTK_DEFAULTS.maxTunnels),
    )
    .addOption(
      new Option('--agents <n>', 'run N independent agents (many-agents mode; needs --token-file-pattern)')
        .env('AGENTK_AGENTS')
        .argParser(positiveInteger)
        .default(1),
    )
    .addOption(
      new Option(
        '--token-file-pattern <pattern>',
        'token file of agent i, with {i} for 1..N, e.g. tokens/agent-{i}.token',
      ).env('AGENTK_TOKEN_FILE_PATTERN'),
    )
    .addOption(
      new Option('--drain-budget <duration>', 'how long in-flight requests may finish at SIGTERM')
        .env('AGENTK_DRAIN_BUDGET')
        .default(AGENTK_DEFAULTS.drainBudget),
    )
    .addOption(
      new Option('--log-level <level>', 'log level')
        .env('AGENTK_LOG_LEVEL')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    );
}

/**
 * Parses `argv` (as `process.argv`; unset flags come from the `AGENTK_*` environment variables). Throws
 * commander's error for unknown, malformed or missing flags; `--help` and `--version` throw with exit
 * code 0 after printing.
 */
export function parseAgentkArgs(argv: readonly string[]): AgentkArgs {
  const command = agentkCommand().exitOverride();
  command.parse([...argv]);
  return command.opts<AgentkArgs>();
}
