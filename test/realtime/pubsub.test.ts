/**
 * One suite, two backends (STYLE.md): the same pubsub cases run on memory and on a real Redis.
 */
import { describe, expect, inject, it } from 'vitest';
import { createMemoryPubSub } from '../../src/realtime/pubsub-memory.js';
import { createRedisPubSub } from '../../src/realtime/pubsub-redis.js';
import type { PubSub, PublishedEvent } from '../../src/realtime/types.js';

const redisUrl = inject('redisUrl');
const redisSkipReason = inject('redisSkipReason');

/** Waits until `predicate` holds (Redis delivers asynchronously). */
async function until(predicate: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (predicate()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const event = (field: string, payload: unknown, extra: Partial<PublishedEvent> = {}): PublishedEvent => ({
  subscriptionField: field,
  mutationField: 'createPost',
  payload,
  ...extra,
});

interface Backend {
  name: string;
  skip?: string;
  /** Two pubsubs that share a bus (two instances); memory uses the same object twice. */
  create(): Promise<[PubSub, PubSub, () => Promise<void>]>;
}

const backends: Backend[] = [
  {
    name: 'memory',
    async create() {
      const p = createMemoryPubSub();
      return [p, p, () => p.close()];
    },
  },
  {
    name: 'redis',
    skip: redisUrl ? undefined : redisSkipReason,
    async create() {
      const prefix = `test-${Math.random().toString(36).slice(2)}:`;
      const a = await createRedisPubSub({ redisUrl, channelPrefix: prefix });
      const b = await createRedisPubSub({ redisUrl, channelPrefix: prefix });
      return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
    },
  },
];

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`pubsub: ${backend.name}${backend.skip ? ` (skipped: ${backend.skip})` : ''}`, () => {
    it('delivers an event to every subscriber of its field, across instances, in order', async () => {
      const [a, b, close] = await backend.create();
      try {
        const gotA: unknown[] = [];
        const gotB: unknown[] = [];
        await a.subscribe('onCreatePost', (e) => gotA.push(e.payload));
        await b.subscribe('onCreatePost', (e) => gotB.push(e.payload));
        await a.publish(event('onCreatePost', { id: '1' }));
        await a.publish(event('onCreatePost', { id: '2' }));
        await until(() => gotA.length === 2 && gotB.length === 2, 'two events on each side');
        expect(gotA).toEqual([{ id: '1' }, { id: '2' }]);
        expect(gotB).toEqual([{ id: '1' }, { id: '2' }]);
      } finally {
        await close();
      }
    });

    it('keeps fields apart and carries the whole event (invalidation flag included)', async () => {
      const [a, b, close] = await backend.create();
      try {
        const got: PublishedEvent[] = [];
        await b.subscribe('onUpdate', (e) => got.push(e));
        await a.publish(event('onOther', { id: 'x' }));
        const invalidation = { subscriptionField: 'onUpdate', mutationField: null, payload: { group: 'g' }, invalidation: true };
        await a.publish(invalidation);
        await until(() => got.length === 1, 'the invalidation');
        expect(got).toEqual([invalidation]);
      } finally {
        await close();
      }
    });

    it('stops delivering after unsubscribe, without affecting other subscribers', async () => {
      const [a, b, close] = await backend.create();
      try {
        const first: unknown[] = [];
        const second: unknown[] = [];
        const unsubscribe = await b.subscribe('onX', (e) => first.push(e.payload));
        await b.subscribe('onX', (e) => second.push(e.payload));
        await unsubscribe();
        await a.publish(event('onX', 1));
        await until(() => second.length === 1, 'the remaining subscriber');
        expect(first).toEqual([]);
        expect(second).toEqual([1]);
      } finally {
        await close();
      }
    });

    it('a throwing listener does not keep the event from the others', async () => {
      const [a, b, close] = await backend.create();
      try {
        const got: unknown[] = [];
        await b.subscribe('onY', () => {
          throw new Error('listener failure');
        });
        await b.subscribe('onY', (e) => got.push(e.payload));
        await a.publish(event('onY', 'p'));
        await until(() => got.length === 1, 'the second listener');
        expect(got).toEqual(['p']);
      } finally {
        await close();
      }
    });
  });
}

describe('createRedisPubSub', () => {
  it('fails to start when Redis is unreachable', async () => {
    await expect(createRedisPubSub({ redisUrl: 'redis://127.0.0.1:1' })).rejects.toThrow();
  });
});
