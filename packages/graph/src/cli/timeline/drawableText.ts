/**
 * Characters a label cannot show as they are: the C0 controls (tab, line feed and carriage return among
 * them: a label is one line), DEL and the C1 controls, which draw nothing or move the cursor; and what XML
 * 1.0 does not allow at all, lone surrogates and U+FFFE/U+FFFF.
 */
const UNDRAWABLE = /[\p{Cc}\p{Cs}\ufffe\uffff]/gu; // Cc: the controls; Cs: a surrogate alone

/**
 * `text` as a chart label can show it: each character of `UNDRAWABLE` written as its escape (`\x1b` for
 * ESC, `\ud800` for a lone surrogate), so that a trace's text never makes an SVG that does not parse, and
 * an escape sequence in a mark or an error message stays visible.
 */
export function drawableText(text: string): string {
  return text.replace(UNDRAWABLE, (character) => {
    const code = character.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
