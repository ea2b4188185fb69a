import type { LintFinding, LintSetting } from '../../lint/LintRule.js';
import type { LintResult } from '../../lint/lintComposition.js';
import type { CliFailure } from '../CliFailure.js';

/**
 * The output of `kas-graph lint --format json`: a stable schema (docs/kas-graph.md has it as JSON
 * Schema). Additive changes keep `schemaVersion`; anything else raises it.
 */
export interface LintReport {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: 'kas-graph'; readonly version: string };
  /** The entry as given, `<entry>[#export]`. */
  readonly entry: string;
  /** Whether `kas-graph lint` exits 0. */
  readonly passed: boolean;
  readonly summary: {
    readonly errors: number;
    readonly warnings: number;
    /** `--max-warnings` (or the config's `maxWarnings`), null when not set. */
    readonly maxWarnings: number | null;
  };
  readonly findings: readonly LintFinding[];
  readonly rules: readonly {
    readonly code: string;
    readonly title: string;
    readonly setting: LintSetting;
    /** `core`, or the plugin as the config file names it. */
    readonly source: string;
    /** Why the rule did not run, when it did not. */
    readonly skipped?: string;
  }[];
  /**
   * Why the run failed before it could lint (exit 2), when it did: a load or usage error, or
   * `KAS_GRAPH_INTERNAL` (a bug in kas-graph). Findings and rules are then empty.
   */
  readonly error?: {
    readonly code: string;
    readonly message: string;
    readonly fix: string;
    /** Only with `--debug`. */
    readonly stack?: string;
  };
}

/** Whether a lint result passes: no errors, and warnings within the limit when one is set. */
export function isPassing(result: LintResult, maxWarnings: number | undefined): boolean {
  return result.errorCount === 0 && (maxWarnings === undefined || result.warningCount <= maxWarnings);
}

/** Builds the JSON report of a lint run. */
export function toLintReport(
  result: LintResult,
  context: {
    readonly entry: string;
    readonly version: string;
    readonly maxWarnings: number | undefined;
    readonly sources: ReadonlyMap<string, string>;
  },
): LintReport {
  return {
    schemaVersion: 1,
    tool: { name: 'kas-graph', version: context.version },
    entry: context.entry,
    passed: isPassing(result, context.maxWarnings),
    summary: {
      errors: result.errorCount,
      warnings: result.warningCount,
      maxWarnings: context.maxWarnings ?? null,
    },
    findings: result.findings.map(({ code, severity, message, fix, modules, location, configLocation }) => ({
      code,
      severity,
      message,
      fix,
      modules,
      ...(location === undefined ? {} : { location }),
      ...(configLocation === undefined ? {} : { configLocation }),
    })),
    rules: result.rules.map(({ rule, setting, skipped }) => ({
      code: rule.code,
      title: rule.title,
      setting,
      source: context.sources.get(rule.code) ?? 'core',
      ...(skipped === undefined ? {} : { skipped }),
    })),
  };
}

/** The JSON report of a run that failed before it could lint: valid against the same schema, with `error`. */
export function toFailureReport(
  failure: CliFailure,
  context: { readonly entry: string; readonly version: string },
): LintReport {
  return {
    schemaVersion: 1,
    tool: { name: 'kas-graph', version: context.version },
    entry: context.entry,
    passed: false,
    summary: { errors: 0, warnings: 0, maxWarnings: null },
    findings: [],
    rules: [],
    error: {
      code: failure.code,
      message: failure.message,
      fix: failure.fix,
      ...(failure.stack === undefined ? {} : { stack: failure.stack }),
    },
  };
}
