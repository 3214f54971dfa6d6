/** The shared execution time limit: one interval times out many promises, and stops when idle. */
import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../src/server/deadlines.js';

describe('Deadlines', () => {
  it('answers with the value, the error, or timeout, and stops its timer when nothing is in flight', async () => {
    const deadlines = new Deadlines(10);
    const never = new Promise<string>(() => undefined);
    const started = Date.now();
    const [value, failure, late] = await Promise.allSettled([
      deadlines.race(Promise.resolve('done'), 1000),
      deadlines.race(Promise.reject(new Error('boom')), 1000),
      deadlines.race(never, 50),
    ]);
    expect(value).toEqual({ status: 'fulfilled', value: 'done' });
    expect(failure).toMatchObject({ status: 'rejected', reason: { message: 'boom' } });
    expect(late).toEqual({ status: 'fulfilled', value: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(deadlines.size).toBe(0);
  });

  it('a promise that settles after its deadline does not change the answer', async () => {
    const deadlines = new Deadlines(5);
    let finish!: (v: string) => void;
    const slow = new Promise<string>((resolve) => (finish = resolve));
    const answer = deadlines.race(slow, 20);
    await new Promise((r) => setTimeout(r, 60));
    finish('too late');
    expect(await answer).toBe('timeout');
    expect(deadlines.size).toBe(0);
  });
});

describe('Deadlines with many in flight', () => {
  it('promises settling in any order leave the others timed, and the last one still times out', async () => {
    const deadlines = new Deadlines(5);
    const finishers: Array<(v: number) => void> = [];
    const answers = Array.from({ length: 6 }, (_, i) => deadlines.race(new Promise<number>((resolve) => finishers.push(resolve)), i === 3 ? 30 : 10_000));
    expect(deadlines.size).toBe(6);
    // First, last and middle of the list (the newest entry is its head).
    for (const i of [0, 5, 2, 4, 1]) finishers[i]!(i);
    await Promise.all([0, 5, 2, 4, 1].map((i) => answers[i]));
    expect(deadlines.size).toBe(1);
    expect(await answers[3]).toBe('timeout');
    expect(deadlines.size).toBe(0);
    expect(await Promise.all([0, 1, 2, 4, 5].map((i) => answers[i]))).toEqual([0, 1, 2, 4, 5]);
  });
});
