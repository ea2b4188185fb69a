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
    const [first, ...rest] = problems;
    super(first.code, `${first.message}${summarize(rest)}`, first.fix);
  }
}

/** ` (and 3 more problems: KAS_UNKNOWN_MODULE, KAS_START_CYCLE ×2)`: each code once, however many problems. */
function summarize(rest: readonly GraphProblem[]): string {
  if (rest.length === 0) return '';
  const counts = new Map<string, number>();
  for (const problem of rest) counts.set(problem.code, (counts.get(problem.code) ?? 0) + 1);
  const codes = [...counts].map(([code, count]) =>
    count === 1 ? code : `${code} ×${count.toLocaleString('en-US')}`,
  );
  return ` (and ${rest.length.toLocaleString('en-US')} more problem${rest.length === 1 ? '' : 's'}: ${codes.join(', ')})`;
}
