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
