import { escapeControl } from './Token.js';

/** How much of a long value a message quotes. */
const LONGEST_QUOTED = 200;

/**
 * A value a declaration got wrong, quoted for a message: a string in double quotes with control
 * characters, line separators and bidirectional overrides escaped (`JSON.stringify` leaves C1 controls
 * and U+202E as they are: on a terminal those reorder or rewrite the line), cut after 200 characters
 * with how long it is; any other value as JSON.
 */
export function quoteValue(value: unknown): string {
  if (typeof value !== 'string') {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      json = undefined; // a cycle or a BigInt: say what kind of value it is
    }
    return json === undefined ? typeof value : cut(json, json.length);
  }
  const chars = [...value];
  const shown = chars.slice(0, LONGEST_QUOTED).map(escapeControl).join('');
  return chars.length > LONGEST_QUOTED
    ? `"${shown}…" (${chars.length.toLocaleString('en-US')} characters)`
    : `"${shown}"`;
}

function cut(text: string, length: number): string {
  return length > LONGEST_QUOTED
    ? `${text.slice(0, LONGEST_QUOTED)}… (${length.toLocaleString('en-US')} characters)`
    : text;
}
