/**
 * A hash table from 32-bit key hashes to record offsets, for the in-memory cache store
 * (src/cache/memory.ts): open addressing with linear probing in one Int32Array, so it holds no
 * objects for the garbage collector, takes a known number of bytes (8 a slot, at most half the slots
 * used), and finds a hash with one memory access where a Map of the same integers takes several.
 * Deletion shifts the following slots back (no tombstones), so lookups never slow down with churn.
 */
const MIN_SLOTS = 16;

export class HashIndex {
  /** pairs of (hash, offset + 1); an offset field of 0 marks a free slot */
  #slots = new Int32Array(2 * MIN_SLOTS);
  #mask = MIN_SLOTS - 1;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** The bytes the table takes. */
  get bytes(): number {
    return this.#slots.byteLength;
  }

  /** The bytes it would take holding `size` entries. */
  static bytesFor(size: number): number {
    let slots = MIN_SLOTS;
    while (size > slots >>> 1) slots *= 2;
    return 8 * slots;
  }

  /** Whether one more entry would make the table grow, and to how many bytes (0: it would not). */
  growthFor(): number {
    return this.#size + 1 > (this.#mask + 1) >>> 1 ? 2 * this.#slots.byteLength : 0;
  }

  /** The offset stored for `hash`, or -1. */
  get(hash: number): number {
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const stored = slots[2 * i + 1]!;
      if (stored === 0) return -1;
      if (slots[2 * i] === hash) return stored - 1;
    }
  }

  /** Stores `offset` for `hash`, replacing what was stored for it. */
  set(hash: number, offset: number): void {
    if (this.#size + 1 > (this.#mask + 1) >>> 1) this.#resize(2 * (this.#mask + 1));
    const slots = this.#slots;
    const mask = this.#mask;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const stored = slots[2 * i + 1]!;
      if (stored === 0) {
        slots[2 * i] = hash;
        slots[2 * i + 1] = offset + 1;
        this.#size += 1;
        return;
      }
      if (slots[2 * i] === hash) {
        slots[2 * i + 1] = offset + 1;
        return;
      }
    }
  }

  delete(hash: number): void {
    const slots = this.#slots;
    const mask = this.#mask;
    let i = hash & mask;
    for (; ; i = (i + 1) & mask) {
      if (slots[2 * i + 1] === 0) return;
      if (slots[2 * i] === hash) break;
    }
    this.#size -= 1;
    // Backward shift: a later slot of the same run moves into the gap unless its home lies
    // cyclically within (gap, slot], where it would no longer be found.
    for (let j = (i + 1) & mask; slots[2 * j + 1] !== 0; j = (j + 1) & mask) {
      const home = slots[2 * j]! & mask;
      const between = i <= j ? i < home && home <= j : i < home || home <= j;
      if (between) continue;
      slots[2 * i] = slots[2 * j]!;
      slots[2 * i + 1] = slots[2 * j + 1]!;
      i = j;
    }
    slots[2 * i + 1] = 0;
  }

  clear(): void {
    this.#slots = new Int32Array(2 * MIN_SLOTS);
    this.#mask = MIN_SLOTS - 1;
    this.#size = 0;
  }

  #resize(count: number): void {
    const old = this.#slots;
    this.#slots = new Int32Array(2 * count);
    this.#mask = count - 1;
    this.#size = 0;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== 0) this.set(old[i]!, old[i + 1]! - 1);
  }
}
