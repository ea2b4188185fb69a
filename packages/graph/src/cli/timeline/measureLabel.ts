import { Encodings, Font, FontNames } from '@pdf-lib/standard-fonts';

/**
 * The chart's font stack starts with Helvetica; Arial and Liberation Sans, what browsers pick in its
 * place, share its advance widths. Its AFM metrics are in thousandths of an em.
 */
let helvetica: Font | undefined;
const EM = 1000;
/** Helvetica's ascender and descender, should its metrics lack them. */
const ASCENDER = 718;
const DESCENDER = -207;

/** Loaded on first use: every kas-graph command imports this file, few draw a timeline. */
function font(): Font {
  helvetica ??= Font.load(FontNames.Helvetica);
  return helvetica;
}
/** A character outside WinAnsi (CJK, emoji) counts as a full em: wider than any Latin glyph. */
const UNKNOWN_GLYPH_WIDTH = EM;

/** A label's box around its baseline: `left`..`right` across, `top`..`bottom` down the page (SVG y grows downwards). */
export interface LabelBox {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

/** How wide `text` is at `fontSizePx`, in pixels. */
export function labelWidthPx(text: string, fontSizePx: number): number {
  let width = 0;
  for (const character of text) {
    width += glyphWidth(character.codePointAt(0) ?? 0);
  }
  return (width * fontSizePx) / EM;
}

/** How far glyphs reach above (`ascentPx`) and below (`descentPx`) the baseline at `fontSizePx`. */
export function labelExtentPx(fontSizePx: number): { readonly ascentPx: number; readonly descentPx: number } {
  return {
    ascentPx: ((font().Ascender ?? ASCENDER) * fontSizePx) / EM,
    descentPx: (-(font().Descender ?? DESCENDER) * fontSizePx) / EM,
  };
}

/** The box of `text` drawn left-aligned at `x` on the baseline `y`. */
export function labelBox(text: string, fontSizePx: number, x: number, y: number): LabelBox {
  const { ascentPx, descentPx } = labelExtentPx(fontSizePx);
  return { left: x, right: x + labelWidthPx(text, fontSizePx), top: y - ascentPx, bottom: y + descentPx };
}

function glyphWidth(codePoint: number): number {
  if (!Encodings.WinAnsi.canEncodeUnicodeCodePoint(codePoint)) return UNKNOWN_GLYPH_WIDTH;
  return (
    font().getWidthOfGlyph(Encodings.WinAnsi.encodeUnicodeCodePoint(codePoint).name) ?? UNKNOWN_GLYPH_WIDTH
  );
}
