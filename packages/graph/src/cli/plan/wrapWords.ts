/** The width `kas-graph plan` wraps its lists at: a 3,000-module stage listed on one line was 95 KB. */
export const PLAN_WIDTH = 100;

/**
 * `head` followed by `words` (each a list item with its separator, such as `"tunnel-tracker (started
 * after it),"`), one space between, as lines of at most `width` columns where the words allow: a line
 * breaks between words, the next starts with `indent`, and a word longer than a line keeps a line of its own.
 */
export function wrapWords(
  head: string,
  words: readonly string[],
  indent: string,
  width = PLAN_WIDTH,
): string[] {
  const lines: string[] = [];
  let line = head;
  let hasWord = false;
  for (const word of words) {
    if (hasWord && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `${indent}${word}`;
      continue;
    }
    line = line === '' ? word : `${line} ${word}`;
    hasWord = true;
  }
  lines.push(line);
  return lines;
}

/** `items` as words of a comma-separated list: each but the last followed by `,`. */
export function commaSeparated(items: readonly string[]): string[] {
  return items.map((item, index) => (index < items.length - 1 ? `${item},` : item));
}
