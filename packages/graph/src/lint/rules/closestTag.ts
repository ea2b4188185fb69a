import type { LintGraph } from '../LintGraph.js';

/** The other tag of the graph closest to `tag` within two edits (a likely misspelling), or undefined. */
export function closestTag(graph: LintGraph, tag: string): string | undefined {
  let best: { tag: string; distance: number } | undefined;
  for (const other of graph.tags) {
    if (other === tag) continue;
    const distance = editDistance(tag, other);
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { tag: other, distance };
  }
  return best?.tag;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
