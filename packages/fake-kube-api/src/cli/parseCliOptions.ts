import { readFile } from 'node:fs/promises';
import { Command, InvalidArgumentError } from 'commander';
import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import type { FakeKubeApiOptions } from '../server/startFakeKubeApi.js';

/** What the command line asks for: the server's options and the log level. */
export interface CliOptions {
  readonly server: Omit<FakeKubeApiOptions, 'log'>;
  readonly logLevel: string;
}

/**
 * Parses `fake-kube-api`'s flags and reads the files they name. Unknown flags make commander print the
 * usage and exit; a file that cannot be read is `KAS_FAKE_KUBE_INVALID_OPTION`.
 */
export async function parseCliOptions(argv: readonly string[]): Promise<CliOptions> {
  const command = new Command('fake-kube-api')
    .description('A fake Kubernetes API server (in memory) for tests, dev mode and demos')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: a free port)', parseWholeNumber, 0)
    .option('--tls-cert-file <path>', 'serve HTTPS with this PEM certificate (needs --tls-key-file)')
    .option('--tls-key-file <path>', 'PEM private key of --tls-cert-file')
    .option(
      '--token-file <path>',
      'require this bearer token (the file holds it; white space around it is ignored)',
    )
    .option('--demo-activity', 'seed a few objects and keep changing them, so watches show events', false)
    .option('--demo-interval-ms <ms>', 'time between two demo changes', parseWholeNumber, 3000)
    .option('--log-level <level>', 'pino log level (debug logs every request)', 'info')
    .parse([...argv], { from: 'user' });
  const flags = command.opts<{
    host: string;
    port: number;
    tlsCertFile?: string;
    tlsKeyFile?: string;
    tokenFile?: string;
    demoActivity: boolean;
    demoIntervalMs: number;
    logLevel: string;
  }>();
  if ((flags.tlsCertFile === undefined) !== (flags.tlsKeyFile === undefined)) {
    throw new FakeKubeApiError(
      'KAS_FAKE_KUBE_INVALID_OPTION',
      '--tls-cert-file and --tls-key-file go together',
      'pass both (HTTPS) or neither (HTTP)',
    );
  }
  const tls =
    flags.tlsCertFile === undefined || flags.tlsKeyFile === undefined
      ? undefined
      : {
          cert: await readFlagFile('--tls-cert-file', flags.tlsCertFile),
          key: await readFlagFile('--tls-key-file', flags.tlsKeyFile),
        };
  const token =
    flags.tokenFile === undefined ? undefined : (await readFlagFile('--token-file', flags.tokenFile)).trim();
  return {
    server: {
      host: flags.host,
      port: flags.port,
      ...(tls === undefined ? {} : { tls }),
      ...(token === undefined ? {} : { token }),
      ...(flags.demoActivity ? { demoActivity: { intervalMs: flags.demoIntervalMs } } : {}),
    },
    logLevel: flags.logLevel,
  };
}

function parseWholeNumber(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) throw new InvalidArgumentError('expected a whole number');
  return number;
}

async function readFlagFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new FakeKubeApiError(
      'KAS_FAKE_KUBE_INVALID_OPTION',
      `cannot read ${flag} ${path}: ${(error as Error).message}`,
      `point ${flag} at a readable file`,
      undefined,
      { cause: error },
    );
  }
}
