// Text that fits a stage's box: progress records and labels wrap after their ` · ` separators, and what
// is still too wide is cut with an ellipsis (the panel then gives the whole text as a tooltip). Widths
// come from `measure(text)`, the rendered width in pixels (see createTextMeasure.js).

const SEPARATOR = ' · ';
const ELLIPSIS = '…';

/** `text` cut to `widthPx` with an ellipsis when it is wider. */
export function truncateText(text, widthPx, measure) {
  if (measure(text) <= widthPx) return text;
  let [fits, fails] = [0, text.length];
  while (fails - fits > 1) {
    const middle = Math.floor((fits + fails) / 2);
    if (measure(text.slice(0, middle).trimEnd() + ELLIPSIS) <= widthPx) fits = middle;
    else fails = middle;
  }
  return text.slice(0, fits).trimEnd() + ELLIPSIS;
}

/**
 * `text` in at most `maxLines` lines no wider than `widthPx`, broken after its ` · ` separators. Every
 * line but the last keeps its separator, so the lines joined are the text again; a part wider than a
 * line, or what is left past the last line, is cut with an ellipsis. `isCut` tells whether anything was
 * left out.
 */
export function wrapText(text, widthPx, measure, maxLines = 3) {
  const lines = [];
  for (const part of text.split(SEPARATOR)) {
    const last = lines.at(-1);
    const joined = last === undefined ? part : last + SEPARATOR + part;
    if (last !== undefined && measure(joined + SEPARATOR.trimEnd()) <= widthPx)
      lines[lines.length - 1] = joined;
    else lines.push(part);
  }
  const kept = lines
    .slice(0, maxLines)
    .map((line, index, all) => (index < all.length - 1 ? line + SEPARATOR : line));
  if (lines.length > maxLines) kept[maxLines - 1] = `${kept[maxLines - 1]}${SEPARATOR}${ELLIPSIS}`;
  const fitted = kept.map((line) => truncateText(line, widthPx, measure));
  return {
    lines: fitted,
    isCut: lines.length > maxLines || fitted.some((line, index) => line !== kept[index]),
  };
}
