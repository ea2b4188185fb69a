/** The exit codes of `kas-graph`. */
export const KAS_GRAPH_EXIT_CODES = {
  /** No error findings (and warnings within `--max-warnings`); other commands: done. */
  clean: 0,
  /** Error findings, or more warnings than `--max-warnings`; `plan`/`draw`: the graph has structural problems. */
  findings: 1,
  /**
   * Usage or load error (bad arguments, an entry, config, plugin or trace that cannot be loaded), or an
   * internal error of kas-graph (`KAS_GRAPH_INTERNAL`).
   */
  usage: 2,
} as const;
