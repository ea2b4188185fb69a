/**
 * One line for anything thrown: `Name: message` for an Error or an error-like object (Emscripten's
 * `ExitStatus` is one), its JSON for another object, `String()` for the rest; never `[object Object]`.
 */
export function describeThrown(thrown: unknown): string {
  if (thrown instanceof Error) return `${thrown.name}: ${thrown.message}`;
  if (typeof thrown !== 'object' || thrown === null) return String(thrown);
  const { name, message } = thrown as { name?: unknown; message?: unknown };
  const kind =
    typeof name === 'string' && name !== '' ? name : (thrown.constructor?.name ?? 'a thrown object');
  if (typeof message === 'string') return `${kind}: ${message}`;
  try {
    const json = JSON.stringify(thrown);
    if (json !== undefined && json !== '{}')
      return `${kind} ${json.length > 300 ? `${json.slice(0, 300)}…` : json}`;
  } catch {
    // a cycle or a throwing getter: fall back to the kind alone
  }
  return `${kind} (not an Error)`;
}
