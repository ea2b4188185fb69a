import { distance } from 'fastest-levenshtein';

/** How many names a suggestion lists at most. */
const MOST_SUGGESTED = 3;
/**
 * How many edit distances one composition may compute for suggestions, in all: at 10,000 modules, the
 * closest names for about fifty unknown names. Past it, an unknown name gets no suggestion, so a
 * composition with thousands of misspellings is still checked in well under a second.
 */
const DISTANCE_BUDGET = 500_000;

/**
 * Suggests, for names a composition does not have, the closest names it has ("did you mean"): at most
 * three, within an edit distance of about a third of the name (at most 3), closest first, ties in the
 * order the names were given. Remembers its answers, and stops suggesting once its budget is spent.
 */
export class ClosestNames {
  /** The known names by length, each with its position in the order given. */
  private readonly byLength = new Map<number, { readonly name: string; readonly at: number }[]>();
  private readonly answers = new Map<string, readonly string[]>();
  private budgetLeft = DISTANCE_BUDGET;

  constructor(known: Iterable<string>) {
    let at = 0;
    for (const name of known) {
      const sameLength = this.byLength.get(name.length);
      if (sameLength === undefined) this.byLength.set(name.length, [{ name, at }]);
      else sameLength.push({ name, at });
      at++;
    }
  }

  /** The closest known names to `name`, closest first; none when none is close, or the budget is spent. */
  closestTo(name: string): readonly string[] {
    const known = this.answers.get(name);
    if (known !== undefined) return known;
    const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
    const lengths = Array.from({ length: 2 * limit + 1 }, (_, i) => name.length - limit + i);
    const count = lengths.reduce((sum, length) => sum + (this.byLength.get(length)?.length ?? 0), 0);
    if (count > this.budgetLeft) {
      this.budgetLeft = 0;
      return [];
    }
    this.budgetLeft -= count;
    const close: { readonly name: string; readonly at: number; readonly edits: number }[] = [];
    for (const length of lengths) {
      for (const candidate of this.byLength.get(length) ?? []) {
        const edits = distance(name, candidate.name);
        if (edits <= limit) close.push({ ...candidate, edits });
      }
    }
    const answer = close
      .sort((a, b) => a.edits - b.edits || a.at - b.at)
      .slice(0, MOST_SUGGESTED)
      .map((candidate) => candidate.name);
    this.answers.set(name, answer);
    return answer;
  }
}
