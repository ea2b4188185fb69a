import { Command, CommanderError } from 'commander';
import { DemoError } from '../errors/DemoError.js';

/** What `npm run demo -- [flags]` asks for. */
export interface DemoArgs {
  /** Which stop orders to run, in order. */
  readonly stopOrders: readonly ('current' | 'legacy')[];
  readonly resultsDirectory: string;
  /** `--web [port]`: serve the replicas' live lifecycle page on 127.0.0.1 (0: a free port). */
  readonly webPort?: number;
}

/** Parses the demo's flags (`--legacy`, `--compare`, `--results <dir>`). */
export function parseDemoArgs(argv: readonly string[], defaultResults: string): DemoArgs {
  const program = new Command('demo')
    .description(
      'the rolling-restart demo: Redis, 3 kas replicas behind a load balancer, 30 agents, a fake Kubernetes API and client-node load; each replica restarted in turn',
    )
    .option('--legacy', 'run the pre-fix stop order (agents get GOAWAY only after the kube proxy drained)')
    .option('--compare', 'run the current stop order, then the legacy one, and print them side by side')
    .option('--results <dir>', 'where timelines, traces and summaries go', defaultResults)
    .option(
      '--web [port]',
      "serve one page with the replicas' live stop plans side by side on 127.0.0.1 (default port: a free one)",
    )
    .exitOverride()
    .configureOutput({ writeErr: () => undefined }); // errors are reported as a DemoError, once
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) throw error; // --help
    throw new DemoError('KAS_DEMO_USAGE', (error as Error).message, 'see npm run demo -- --help', {
      cause: error,
    });
  }
  const options = program.opts<{
    legacy?: boolean;
    compare?: boolean;
    results: string;
    web?: boolean | string;
  }>();
  const webPort = options.web === undefined ? undefined : options.web === true ? 0 : Number(options.web);
  if (webPort !== undefined && !(Number.isInteger(webPort) && webPort >= 0 && webPort < 65_536)) {
    throw new DemoError(
      'KAS_DEMO_USAGE',
      `--web ${String(options.web)}: not a port`,
      'give a port (0-65535), or --web alone',
    );
  }
  if (options.legacy === true && options.compare === true) {
    throw new DemoError(
      'KAS_DEMO_USAGE',
      '--legacy and --compare cannot be combined',
      'use --compare alone: it runs both stop orders',
    );
  }
  return {
    stopOrders:
      options.compare === true ? ['current', 'legacy'] : [options.legacy === true ? 'legacy' : 'current'],
    resultsDirectory: options.results,
    ...(webPort === undefined ? {} : { webPort }),
  };
}
