/**
 * The in-memory cache store (docs/caching.md#where-entries-live): entries' bytes live outside the
 * JavaScript heap, in one ring buffer per gigabyte of the bound, so a full cache gives the garbage
 * collector nothing to scan or copy: a miss that keeps an entry writes bytes and sets a few small
 * integers, where a cache of strings and objects cost the collector as much again.
 *
 * - Each entry is one record written at the ring's head: a header (size, key hash, expiry, lengths,
 *   flags, the ids of its tags' fields), its key, its text and its tags' key values as JSON. A
 *   resolver entry's key ends with its one tag's key values (its tail, apiCache.ts): those are not
 *   written twice, the header points into the key instead.
 * - A key given in two parts (types.ts SplitKey) is written and hashed part by part: the same bytes
 *   as its joined text, which is never made.
 * - A hash table of small integers in an Int32Array (hashIndex.ts) maps the key's 32-bit hash to
 *   the record's offset: nothing for the collector to follow. The key's bytes are compared on each
 *   lookup, so two keys with the same hash never share an entry (the later one replaces the earlier).
 * - When the ring is full, records go from its tail, oldest first; a record read since it was
 *   written is moved to the head once instead (second chance, the CLOCK approximation of least
 *   recently used), so the entries in use stay and a read never copies anything.
 * - An eviction by field walks the records' headers, which hold the ids of their tags' fields: a
 *   per-field set of keys would cost every miss two more table updates.
 *
 * The bound is on what the process holds for the cache: the rings (grown by doubling up to their
 * share) and their index tables, all ArrayBuffer memory, are counted against it, less a 32nd (at
 * least 64 KiB, at most a quarter) kept back for the objects around them.
 *
 * Written here rather than taken from npm: the cache libraries we know of (lru-cache, which this
 * replaced, among them) keep values and keys as heap objects, which is the cost this store removes.
 */
import { HashIndex } from './hashIndex.js';
import { tagValuesJson } from './keys.js';
import type { CacheKey, CacheStore, CacheTag, KeyHandle, KeyValues } from './types.js';

/** Record header, in bytes; records start on 8-byte boundaries (the header is read through typed arrays). */
const HEADER = 32;
// Header fields, as indexes into the Int32Array view (offset / 4) and the Float64Array view (offset / 8).
const I_SIZE = 0;
const I_HASH = 1;
const F_EXPIRES = 1;
const I_KEY = 4;
const I_TEXT = 5;
/** The values' length in bytes, or -(their offset in the key's bytes + 1) when they are the key's end. */
const I_VALUES = 6;
/** flags in the low byte, tag count above it */
const I_FLAGS = 7;
/** The key is stored as latin1 (all its characters below 0x80), else as UTF-16. */
const KEY_ASCII = 1;
/** The text is stored as latin1 (ASCII), else as UTF-8 (JSON text is always well-formed). */
const TEXT_ASCII = 2;
/** Read since it was written or moved: moved to the head instead of dropped, once. */
const REFERENCED = 4;

/** What the index takes per entry when it has just doubled (8 bytes a slot, a quarter of the slots used). */
const INDEX_BYTES_PER_ENTRY = 32;
/** The most one ring holds: offsets stay small integers, and one Buffer can hold it. */
const SEGMENT_MAX_BYTES = 1 << 30;
const INITIAL_RING_BYTES = 64 * 1024;

const align8 = (n: number) => (n + 7) & ~7;

/**
 * Buffer's writers for one encoding each (`buf.utf8Write(string, offset, length)`, and latin1, ucs2): on
 * Buffer.prototype in every Node this package supports, though not in its typings. `buf.write(string, offset,
 * encoding)` reaches the same writer through a shared wrapper that picks it by name; inside a request that wrapper
 * cost ~70 ns a call, more than the copy itself, and a miss makes seven such writes (docs/caching-cost.md).
 */
interface EncodingWriters {
  utf8Write(text: string, offset: number, length?: number): number;
  latin1Write(text: string, offset: number, length?: number): number;
  ucs2Write(text: string, offset: number, length?: number): number;
}

/** The same writes through `buf.write`, for a Node whose Buffer lacks the per-encoding writers. */
class NamedEncodingWriters implements EncodingWriters {
  constructor(private readonly buffer: Buffer) {}
  utf8Write(text: string, offset: number, length = this.buffer.length - offset): number {
    return this.buffer.write(text, offset, length, 'utf8');
  }
  latin1Write(text: string, offset: number, length = this.buffer.length - offset): number {
    return this.buffer.write(text, offset, length, 'latin1');
  }
  ucs2Write(text: string, offset: number, length = this.buffer.length - offset): number {
    return this.buffer.write(text, offset, length, 'utf16le');
  }
}

const proto = Buffer.prototype as unknown as Partial<EncodingWriters>;
const hasEncodingWriters = typeof proto.utf8Write === 'function' && typeof proto.latin1Write === 'function' && typeof proto.ucs2Write === 'function';
if (!hasEncodingWriters) {
  // Not part of Node's documented API: a Node without them still works, a little slower, and says so once.
  process.emitWarning("this Node's Buffer has no utf8Write/latin1Write/ucs2Write: the API cache's in-memory store writes through Buffer#write", {
    code: 'APPSYNC_GATEWAY_CACHE_WRITERS',
  });
}
const writers = hasEncodingWriters ? (buffer: Buffer) => buffer as unknown as EncodingWriters : (buffer: Buffer) => new NamedEncodingWriters(buffer);
const headOf = (key: CacheKey): string => (typeof key === 'string' ? key : key.head);
const tailOf = (key: CacheKey): string => (typeof key === 'string' ? '' : key.tail);

/**
 * A key written as the store compares and hashes it, in a scratch buffer: its UTF-8 bytes when it is
 * ASCII (the usual case), else its UTF-16 code units (exact for any string, lone surrogates included,
 * so two keys never compare equal unless they are). The key's two parts are written one after the
 * other, each from its own string: the bytes of the joined text.
 */
class KeyBytes {
  buffer = Buffer.allocUnsafeSlow(1024);
  #words = new Int32Array(this.buffer.buffer, 0, 256);
  ascii = true;
  length = 0;

  write(head: string, tail: string): void {
    const chars = head.length + tail.length;
    if (3 * chars > this.buffer.length) {
      this.buffer = Buffer.allocUnsafeSlow(align8(Math.max(3 * chars, 2 * this.buffer.length)));
      this.#words = new Int32Array(this.buffer.buffer, 0, this.buffer.length >> 2);
    }
    // UTF-8 takes one byte a character only when every character is ASCII.
    const buffer = writers(this.buffer);
    const headBytes = buffer.utf8Write(head, 0);
    const bytes = headBytes + (tail.length === 0 ? 0 : buffer.utf8Write(tail, headBytes));
    this.ascii = bytes === chars;
    if (this.ascii) this.length = bytes;
    else this.length = buffer.ucs2Write(head, 0) + (tail.length === 0 ? 0 : buffer.ucs2Write(tail, 2 * head.length));
  }

  /** A 32-bit hash of the bytes written (MurmurHash3's mixing, four bytes a step): collisions are caught by comparing keys. */
  hash(): number {
    const length = this.length;
    const words = this.#words;
    let hash = length ^ 0x9747b28c;
    const whole = length >>> 2;
    for (let w = 0; w < whole; w++) {
      let k = Math.imul(words[w]!, 0xcc9e2d51);
      k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
      hash ^= k;
      hash = (Math.imul((hash << 13) | (hash >>> 19), 5) + 0xe6546b64) | 0;
    }
    let k = 0;
    for (let b = length - 1; b >= whole << 2; b--) k = (k << 8) | this.buffer[b]!;
    if (k !== 0) {
      k = Math.imul(k, 0xcc9e2d51);
      hash ^= Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    }
    hash ^= hash >>> 16;
    hash = Math.imul(hash, 0x85ebca6b);
    hash ^= hash >>> 13;
    hash = Math.imul(hash, 0xc2b2ae35);
    return (hash ^ (hash >>> 16)) | 0;
  }
}

/** The fields tags name, as small integers (records hold the ids). */
class FieldNames {
  readonly #ids = new Map<string, number>();
  readonly names: string[] = [];
  idOf(field: string): number {
    let id = this.#ids.get(field);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(field);
      this.#ids.set(field, id);
    }
    return id;
  }
  find(field: string): number | undefined {
    return this.#ids.get(field);
  }
}

/** One ring of records and its index. */
class Segment {
  /** Its share of the bound: the ring's length and the index's bytes stay within it. */
  readonly #maxBytes: number;
  #ring: Buffer = Buffer.alloc(0);
  #i32 = new Int32Array(0);
  #f64 = new Float64Array(0);
  /** Records lie in [tail, head), or, once wrapped, in [tail, limit) and [0, head). */
  #head = 0;
  #tail = 0;
  #limit = 0;
  #wrapped = false;
  /** key hash → offset of its record */
  readonly #index = new HashIndex();

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#index.size;
  }

  /** The record of `key` (hashed `hash`, written in the scratch buffer) if it is there and fresh. */
  find(hash: number, key: Buffer, keyLength: number, keyAscii: boolean, now: number): number | undefined {
    const at = this.#index.get(hash);
    if (at < 0) return undefined;
    const i = at >> 2;
    const flags = this.#i32[i + I_FLAGS]!;
    if (this.#i32[i + I_KEY] !== keyLength || ((flags & KEY_ASCII) !== 0) !== keyAscii) return undefined;
    const keyStart = at + HEADER + 4 * (flags >>> 8);
    if (this.#ring.compare(key, 0, keyLength, keyStart, keyStart + keyLength) !== 0) return undefined;
    if (this.#f64[(at >> 3) + F_EXPIRES]! <= now) {
      this.#drop(at);
      return undefined;
    }
    return at;
  }

  /** When the record at `at` expires (ms since the epoch). */
  expiresAt(at: number): number {
    return this.#f64[(at >> 3) + F_EXPIRES]!;
  }

  /** The text of the record at `at`, which is marked as read. */
  read(at: number): string {
    const i = at >> 2;
    const flags = this.#i32[i + I_FLAGS]!;
    this.#i32[i + I_FLAGS] = flags | REFERENCED;
    const start = at + HEADER + 4 * (flags >>> 8) + this.#i32[i + I_KEY]!;
    return this.#ring.toString(flags & TEXT_ASCII ? 'latin1' : 'utf8', start, start + this.#i32[i + I_TEXT]!);
  }

  /**
   * The key is `head + tail`. `fieldIds`: the tags' fields (one, or several); `values`: the tags' key values as JSON, or the
   * offset (in characters) in the key of the one tag's values, which end the key.
   */
  set(
    hash: number,
    head: string,
    tail: string,
    keyLength: number,
    keyAscii: boolean,
    text: string,
    expiresAt: number,
    fieldIds: number | number[],
    values: string | number,
  ): void {
    const textBytes = Buffer.byteLength(text, 'utf8');
    const valuesBytes = typeof values === 'string' ? Buffer.byteLength(values, 'utf8') : 0;
    const tags = typeof fieldIds === 'number' ? 1 : fieldIds.length;
    const size = align8(HEADER + 4 * tags + keyLength + textBytes + valuesBytes);
    const old = this.#index.get(hash);
    if (old >= 0) this.#drop(old);
    // An entry larger than the whole bound is not kept.
    if (size + HashIndex.bytesFor(1) > this.#maxBytes) return;
    // Room in the index: it grows within the bound, else entries go.
    for (let grown = this.#index.growthFor(); grown > 0 && this.#ring.length + grown > this.#maxBytes; grown = this.#index.growthFor()) {
      this.#evictTail();
    }
    const at = this.#reserve(size);
    const i = at >> 2;
    const i32 = this.#i32;
    const textAscii = textBytes === text.length;
    i32[i + I_SIZE] = size;
    i32[i + I_HASH] = hash;
    this.#f64[(at >> 3) + F_EXPIRES] = expiresAt;
    i32[i + I_KEY] = keyLength;
    i32[i + I_TEXT] = textBytes;
    i32[i + I_VALUES] = typeof values === 'string' ? valuesBytes : -(values * (keyAscii ? 1 : 2) + 1);
    i32[i + I_FLAGS] = (keyAscii ? KEY_ASCII : 0) | (textAscii ? TEXT_ASCII : 0) | (tags << 8);
    if (typeof fieldIds === 'number') i32[i + HEADER / 4] = fieldIds;
    else for (let t = 0; t < tags; t++) i32[i + HEADER / 4 + t] = fieldIds[t]!;
    let offset = at + HEADER + 4 * tags;
    // Written from the strings, as the scratch buffer holds them: copying from that buffer costs a view of it per write.
    const ring = writers(this.#ring);
    if (keyAscii) {
      ring.latin1Write(head, offset, head.length);
      if (tail.length > 0) ring.latin1Write(tail, offset + head.length, tail.length);
    } else {
      ring.ucs2Write(head, offset, 2 * head.length);
      if (tail.length > 0) ring.ucs2Write(tail, offset + 2 * head.length, 2 * tail.length);
    }
    offset += keyLength;
    if (textAscii) ring.latin1Write(text, offset, textBytes);
    else ring.utf8Write(text, offset, textBytes);
    offset += textBytes;
    if (typeof values === 'string') ring.utf8Write(values, offset, valuesBytes);
    this.#index.set(hash, at);
  }

  /**
   * Drops the entries tagged with field `id` whose key values `matches`; how many went. Walks the
   * ring's headers (no index per field is kept: keeping one cost every miss two hash-table updates);
   * only the key values of records tagged with the field are parsed.
   */
  evict(id: number, matches: (values: KeyValues) => boolean, now: number): number {
    let evicted = 0;
    const i32 = this.#i32;
    let at = this.#tail;
    let end = this.#wrapped ? this.#limit : this.#head;
    let second = !this.#wrapped;
    while (this.#index.size > 0) {
      if (at >= end) {
        if (second) break;
        second = true;
        at = 0;
        end = this.#head;
        continue;
      }
      const i = at >> 2;
      const size = i32[i + I_SIZE]!;
      const tags = i32[i + I_FLAGS]! >>> 8;
      let tagged = false;
      for (let t = 0; t < tags && !tagged; t++) tagged = i32[i + HEADER / 4 + t] === id;
      if (tagged && this.#index.get(i32[i + I_HASH]!) === at) {
        // An expired entry does not count.
        if (this.#f64[(at >> 3) + F_EXPIRES]! <= now) this.#drop(at);
        else {
          const values = JSON.parse(this.#valuesOf(at)) as KeyValues[];
          for (let t = 0; t < tags; t++) {
            if (i32[i + HEADER / 4 + t] === id && matches(values[t]!)) {
              this.#drop(at);
              evicted += 1;
              break;
            }
          }
        }
      }
      at += size;
    }
    return evicted;
  }

  flush(): void {
    this.#index.clear();
    this.#ring = Buffer.alloc(0);
    this.#i32 = new Int32Array(0);
    this.#f64 = new Float64Array(0);
    this.#head = this.#tail = this.#limit = 0;
    this.#wrapped = false;
  }

  /** The JSON array of the record's tags' key values. */
  #valuesOf(at: number): string {
    const i = at >> 2;
    const flags = this.#i32[i + I_FLAGS]!;
    const keyStart = at + HEADER + 4 * (flags >>> 8);
    const keyEnd = keyStart + this.#i32[i + I_KEY]!;
    const values = this.#i32[i + I_VALUES]!;
    if (values < 0) return `[${this.#ring.toString(flags & KEY_ASCII ? 'latin1' : 'utf16le', keyStart - values - 1, keyEnd)}]`;
    const start = keyEnd + this.#i32[i + I_TEXT]!;
    return this.#ring.toString('utf8', start, start + values);
  }

  /** Takes the live record at `at` out of the index; its bytes are reused when the tail passes them. */
  #drop(at: number): void {
    this.#index.delete(this.#i32[(at >> 2) + I_HASH]!);
  }

  /** The offset of `size` free bytes at the head, made by growing the ring or dropping records at its tail. */
  #reserve(size: number): number {
    for (;;) {
      if (this.#tail === this.#head && !this.#wrapped) this.#head = this.#tail = 0;
      if (!this.#wrapped) {
        const needed = this.#head + size;
        if (needed <= this.#ring.length) break;
        const length = this.#growth(needed, size);
        if (length >= needed) {
          this.#grow(length);
          continue;
        }
        // A record longer than the ring, which cannot grow while it holds this many entries.
        if (size > this.#ring.length) {
          this.#evictTail();
          continue;
        }
        // Wrap: the records run to `limit`, and new ones start at 0 as the tail makes room.
        this.#limit = this.#head;
        this.#head = 0;
        this.#wrapped = true;
      }
      if (this.#tail - this.#head >= size) break;
      this.#evictTail();
    }
    const at = this.#head;
    this.#head += size;
    return at;
  }

  /** Frees the record at the tail: dropped, or moved to the head if it was read since it was written. */
  #evictTail(): void {
    const at = this.#tail;
    const i = at >> 2;
    const size = this.#i32[i + I_SIZE]!;
    const hash = this.#i32[i + I_HASH]!;
    const flags = this.#i32[i + I_FLAGS]!;
    const live = this.#index.get(hash) === at;
    this.#tail += size;
    if (live) {
      const room = this.#wrapped ? this.#tail - this.#head : this.#ring.length - this.#head;
      if ((flags & REFERENCED) !== 0 && room >= size && this.#f64[(at >> 3) + F_EXPIRES]! > Date.now()) {
        // Second chance: the record goes to the head once, its mark cleared.
        this.#ring.copy(this.#ring, this.#head, at, at + size);
        this.#i32[(this.#head >> 2) + I_FLAGS] = flags & ~REFERENCED;
        this.#index.set(hash, this.#head);
        this.#head += size;
      } else this.#drop(at);
    }
    if (this.#wrapped && this.#tail >= this.#limit) {
      this.#tail = 0;
      this.#wrapped = false;
    } else if (!this.#wrapped && this.#tail >= this.#head) this.#head = this.#tail = 0;
  }

  /**
   * The length to grow the ring to for `needed` bytes (a record of `size` at the head): double (at
   * least), within the bound with the index, and not past the length at which a ring full of records
   * like those so far would want a larger index than the bound leaves room for; by an eighth at least.
   * Less than `needed`: it does not grow (it wraps), unless the record is longer than the ring.
   */
  #growth(needed: number, size: number): number {
    const entries = this.#index.size + 1;
    const average = needed / entries;
    const full = Math.floor((this.#maxBytes * average) / (average + INDEX_BYTES_PER_ENTRY));
    const most = Math.min(SEGMENT_MAX_BYTES, this.#maxBytes - Math.max(this.#index.bytes, HashIndex.bytesFor(entries)));
    const length = Math.min(most, full, Math.max(2 * this.#ring.length, INITIAL_RING_BYTES)) & ~7;
    // Growing copies the ring: only by an eighth or more.
    if (length >= needed + (this.#ring.length >> 3)) return length;
    return size > this.#ring.length ? Math.min(most, needed) & ~7 : 0;
  }

  /** A larger ring, before it has wrapped: records keep their offsets. */
  #grow(length: number): void {
    const ring = Buffer.allocUnsafeSlow(length);
    this.#ring.copy(ring, 0, 0, this.#head);
    this.#ring = ring;
    this.#i32 = new Int32Array(ring.buffer, ring.byteOffset, length >> 2);
    this.#f64 = new Float64Array(ring.buffer, ring.byteOffset, length >> 3);
  }
}

export class MemoryCacheStore implements CacheStore {
  readonly #segments: Segment[];
  readonly #fields = new FieldNames();
  readonly #key = new KeyBytes();
  readonly #maxBytes: number;

  /** @param maxBytes the most the process holds for the entries (the oldest unread ones go first) */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    // A thirty-second of the bound (64 KB at least) is left for what lies around the rings and indexes.
    const usable = maxBytes - Math.max(maxBytes / 32, Math.min(65_536, maxBytes / 4));
    const count = Math.ceil(usable / SEGMENT_MAX_BYTES);
    this.#segments = Array.from({ length: count }, () => new Segment(Math.floor(usable / count)));
  }

  /** How many entries it holds (expired ones not yet dropped included). */
  get size(): number {
    let size = 0;
    for (const segment of this.#segments) size += segment.size;
    return size;
  }

  get maxBytes(): number {
    return this.#maxBytes;
  }

  get(key: CacheKey, handle?: KeyHandle): Promise<string | undefined> {
    return Promise.resolve(this.getNow(key, handle));
  }

  getNow(key: CacheKey, handle?: KeyHandle): string | undefined {
    this.#key.write(headOf(key), tailOf(key));
    const hash = this.#key.hash();
    if (handle !== undefined) {
      handle.storeHash = hash;
      handle.storeLength = this.#key.length;
      handle.storeAscii = this.#key.ascii;
    }
    const segment = this.#segmentOf(hash);
    const at = segment.find(hash, this.#key.buffer, this.#key.length, this.#key.ascii, Date.now());
    if (at === undefined) return undefined;
    if (handle !== undefined) handle.expiresAt = segment.expiresAt(at);
    return segment.read(at);
  }

  set(key: CacheKey, text: string, ttlMs: number, tags: CacheTag | readonly CacheTag[], handle?: KeyHandle): Promise<void> {
    const head = headOf(key);
    const tail = tailOf(key);
    let hash: number;
    let keyLength: number;
    let keyAscii: boolean;
    // Looked up just before (a miss): its hash and length are known, and the record's key is written from the strings.
    if (handle?.storeHash !== undefined) {
      hash = handle.storeHash;
      keyLength = handle.storeLength!;
      keyAscii = handle.storeAscii!;
    } else {
      this.#key.write(head, tail);
      hash = this.#key.hash();
      keyLength = this.#key.length;
      keyAscii = this.#key.ascii;
    }
    const one = isOneTag(tags) ? tags : tags.length === 1 ? tags[0]! : undefined;
    let fieldIds: number | number[];
    let values: string | number;
    if (one !== undefined) {
      fieldIds = this.#fields.idOf(one.field);
      // A resolver entry's key ends with its values (apiCache.ts): its tail is the same string.
      values = tail.length > 0 && tail === one.valuesJson ? head.length : `[${tagValuesJson(one)}]`;
    } else {
      const several = tags as readonly CacheTag[];
      fieldIds = several.map((tag) => this.#fields.idOf(tag.field));
      values = `[${several.map(tagValuesJson).join(',')}]`;
    }
    this.#segmentOf(hash).set(hash, head, tail, keyLength, keyAscii, text, Date.now() + ttlMs, fieldIds, values);
    return Promise.resolve();
  }

  evict(field: string, matches: (values: KeyValues) => boolean): Promise<number> {
    const id = this.#fields.find(field);
    if (id === undefined) return Promise.resolve(0);
    const now = Date.now();
    let evicted = 0;
    for (const segment of this.#segments) evicted += segment.evict(id, matches, now);
    return Promise.resolve(evicted);
  }

  flush(): Promise<void> {
    for (const segment of this.#segments) segment.flush();
    return Promise.resolve();
  }

  close(): Promise<void> {
    return this.flush();
  }

  #segmentOf(hash: number): Segment {
    return this.#segments.length === 1 ? this.#segments[0]! : this.#segments[(hash >>> 0) % this.#segments.length]!;
  }
}

const isOneTag = (tags: CacheTag | readonly CacheTag[]): tags is CacheTag => !Array.isArray(tags);
