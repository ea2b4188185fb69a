/**
 * A set of whole numbers below a fixed capacity, one bit each. The capacity never changes, so a union
 * costs one pass over the smaller set and memory stays what the caller asked for, whatever the graph.
 */
export class BitSet {
  private readonly words: Uint32Array;

  constructor(readonly capacity: number) {
    this.words = new Uint32Array((capacity + 31) >>> 5);
  }

  add(value: number): void {
    this.check(value);
    this.words[value >>> 5] = (this.words[value >>> 5] ?? 0) | (1 << (value & 31));
  }

  has(value: number): boolean {
    if (value < 0 || value >= this.capacity) return false;
    return ((this.words[value >>> 5] ?? 0) & (1 << (value & 31))) !== 0;
  }

  /** Adds every member of `other`, whose capacity must not exceed this one's. */
  addAll(other: BitSet): void {
    if (other.capacity > this.capacity) {
      throw new RangeError(`cannot add a set of capacity ${other.capacity} to one of ${this.capacity}`);
    }
    const theirs = other.words;
    for (let word = 0; word < theirs.length; word++) {
      this.words[word] = (this.words[word] ?? 0) | (theirs[word] ?? 0);
    }
  }

  /** Members of this set that are not in `other`, largest first. */
  *valuesNotInDescending(other: BitSet): Generator<number> {
    for (let word = this.words.length - 1; word >= 0; word--) {
      // A word past the end of a smaller set holds no members.
      const bits = (this.words[word] ?? 0) & ~(other.words[word] ?? 0);
      if (bits === 0) continue;
      for (let bit = 31; bit >= 0; bit--) {
        if ((bits & (1 << bit)) !== 0) yield word * 32 + bit;
      }
    }
  }

  private check(value: number): void {
    if (!Number.isInteger(value) || value < 0 || value >= this.capacity) {
      throw new RangeError(`${value} is outside a set of capacity ${this.capacity}`);
    }
  }
}
