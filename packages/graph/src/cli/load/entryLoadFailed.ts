import { CliError } from '../CliError.js';
import { ImportNeverSettledError } from './importModule.js';
import { withoutRequireStack } from './withoutRequireStack.js';

/**
 * The `KAS_GRAPH_ENTRY_LOAD_FAILED` of an entry (`shown` as the user wrote it) whose import threw
 * `thrown`. What it threw decides the story: an import that never settled says so; an error with a
 * code and a fix of its own (a `CoreError` of any copy of the core: `defineModule` refusing a drain
 * budget, `KAS_INVALID_DECLARATION`) is the entry's declaration being wrong, and keeps its code, message
 * and fix; anything else is quoted, with `fix`, the caller's hint (run the file, build what it imports).
 */
export function entryLoadFailed(shown: string, thrown: unknown, fix: string): CliError {
  if (thrown instanceof ImportNeverSettledError) {
    return new CliError(
      'KAS_GRAPH_ENTRY_LOAD_FAILED',
      `${shown} never finished loading: its import waits on a top-level await that never settles, and nothing else is left running`,
      `find the top-level await in ${shown} or a module it imports (a connection, a config read, a promise nothing resolves) and move it into a module's start, which kas-graph never calls; node ${shown} hangs the same way`,
      { cause: thrown },
    );
  }
  const coded = codedError(thrown);
  if (coded !== undefined) {
    return new CliError(
      'KAS_GRAPH_ENTRY_LOAD_FAILED',
      `importing ${shown} failed: ${coded.code}: ${coded.message}`,
      coded.fix,
      { cause: thrown },
    );
  }
  return new CliError(
    'KAS_GRAPH_ENTRY_LOAD_FAILED',
    `importing ${shown} failed: ${withoutRequireStack(thrown)}`,
    fix,
    { cause: thrown },
  );
}

/** The code, message and fix of a thrown error that has them (by shape: the entry may load its own core). */
function codedError(
  thrown: unknown,
): { readonly code: string; readonly message: string; readonly fix: string } | undefined {
  if (!(thrown instanceof Error)) return undefined;
  const { code, fix } = thrown as { code?: unknown; fix?: unknown };
  if (typeof code !== 'string' || !/^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/.test(code)) return undefined;
  if (typeof fix !== 'string' || fix === '') return undefined;
  return { code, message: thrown.message, fix };
}
