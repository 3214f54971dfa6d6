/**
 * Time limits for many concurrent promises with one timer: a `setTimeout` + `Promise.race` per
 * GraphQL request showed in the hot path's profile (a timer object, two promises and a closure per
 * request, all garbage a moment later). Here each request is one set entry, and one unref'd
 * interval, running only while something is in flight, ends the ones past their deadline. A limit
 * fires up to one period late, which is fine for limits of seconds.
 */
export class Deadlines {
  readonly #period: number;
  readonly #inFlight = new Set<{ deadline: number; expire: () => void }>();
  #sweeper: NodeJS.Timeout | undefined;

  /** @param periodMs how often deadlines are checked */
  constructor(periodMs: number) {
    this.#period = periodMs;
  }

  /** Promises being timed now. */
  get size(): number {
    return this.#inFlight.size;
  }

  /** Settles like `promise`, or with `'timeout'` once `ms` have passed without it settling. */
  race<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
    return new Promise<T | 'timeout'>((resolve, reject) => {
      const entry = { deadline: Date.now() + ms, expire: () => resolve('timeout') };
      this.#inFlight.add(entry);
      this.#sweeper ??= setInterval(() => this.#sweep(), this.#period).unref();
      promise.then(
        (value) => {
          this.#inFlight.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.#inFlight.delete(entry);
          reject(error);
        },
      );
    });
  }

  #sweep(): void {
    const now = Date.now();
    for (const entry of this.#inFlight) {
      if (entry.deadline > now) continue;
      this.#inFlight.delete(entry);
      entry.expire();
    }
    if (this.#inFlight.size === 0 && this.#sweeper) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }
}
