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

/** How much of the first problem's message a `GraphError`'s own message carries (a cycle of 20,000 is 866 KB). */
const LONGEST_MESSAGE = 2_000;

/**
 * Thrown by `createApp` when the composition is not a valid graph. `code`, `message` and `fix` are
 * those of the first problem (a very long message, such as a cycle through thousands of modules, cut
 * to its first 2,000 characters and how many more there are); `problems` lists all of them, whole.
 */
export class GraphError extends CoreError {
  override readonly name = 'GraphError';

  constructor(readonly problems: readonly [GraphProblem, ...GraphProblem[]]) {
    const [first, ...rest] = problems;
    super(first.code, `${shorten(first.message)}${summarize(rest)}`, first.fix);
  }
}

/** A problem's message for one log line: whole, or its beginning and how much is left out. */
function shorten(message: string): string {
  if (message.length <= LONGEST_MESSAGE) return message;
  const more = (message.length - LONGEST_MESSAGE).toLocaleString('en-US');
  return `${message.slice(0, LONGEST_MESSAGE)} … (${more} more characters: the error's problems have the whole message)`;
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
