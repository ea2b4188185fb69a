import { Command, CommanderError } from 'commander';
import { DemoError } from '../errors/DemoError.js';

/** What `npm run demo -- [flags]` asks for. */
export interface DemoArgs {
  /** Which stop orders to run, in order. */
  readonly stopOrders: readonly ('current' | 'legacy')[];
  readonly resultsDirectory: string;
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
  const options = program.opts<{ legacy?: boolean; compare?: boolean; results: string }>();
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
  };
}
