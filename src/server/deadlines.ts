/**
 * Time limits for many concurrent promises with one timer: a `setTimeout` + `Promise.race` per
 * GraphQL request showed in the hot path's profile (a timer object, two promises and a closure per
 * request, all garbage a moment later). Here each request is one list entry, and one unref'd
 * interval, running only while something is in flight, ends the ones past their deadline. A limit
 * fires up to one period late, which is fine for limits of seconds.
 *
 * The entries form a doubly linked list rather than a `Set`: under HTTP load, with an entry added
 * to and deleted from a `Set` per request, 330–620 bytes per request survived two scavenges into the
 * old generation (the allocation sampler put most of them on the requests' own objects; the cause
 * is within V8's hash table, and was not pinned down further), and old-generation growth means
 * full collections; with the list, ~0 bytes per request are promoted
 * (docs/bench.md#the-gateway-process-per-request).
 */
interface Entry {
  /** When it times out (ms since the epoch); -1 once it left the list. */
  deadline: number;
  timeout: (value: 'timeout') => void;
  prev: Entry | undefined;
  next: Entry | undefined;
}

export class Deadlines {
  readonly #period: number;
  #head: Entry | undefined;
  #size = 0;
  #sweeper: NodeJS.Timeout | undefined;

  /** @param periodMs how often deadlines are checked */
  constructor(periodMs: number) {
    this.#period = periodMs;
  }

  /** Promises being timed now. */
  get size(): number {
    return this.#size;
  }

  /** Settles like `promise`, or with `'timeout'` once `ms` have passed without it settling. */
  race<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
    return new Promise<T | 'timeout'>((resolve, reject) => {
      const entry: Entry = { deadline: Date.now() + ms, timeout: resolve, prev: undefined, next: this.#head };
      if (this.#head) this.#head.prev = entry;
      this.#head = entry;
      this.#size += 1;
      this.#sweeper ??= setInterval(() => this.#sweep(), this.#period).unref();
      promise.then(
        (value) => {
          this.#remove(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.#remove(entry);
          reject(error);
        },
      );
    });
  }

  #remove(entry: Entry): void {
    if (entry.deadline < 0) return;
    entry.deadline = -1;
    if (entry.prev) entry.prev.next = entry.next;
    else this.#head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    entry.prev = entry.next = undefined;
    this.#size -= 1;
  }

  #sweep(): void {
    const now = Date.now();
    for (let entry = this.#head; entry !== undefined;) {
      const next = entry.next;
      if (entry.deadline <= now) {
        this.#remove(entry);
        entry.timeout('timeout');
      }
      entry = next;
    }
    if (this.#size === 0 && this.#sweeper) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
