/**
 * Every error code `kas-graph` exits with 2 for, with what it means. docs/kas-graph.md lists the same
 * table; a test keeps the two in step.
 */
export const CLI_ERROR_CODES = {
  KAS_GRAPH_USAGE: 'the command line is malformed (unknown option, bad value, missing argument)',
  KAS_GRAPH_ENTRY_NOT_FOUND: 'the entry file or package directory does not exist or has no entry file',
  KAS_GRAPH_ENTRY_LOAD_FAILED:
    "importing the entry threw (syntax error, missing build, failing import; a KAS_* error, e.g. defineModule's KAS_INVALID_DECLARATION, with its own code and fix), a getter of its export threw, or its import never finished (a top-level await that never settles)",
  KAS_GRAPH_EXPORT_NOT_FOUND: 'the entry has no export of the given name (or no default export)',
  KAS_GRAPH_NOT_AN_APP: 'the export is neither an app composition ({ modules }) nor an app from createApp',
  KAS_GRAPH_CONFIG_INVALID:
    'kas-graph.config.json cannot be read, is not JSON, or has an unknown key or a bad value',
  KAS_GRAPH_PLUGIN_INVALID:
    'a plugin cannot be loaded, or its kasGraphRules are malformed or clash with other rules',
  KAS_GRAPH_UNKNOWN_RULE: 'a rule code given to --rule, explain or the config file is not a known rule',
  KAS_GRAPH_RULE_FAILED: 'a lint rule threw while checking the graph',
  KAS_GRAPH_INVALID_DECLARATION:
    'a declaration or override of the graph is malformed (e.g. a drain budget that is not a duration)',
  KAS_GRAPH_TRACE_INVALID:
    'the trace file cannot be read, or a line is not a lifecycle event or lacks a field the timeline reads',
  KAS_GRAPH_OUTPUT_FAILED: 'the output file (-o, or the trace of watch --record) cannot be opened or written',
  KAS_GRAPH_DRAW_FAILED:
    'Graphviz could not render draw --format svg or html (it ran out of its WebAssembly memory): use --format dot or mermaid, or draw fewer modules',
  KAS_GRAPH_DRAW_TOO_LARGE:
    'draw --format svg or html refuses a graph of more than 500 modules or 300 edges, whose Graphviz layout would take minutes: use --format dot (and a system Graphviz) or mermaid',
  KAS_GRAPH_WATCH_FAILED:
    'watch cannot read the lifecycle stream: the listener is unreachable, serves no /debug/lifecycle/events (observability.debug is off), or the stream ended before the replica stopped',
  KAS_GRAPH_MANIFESTS_UNREADABLE:
    'the --manifests path does not exist or cannot be read, or kubectl kustomize cannot render it',
  KAS_GRAPH_INTERNAL:
    'kas-graph itself failed (a bug, not a problem in the graph): please report it with the command and its output with --debug',
  KAS_GRAPH_KAS_CONFIG_INVALID:
    "the kas.yaml given to --config does not exist, or kas would refuse it (a bad key, a module that cannot be loaded): the message is kas's own",
  KAS_GRAPH_MANIFESTS_INVALID:
    'the manifests have no single kas Deployment, a field of it has the wrong type, a document cannot be read (a YAML alias bomb), its config is not mounted from a ConfigMap, or kas would reject that config',
} as const;

/** A stable error code of `kas-graph`. */
export type CliErrorCode = keyof typeof CLI_ERROR_CODES;
