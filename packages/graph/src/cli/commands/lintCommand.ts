import { dirname } from 'node:path';
import { type Command, Option } from 'commander';
import type { LintFinding, LintSetting } from '../../lint/LintRule.js';
import { LintRuleError } from '../../lint/LintRuleError.js';
import { type LintResult, lintAnalysis } from '../../lint/lintComposition.js';
import { CliError } from '../CliError.js';
import { describeFailure } from '../CliFailure.js';
import { type CliIo, writeOutput } from '../CliIo.js';
import { KAS_GRAPH_EXIT_CODES } from '../exitCodes.js';
import { formatHuman } from '../lint/formatHuman.js';
import { toFailureReport, toLintReport } from '../lint/LintReport.js';
import { loadLintSetup, mergeSettings } from '../lint/loadLintSetup.js';
import { loadModuleRules } from '../lint/loadModuleRules.js';
import { toFailedSarif, toSarif } from '../lint/toSarif.js';
import { analyzeLoadedComposition } from '../load/analyzeLoadedComposition.js';
import { isKasConfig, loadConfiguredGraph } from '../load/loadConfiguredGraph.js';
import type { ConfigSource, LoadedGraph } from '../load/loadGraph.js';
import { loadGraph } from '../load/loadGraph.js';
import { collectRuleOption, parseCountOption, parseDurationOption } from '../parseOptions.js';

interface LintOptions {
  readonly format: 'human' | 'json' | 'sarif';
  readonly rule: Readonly<Record<string, LintSetting>>;
  readonly config?: string;
  readonly maxWarnings?: number;
  readonly terminationGrace?: number;
  readonly acceptDelayLimit?: number;
  readonly output?: string;
  readonly manifests?: string;
}

/** `kas-graph lint <entry>`: resolve both plans, check every rule, exit 1 on errors. */
export function addLintCommand(
  program: Command,
  io: CliIo,
  version: string,
  exit: (code: number) => void,
): void {
  program
    .command('lint')
    .description(
      'resolve both plans and check every rule; exit 0 clean, 1 with errors, 2 for usage or load errors',
    )
    .argument(
      '[entry]',
      'a JS/TS file or package directory exporting an app composition; #name picks a named export (optional with --config kas.yaml)',
    )
    .addOption(
      new Option('--format <format>', 'output format').choices(['human', 'json', 'sarif']).default('human'),
    )
    .option('--rule <CODE=setting>', 'set a rule to off, warn or error (repeatable)', collectRuleOption, {})
    .option(
      '--config <file>',
      'a kas.yaml: lint what kas --config runs with it (loaded modules included); or a kas-graph.config.json (default: the nearest one from the entry up)',
    )
    .option('--max-warnings <count>', 'also fail when there are more warnings than this', parseCountOption)
    .option(
      '--termination-grace <duration>',
      "the platform's grace period, e.g. 3600s (KAS_BUDGET_OVER_LIMIT)",
      parseDurationOption,
    )
    .option(
      '--accept-delay-limit <duration>',
      'how late an acceptor may begin its stop (KAS_ACCEPTOR_BEHIND_DRAIN, default 30s)',
      parseDurationOption,
    )
    .option(
      '--manifests <path>',
      "a kustomization directory or rendered YAML: lint the stop plan of the kas Deployment's config, and its grace period and readiness probe against it",
    )
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .action(async (entry: string | undefined, options: LintOptions, command: Command) => {
      try {
        await runLint(entry, options, io, version, exit);
      } catch (error) {
        // A JSON or SARIF consumer (a CI upload) still gets a valid document that says the run failed.
        if (options.format !== 'human') {
          const failure = describeFailure(
            error,
            command.optsWithGlobals<{ debug?: boolean }>().debug === true,
          );
          const context = { entry: entry ?? `--config ${options.config}`, version };
          const document =
            options.format === 'json' ? toFailureReport(failure, context) : toFailedSarif(failure, context);
          writeOutput(io, `${JSON.stringify(document, null, 2)}\n`, options.output);
        }
        throw error;
      }
    });
}

/**
 * The graph `--manifests` deploys and the rules that check the deployment. Loaded with the option only:
 * reading YAML and kustomize trees is its alone, and a lint of an entry starts faster without it.
 */
async function loadManifests(entry: string, manifestsPath: string, cwd: string) {
  const [{ loadManifestGraph }, { deploymentLintRules }] = await Promise.all([
    import('../../manifests/loadManifestGraph.js'),
    import('../../manifests/deploymentLintRules.js'),
  ]);
  const loaded = await loadManifestGraph(entry, manifestsPath, cwd);
  return { ...loaded, rules: deploymentLintRules(loaded.context) };
}

async function runLint(
  entry: string | undefined,
  options: LintOptions,
  io: CliIo,
  version: string,
  exit: (code: number) => void,
): Promise<void> {
  const kasConfig = isKasConfig(options.config) ? options.config : undefined;
  if (entry === undefined && kasConfig === undefined) {
    throw new CliError(
      'KAS_GRAPH_USAGE',
      'lint needs an entry or --config kas.yaml',
      'write kas-graph lint --config kas.yaml (the modules kas runs with that config), or kas-graph lint <entry> (a module file or package, e.g. apps/kas in a kas checkout)',
    );
  }
  const manifests =
    options.manifests === undefined || entry === undefined
      ? undefined
      : await loadManifests(entry, options.manifests, io.cwd);
  const graph =
    manifests?.graph ??
    (kasConfig !== undefined
      ? await loadConfiguredGraph(entry, kasConfig, io.cwd)
      : await loadGraph(entry as string, io.cwd));
  const loaded = await loadLintSetup(
    io.cwd,
    kasConfig === undefined ? options.config : undefined,
    dirname(graph.file),
  );
  const deploymentRules = manifests?.rules ?? [];
  const moduleRules = kasConfig === undefined ? [] : await loadModuleRules(graph, loaded);
  const setup = {
    ...loaded,
    rules: [...loaded.rules, ...moduleRules.map((sourced) => sourced.rule), ...deploymentRules],
    // Rules beyond the core's run as extra rules; these are the core's own, checked only with --manifests.
    sources: new Map([
      ...loaded.sources,
      ...moduleRules.map((sourced): [string, string] => [sourced.rule.code, sourced.source]),
      ...deploymentRules.map((rule): [string, string] => [rule.code, 'core']),
    ]),
  };
  const settings = mergeSettings(setup, options.rule);
  const maxWarnings = options.maxWarnings ?? setup.config.maxWarnings;
  const terminationGraceMs = options.terminationGrace ?? setup.config.terminationGraceMs;
  const acceptDelayLimitMs = options.acceptDelayLimit ?? setup.config.acceptDelayLimitMs;
  const lintOptions = {
    rules: setup.rules.filter((rule) => setup.sources.has(rule.code)),
    settings,
    limits: {
      ...(terminationGraceMs === undefined ? {} : { terminationGraceMs }),
      ...(acceptDelayLimitMs === undefined ? {} : { acceptDelayLimitMs }),
    },
  };
  let result: LintResult;
  try {
    result = withLoadedModuleCauses(lintAnalysis(graph, lintOptions), graph, (analysis) =>
      lintAnalysis(analysis, lintOptions),
    );
  } catch (error) {
    // A plugin's rule that throws is its author's to fix; a core rule that throws is a bug of kas-graph.
    const source = error instanceof LintRuleError ? setup.sources.get(error.rule) : undefined;
    if (error instanceof LintRuleError && source !== undefined && source !== 'core') {
      throw new CliError(
        'KAS_GRAPH_RULE_FAILED',
        error.message,
        "report it to the rule's author; turn the rule off with --rule CODE=off meanwhile",
        { cause: error },
      );
    }
    throw error;
  }
  result = withConfigLocations(result, graph.configSources ?? []);
  const report = toLintReport(result, {
    entry: graph.label,
    version,
    maxWarnings,
    sources: setup.sources,
  });
  const text =
    options.format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : options.format === 'sarif'
        ? `${JSON.stringify(toSarif(report, { rules: setup.rules, file: graph.file, cwd: io.cwd }), null, 2)}\n`
        : formatHuman(report);
  writeOutput(io, text, options.output);
  exit(report.passed ? KAS_GRAPH_EXIT_CODES.clean : KAS_GRAPH_EXIT_CODES.findings);
}

/**
 * Says, on each finding that names none of the modules a kas.yaml loaded but that kas's own modules do
 * not have without them, that the loaded modules bring it: a loaded module's relations can reorder kas's
 * own stages (a `stop.with` of the agent edge pulls it before the kube proxy), and the findings then name
 * kas's modules, with fixes for their declarations, where the loaded module's relations are what to change.
 */
function withLoadedModuleCauses(
  result: LintResult,
  graph: LoadedGraph,
  lint: (analysis: ReturnType<typeof analyzeLoadedComposition>) => LintResult,
): LintResult {
  const loaded = new Set((graph.configSources ?? []).map((source) => source.module));
  if (loaded.size === 0 || graph.source.kind !== 'composition') return result;
  const isAboutOwnOnly = (finding: LintFinding) => finding.modules.every((name) => !loaded.has(name));
  if (!result.findings.some(isAboutOwnOnly)) return result;
  const { composition } = graph.source;
  let own: LintResult;
  try {
    own = lint(
      analyzeLoadedComposition({
        ...composition,
        modules: composition.modules.filter((module) => !loaded.has(module.name)),
      }),
    );
  } catch {
    return result; // kas's modules alone do not compose (one needs what a loaded module gives): no comparison
  }
  const keyOf = (finding: LintFinding) => `${finding.code} ${finding.modules.join(' ')}`;
  const ownKeys = new Set(own.findings.map(keyOf));
  const names = [...loaded].map((name) => `"${name}"`).join(', ');
  return {
    ...result,
    findings: result.findings.map((finding) =>
      isAboutOwnOnly(finding) && !ownKeys.has(keyOf(finding))
        ? {
            ...finding,
            message: `${finding.message} (only with the modules kas.yaml loads, ${names}: their relations are what to change first)`,
          }
        : finding,
    ),
  };
}

/** Adds, to each finding about a module a kas.yaml loaded, where its `modules:` entry is. */
function withConfigLocations(result: LintResult, sources: readonly ConfigSource[]): LintResult {
  if (sources.length === 0) return result;
  const entryOf = new Map(sources.map((source) => [source.module, source.at]));
  return {
    ...result,
    findings: result.findings.map((finding) => {
      const at = entryOf.get(finding.modules[0] ?? '')?.match(/^(.*):(\d+):(\d+)$/);
      if (at === null || at === undefined) return finding;
      return {
        ...finding,
        configLocation: { file: at[1] as string, line: Number(at[2]), column: Number(at[3]) },
      };
    }),
  };
}
