/**
 * Closed histories are kept as UTF-8 in shared 1 MiB off-heap slabs. Thousands of closed
 * executions a second as heap strings cost the garbage collector a copy each (twice: young,
 * then old generation) and dominated the CPU of Standard executions; in a slab they cost one
 * encode and nothing afterwards. A slab is freed with the last execution that points into it
 * (executions are forgotten oldest first, so slabs empty in order).
 */

const SLAB_BYTES = 1 << 20;

/** A text in a slab: bytes `start` to `end` of `slab` (never written again). */
export interface SlabText {
  slab: Buffer;
  start: number;
  end: number;
}

export class HistorySlabs {
  private slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  private used = 0;

  put(text: string): SlabText {
    if (this.used + text.length * 3 > this.slab.length) {
      const bytes = Buffer.byteLength(text);
      if (bytes > SLAB_BYTES / 4) {
        // A large history gets a buffer of its own rather than wasting a slab's rest.
        const own = Buffer.from(text);
        return { slab: own, start: 0, end: own.length };
      }
      if (this.used + bytes > this.slab.length) {
        this.slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
        this.used = 0;
      }
    }
    const start = this.used;
    this.used += this.slab.write(text, start);
    return { slab: this.slab, start, end: this.used };
  }
}

/** The text a slab holds. */
export function slabString(text: SlabText): string {
  return text.slab.toString('utf8', text.start, text.end);
}
