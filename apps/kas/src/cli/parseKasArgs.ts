import { Command, CommanderError, Option } from 'commander';
import { KasAppError } from '../errors/KasAppError.js';
import { LOG_FORMATS, type LogFormat } from '../logging/chooseLogFormat.js';
import { KAS_VERSION } from '../version.js';

/** What the command line asks for. */
export interface KasArgs {
  /** The config file; absent only in dev mode. */
  readonly config?: string;
  readonly isDev: boolean;
  readonly devDirectory: string;
  readonly isLegacyStopOrder: boolean;
  readonly traceFile?: string;
  /** `--log-format`; absent: chosen by `chooseLogFormat` (human lines for a terminal or dev mode). */
  readonly logFormat?: LogFormat;
}

/**
 * Parses `kas` arguments; throws `KAS_USAGE` with commander's message for a bad command line. `--help` and
 * `--version` (`-V`) throw commander's error after it printed the usage or the version on stdout.
 */
export function parseKasArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): KasArgs {
  const command = new Command('kas')
    .description(
      'kas: agents keep reverse tunnels to kas; users reach their clusters through its Kubernetes API proxy',
    )
    .version(KAS_VERSION, '-V, --version', 'print the version and exit')
    .option(
      '-c, --config <file>',
      'the YAML config file (env KAS_CONFIG); every key can be overridden by a KAS_* variable',
      env.KAS_CONFIG,
    )
    .option(
      '--dev',
      'dev mode: a throwaway CA, an in-process fake Kubernetes API and dev agent; never for production',
      false,
    )
    .option(
      '--dev-dir <dir>',
      'where dev mode writes its certificates, secrets, config and kubeconfig',
      '.kas-dev',
    )
    .option(
      '--legacy-stop-order',
      'run the pre-fix stop order (agents get GOAWAY only after the proxy drained); for comparison only',
      false,
    )
    .option(
      '--trace-file <file>',
      'write every lifecycle event as JSON lines (draw it with `kas-graph timeline`)',
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'json (pino lines) or pretty (human lines); default: pretty with --dev or on a terminal, else json',
      ).choices(LOG_FORMATS),
    )
    .exitOverride()
    // A bad command line is one `kas.notStarted` line (KAS_USAGE below), not commander's text besides it;
    // the help is commander's to print (on stdout), once.
    .configureOutput({ writeErr: () => {} })
    .helpOption('-h, --help', 'show this help');
  try {
    command.parse(['node', 'kas', ...argv]);
  } catch (error) {
    if (
      error instanceof CommanderError &&
      ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code)
    ) {
      throw error;
    }
    throw new KasAppError('KAS_USAGE', (error as Error).message, 'run kas --help', { cause: error });
  }
  const options = command.opts<{
    config?: string;
    dev: boolean;
    devDir: string;
    legacyStopOrder: boolean;
    traceFile?: string;
    logFormat?: LogFormat;
  }>();
  if (!options.dev && options.config === undefined) {
    throw new KasAppError(
      'KAS_USAGE',
      'no config: give --config kas.yaml (or KAS_CONFIG), or --dev to try kas locally',
      'start from apps/kas/kas.example.yaml',
    );
  }
  if (options.dev && options.config !== undefined) {
    throw new KasAppError(
      'KAS_USAGE',
      '--dev writes its own config; it cannot be combined with --config',
      'drop one of the two flags',
    );
  }
  return {
    ...(options.config === undefined ? {} : { config: options.config }),
    isDev: options.dev,
    devDirectory: options.devDir,
    isLegacyStopOrder: options.legacyStopOrder,
    ...(options.traceFile === undefined ? {} : { traceFile: options.traceFile }),
    ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }),
  };
}
