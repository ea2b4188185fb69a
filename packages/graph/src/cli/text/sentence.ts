/**
 * `text` as a sentence, ended with a period unless it ends one itself (`Connection is closed.`, `is it
 * running?`): a message followed by its fix keeps one full stop, not two.
 */
export function sentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.?!]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
