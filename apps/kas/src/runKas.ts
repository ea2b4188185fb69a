import { hostname } from 'node:os';
import { createApp, formatDuration, type ModuleOverride } from '@kas/core';
import { type DestinationStream, type Logger, pino } from 'pino';
import { exitWithoutStart } from './cli/exitWithoutStart.js';
import type { KasArgs } from './cli/parseKasArgs.js';
import { composeFromConfig } from './composition/composeFromConfig.js';
import { checkAgentFiles } from './config/checkAgentFiles.js';
import { tunnelWaitWarning } from './config/tunnelWaitWarning.js';
import { loadDevMode } from './dev/loadDevMode.js';
import { KasAppError } from './errors/KasAppError.js';

/** The stop signals kas heeds while it loads, before `app.run()` owns the process. */
export interface SignalsWhileLoading {
  /** The first stop signal received while loading, if any. */
  signalWhileLoading(): NodeJS.Signals | undefined;
  /**
   * Removes the loading-time handlers; called only in the turn in which `app.run()` installs its own. A
   * kas that ends without running keeps them until it exits: a signal then changes nothing, where without
   * a handler it would kill the process by its default action (143, after the line that said why it ends).
   */
  release(): void;
}

/**
 * Loads and checks everything before anything starts (config, the files it names, each module's config,
 * the module graph), then runs kas
 * until SIGTERM/SIGINT/SIGHUP: `app.run()` owns the process from there, including its exit. Every log
 * line goes to `logDestination` (JSON or human lines, see `openLogDestination`). Dev mode's code is
 * imported only with `--dev`. With `signals` (kas's `main.js` passes them), a stop signal received while
 * loading ends it once loading is done: nothing has started, so there is nothing to stop (the
 * `app.notStarted` and `app.exiting` lines, then exit 0).
 */
export async function runKas(
  args: KasArgs,
  env: Readonly<Record<string, string | undefined>>,
  logDestination: DestinationStream,
  signals?: SignalsWhileLoading,
): Promise<void> {
  const bootLog = pino({ name: 'kas' }, logDestination);
  const dev = args.isDev ? await (await loadDevMode()).prepareDevMode(args.devDirectory) : undefined;
  if (dev !== undefined) {
    bootLog.warn(
      { event: 'dev.mode', directory: dev.directory },
      `DEV MODE: throwaway CA, tokens and config in ${dev.directory}; in-memory tunnel directory; a fake Kubernetes API and a dev agent run in this process. Never use dev mode in production: run kas --config kas.yaml`,
    );
  }
  // The one composition function: kas-graph lint --config kas.yaml lints what this runs.
  const kas = await composeFromConfig(
    {
      ...(dev === undefined
        ? args.config === undefined
          ? {}
          : { file: args.config }
        : { file: dev.configPath }),
      env,
    },
    {
      purpose: 'run',
      stopOrder: args.isLegacyStopOrder ? 'legacy' : 'current',
      extraModules: dev?.modules ?? [],
    },
  );
  const { config, where, files } = kas;
  const agentFiles = await checkAgentFiles(config, files);
  for (const { user, agentId } of agentFiles.unlisted) {
    bootLog.warn(
      { event: 'config.unlistedAgent', user, agentId },
      `${where(['kubeProxy', 'usersFile'])}: kubeProxy.usersFile: user "${user}" is allowed agent "${agentId}", which ${config.agentGrpc.agentsFile} (agentGrpc.agentsFile) does not list: that agent cannot connect to this replica. Add it to the agents file, or remove it from the user's agents`,
    );
  }
  const tunnelWait = tunnelWaitWarning(config.kubeProxy);
  if (tunnelWait !== undefined) {
    bootLog.warn({ event: 'config.tunnelWaitCut' }, `${where(['kubeProxy', 'tunnelWait'])}: ${tunnelWait}`);
  }
  // kas logs events, not requests: one synchronous destination for every logger keeps their order. pid
  // and hostname (a pod's name) tell apart an old replica still draining and its successor of one id.
  const log: Logger = pino(
    {
      name: 'kas',
      level: config.log.level,
      base: { pid: process.pid, hostname: hostname(), replica: config.replica.id },
    },
    logDestination,
  );
  if (args.isLegacyStopOrder) {
    log.warn(
      { event: 'legacy.stopOrder' },
      'LEGACY STOP ORDER: agents get GOAWAY only after the kube proxy has drained, and the directory stops advertising them before that. This reproduces the outage kas was fixed for: for comparison only',
    );
  }
  const overridden = Object.entries(config.overrides);
  if (overridden.length > 0) {
    // What an operator changed in modules' declarations: the plan (and each module.stopping line) has it too.
    log.info(
      { event: 'config.overrides', overrides: config.overrides },
      `overrides: ${overridden.map(([module, override]) => `${module} (${describeOverride(override)})`).join(', ')}`,
    );
  }
  if (agentFiles.agentCount === 0) {
    // Allowed (kas may be deployed before its first agent is registered), but said loudly, and in /readiness.
    const warning = `${where(['agentGrpc', 'agentsFile'])}: agentGrpc.agentsFile: ${config.agentGrpc.agentsFile} lists no agents: no agent can connect to this replica until one { id, tokenSha256 } is added and kas restarted`;
    bootLog.warn({ event: 'config.noAgents', agentsFile: config.agentGrpc.agentsFile }, warning);
    kas.telemetry.readinessWarnings.push(warning);
  }
  // From this check to `app.run()` is one turn: a signal is either seen here or handled by the runner.
  const signal = signals?.signalWhileLoading();
  if (signal !== undefined) {
    log.info(
      { event: 'app.notStarted', signal },
      `${signal} received while kas was loading its config and modules: nothing was started, exiting`,
    );
    return exitWithoutStart(log, 'signal');
  }
  const app = createKasApp(args.traceFile, () =>
    createApp({
      ...kas.composition,
      logger: log,
      ...(config.shutdownDeadline === undefined ? {} : { shutdownDeadline: config.shutdownDeadline }),
      ...(args.traceFile === undefined ? {} : { traceFile: args.traceFile }),
    }),
  );
  kas.connect(app);
  signals?.release();
  return app.run(); // installs the runner's handlers in this same turn
}

/**
 * Creates the app; the core opens `--trace-file` then, and a file it cannot open (a read-only filesystem,
 * a missing directory) is told as the flag's problem rather than as a bare system error.
 */
function createKasApp<T>(traceFile: string | undefined, create: () => T): T {
  try {
    return create();
  } catch (error) {
    const { code, path } = (error ?? {}) as NodeJS.ErrnoException;
    if (traceFile === undefined || path !== traceFile) throw error;
    throw new KasAppError(
      'KAS_TRACE_FILE_UNWRITABLE',
      `--trace-file ${traceFile}: cannot open it for writing (${code ?? 'error'}: ${(error as Error).message})`,
      'give a path in a writable directory that exists, or leave --trace-file out; in Kubernetes, where the root filesystem is read-only, record a stop through the lifecycle view instead (docs/run-on-kubernetes.md, "Watching and recording a stop")',
      { cause: error },
    );
  }
}

/** `drainBudget 2m, stop {"after":["kube-proxy"]}`: an entry of `overrides:`, for the log. */
function describeOverride({ drainBudget, startBudget, stop }: ModuleOverride): string {
  const budget = (value: ModuleOverride['drainBudget']) =>
    typeof value === 'number' ? formatDuration(value) : String(value);
  const changes = [
    ...(drainBudget === undefined ? [] : [`drainBudget ${budget(drainBudget)}`]),
    ...(startBudget === undefined ? [] : [`startBudget ${budget(startBudget)}`]),
    ...(stop === undefined ? [] : [`stop ${JSON.stringify(stop)}`]),
  ];
  return changes.length === 0 ? 'no change' : changes.join(', ');
}
