/** Node's `Require stack:` block of a failed require: the files that asked, kas-graph's own or a config's path. */
const REQUIRE_STACK = /\n\s*Require stack:(?:\n\s*- [^\n]*)*/g;

/**
 * The message of what a load threw, for quoting in a `CliError`: without Node's `Require stack:` lines,
 * which name kas-graph's files (or the path that was asked from) rather than anything the user can change.
 */
export function withoutRequireStack(thrown: unknown): string {
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return message.replace(REQUIRE_STACK, '');
}
