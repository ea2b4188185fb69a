// How wide a text of the stop plan is drawn: measured in an invisible `svg.plan` of the page, so the
// stylesheet's font, size and weight for each kind of text (`title`, `name`, `progress`, ...) apply.

const SVG = 'http://www.w3.org/2000/svg';
/** Room for every text of a plan of a few thousand modules: a plan's texts that no longer fit are measured again. */
const MAX_CACHED = 50_000;

/**
 * A `measure(text, className)` of the rendered width in pixels, measuring in `host`. Widths are kept
 * (the oldest given up first when there are too many): the same labels come back every redraw, and each
 * new one costs the browser a layout.
 */
export function createTextMeasure(host) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'plan measure');
  svg.setAttribute('aria-hidden', 'true');
  const text = document.createElementNS(SVG, 'text');
  svg.append(text);
  host.append(svg);
  /** @type {Map<string, number>} */
  const widths = new Map();
  return (content, className) => {
    const key = `${className}\u0000${content}`;
    let width = widths.get(key);
    if (width === undefined) {
      text.setAttribute('class', className);
      text.textContent = content;
      width = text.getComputedTextLength();
      if (widths.size >= MAX_CACHED) widths.delete(/** @type {string} */ (widths.keys().next().value));
      widths.set(key, width);
    }
    return width;
  };
}
