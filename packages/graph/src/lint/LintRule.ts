import type { LintGraph } from './LintGraph.js';

/** How loud a rule's findings are by default: `error` fails `kas-graph lint`, `warn` only reports. */
export type LintSeverity = 'error' | 'warn';

/** What an app author may set a rule to (`--rule CODE=off|warn|error`, or the config file's `rules`). */
export type LintSetting = LintSeverity | 'off';

/** A place in a file a finding points at (1-based line and column), e.g. a manifest's field. */
export interface SourceLocation {
  /** The file, as given or found (relative paths are relative to the current directory). */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** What a rule's `check` yields for one problem: the modules involved and how to fix it. */
export interface LintFindingDraft {
  /** One line naming the modules involved and what goes wrong at stop time. */
  readonly message: string;
  /** What to change, naming the module and the declaration. */
  readonly fix: string;
  /** The modules involved, in the order the message names them. */
  readonly modules: readonly string[];
  /**
   * Where to change it: what the rule says (a manifest's field), else where the first module it names
   * was declared (its `defineModule` call); SARIF results point there.
   */
  readonly location?: SourceLocation;
  /** For a module loaded from a kas.yaml: where its `modules:` entry is (SARIF: a related location). */
  readonly configLocation?: SourceLocation;
}

/** One finding of a lint run: a draft stamped with its rule's code and effective severity. */
export interface LintFinding extends LintFindingDraft {
  readonly code: string;
  readonly severity: LintSeverity;
}

/**
 * A graph lint rule: metadata that `kas-graph explain` and the rule list print, plus a check over the
 * resolved plans. A third-party package exports its rules as `kasGraphRules` and an app lists the package
 * in `kas-graph.config.json`. A module package kas itself loads writes them as plain objects typed with
 * `import type { LintRule }`, so `@kas/graph` is no run-time dependency of it; a package only kas-graph
 * loads may create them with `defineLintRule`. kas-graph checks each rule it loads either way.
 */
export interface LintRule {
  /** Stable code, upper-case words joined by `_` (e.g. `KAS_ADVERTISE_ACCEPT_SPLIT`). `KAS_` is the core's. */
  readonly code: string;
  /** A few words naming the hazard (e.g. `advertise/accept split`). */
  readonly title: string;
  /** The default severity; an app can change it per rule. */
  readonly severity: LintSeverity;
  /** One sentence: what the rule protects against. */
  readonly summary: string;
  /** Why the hazard matters at stop time: a paragraph for `kas-graph explain`. */
  readonly rationale: string;
  /** A graph (declarations) that the rule rejects, and what it reports. */
  readonly example: string;
  /** How to fix a finding, in general; each finding carries its own specific fix. */
  readonly fix: string;
  /** Yields one draft per problem found; must not throw for any resolved plan. */
  check(graph: LintGraph): Iterable<LintFindingDraft>;
}
