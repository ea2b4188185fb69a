import { distance } from 'fastest-levenshtein';
import type { LintGraph } from '../LintGraph.js';

/** The other tag of the graph closest to `tag` within two edits (a likely misspelling), or undefined. */
export function closestTag(graph: LintGraph, tag: string): string | undefined {
  let best: { tag: string; edits: number } | undefined;
  for (const other of graph.tags) {
    if (other === tag || Math.abs(other.length - tag.length) > 2) continue;
    const edits = distance(tag, other);
    if (edits <= 2 && (best === undefined || edits < best.edits)) best = { tag: other, edits };
  }
  return best?.tag;
}
