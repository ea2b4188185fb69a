import { distance } from 'fastest-levenshtein';
import type { LintGraph } from '../LintGraph.js';

/** Most edits between a tag and its likely misspelling. */
const MAX_EDITS = 2;
/**
 * Tags up to this long are found through the strings they become with up to two characters deleted
 * (about length² / 2 of them); a longer one is compared with every tag within two of its length.
 */
const LONGEST_INDEXED = 48;

/**
 * Per graph: each tag's position, the tags that each string of up to one deletion and of up to two
 * deletions comes from, and the tags by length.
 */
interface TagIndex {
  readonly position: ReadonlyMap<string, number>;
  readonly byDeletion: readonly [
    ReadonlyMap<string, readonly number[]>,
    ReadonlyMap<string, readonly number[]>,
  ];
  readonly byLength: ReadonlyMap<number, readonly number[]>;
}

const indexes = new WeakMap<LintGraph, TagIndex>();

/**
 * The other tag of the graph closest to `tag` within two edits (a likely misspelling), or undefined; of
 * equally close tags, the first in `graph.tags`. Two strings within two edits of each other share a
 * string made by deleting at most two characters from each, so only tags that share one are compared:
 * asking for every tag of a graph is linear in its tags, not quadratic (20,000 tags took 57 s). Tags one
 * edit apart share a string of at most one deletion, so those are looked for first: where tags are dense
 * (`tag-1` to `tag-50000`) that answers at once.
 */
export function closestTag(graph: LintGraph, tag: string): string | undefined {
  const index = indexOf(graph);
  const isIndexed = tag.length <= LONGEST_INDEXED;
  if (isIndexed) {
    const oneEditAway = closestAmong(graph, index, tag, candidatesOf(index, tag, 0), 1);
    if (oneEditAway !== undefined) return oneEditAway;
  }
  const candidates = isIndexed ? candidatesOf(index, tag, 1) : new Set<number>();
  for (let length = tag.length - MAX_EDITS; length <= tag.length + MAX_EDITS; length++) {
    if (length <= LONGEST_INDEXED && isIndexed) continue; // found through deletions
    for (const at of index.byLength.get(length) ?? []) candidates.add(at);
  }
  return closestAmong(graph, index, tag, candidates, MAX_EDITS);
}

/** The tags that share a string of up to `level + 1` deletions with `tag`. */
function candidatesOf(index: TagIndex, tag: string, level: 0 | 1): Set<number> {
  const candidates = new Set<number>();
  for (const variant of deletions(tag, level + 1)) {
    for (const at of index.byDeletion[level].get(variant) ?? []) candidates.add(at);
  }
  return candidates;
}

/** Of `candidates`, the tag closest to `tag` within `maxEdits`, the first in tag order of equally close ones. */
function closestAmong(
  graph: LintGraph,
  index: TagIndex,
  tag: string,
  candidates: ReadonlySet<number>,
  maxEdits: number,
): string | undefined {
  const own = index.position.get(tag);
  let best: { at: number; edits: number } | undefined;
  for (const at of [...candidates].sort((a, b) => a - b)) {
    if (at === own) continue;
    const other = graph.tags[at] as string;
    if (Math.abs(other.length - tag.length) > maxEdits) continue;
    const edits = distance(tag, other);
    if (edits <= maxEdits && (best === undefined || edits < best.edits)) best = { at, edits };
  }
  return best === undefined ? undefined : graph.tags[best.at];
}

function indexOf(graph: LintGraph): TagIndex {
  const known = indexes.get(graph);
  if (known !== undefined) return known;
  const position = new Map<string, number>();
  const byDeletion: [Map<string, number[]>, Map<string, number[]>] = [new Map(), new Map()];
  const byLength = new Map<number, number[]>();
  graph.tags.forEach((tag, at) => {
    position.set(tag, at);
    const sameLength = byLength.get(tag.length);
    if (sameLength === undefined) byLength.set(tag.length, [at]);
    else sameLength.push(at);
    if (tag.length > LONGEST_INDEXED) return;
    for (const level of [0, 1] as const) {
      for (const variant of deletions(tag, level + 1)) {
        const list = byDeletion[level].get(variant);
        if (list === undefined) byDeletion[level].set(variant, [at]);
        else list.push(at);
      }
    }
  });
  const index = { position, byDeletion, byLength };
  indexes.set(graph, index);
  return index;
}

/** `text` and every string made from it by deleting up to `most` (1 or 2) characters, each once. */
function deletions(text: string, most: number): ReadonlySet<string> {
  const variants = new Set<string>([text]);
  for (let i = 0; i < text.length; i++) {
    const once = text.slice(0, i) + text.slice(i + 1);
    variants.add(once);
    if (most === 2) for (let j = i; j < once.length; j++) variants.add(once.slice(0, j) + once.slice(j + 1));
  }
  return variants;
}
