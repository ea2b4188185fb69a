import { CoreError } from './CoreError.js';
import type { CoreErrorCode } from './errorCodes.js';

/** One thing wrong with a module graph: which rule, which modules, and how to fix it. */
export interface GraphProblem {
  readonly code: CoreErrorCode;
  readonly message: string;
  readonly fix: string;
  /** The modules involved, in the order the message names them. */
  readonly modules: readonly string[];
}

/**
 * Thrown by `createApp` when the composition is not a valid graph. `code`, `message` and `fix` are
 * those of the first problem; `problems` lists all of them.
 */
export class GraphError extends CoreError {
  override readonly name = 'GraphError';

  constructor(readonly problems: readonly [GraphProblem, ...GraphProblem[]]) {
    const [first] = problems;
    const more =
      problems.length > 1
        ? ` (and ${problems.length - 1} more problem(s): ${problems
            .slice(1)
            .map((p) => p.code)
            .join(', ')})`
        : '';
    super(first.code, `${first.message}${more}`, first.fix);
  }
}
