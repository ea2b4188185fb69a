/** `did you mean "a", "b"?` between `before` and `after` for suggested names; nothing without one. */
export function didYouMean(suggestions: readonly string[], before: string, after: string): string {
  if (suggestions.length === 0) return '';
  return `${before}did you mean ${suggestions.map((name) => `"${name}"`).join(', ')}?${after}`;
}
