/**
 * The Redis pubsub: several gateway instances behind a load balancer share one Redis server, and
 * a mutation on any instance reaches subscribers on every instance.
 *
 * Gateway choice: one Redis channel per subscription field (`<prefix><field>`, e.g.
 * `appsync-gateway:onCreatePost`). An instance SUBSCRIBEs to a field's channel while at least one
 * of its clients subscribes to that field, so Redis only sends an instance the fields it serves,
 * and filtering stays local (filters can hold per-subscriber context values). Messages are the
 * JSON of `PublishedEvent`. Publishing goes through Redis even for local subscribers, so each
 * subscriber receives an event exactly once.
 */
import type { PubSub, PublishedEvent } from './types.js';

export interface RedisPubSubOptions {
  /** `redis://[:password@]host:port[/db]` */
  redisUrl: string;
  /**
   * Prefix of the channel names; give each API its own when several APIs share one Redis.
   * @default 'appsync-gateway:'
   */
  channelPrefix?: string;
  /** Where connection problems are reported. @default ignored */
  onError?: (error: Error) => void;
}

type Listener = (event: PublishedEvent) => void;

/** Connects to Redis (two connections: publish and subscribe) and returns a `PubSub`. */
export async function createRedisPubSub(options: RedisPubSubOptions): Promise<PubSub> {
  const prefix = options.channelPrefix ?? 'appsync-gateway:';
  // Loaded here, not at module level: ioredis costs ~150 ms of start-up and only an API started
  // with a Redis URL needs it (realtime/index.ts imports this module for every API).
  const { Redis } = await import('ioredis');
  const redisOptions = { lazyConnect: true, maxRetriesPerRequest: 3, enableAutoPipelining: true };
  const publisher = new Redis(options.redisUrl, redisOptions);
  const subscriber = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 3 });
  const report = (error: Error) => options.onError?.(error);
  publisher.on('error', report);
  subscriber.on('error', report);
  try {
    await Promise.all([publisher.connect(), subscriber.connect()]);
  } catch (error) {
    publisher.disconnect();
    subscriber.disconnect();
    throw error;
  }

  const listeners = new Map<string, Set<Listener>>();
  const subscribed = new Map<string, Promise<unknown>>();
  let closed = false;

  subscriber.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    const set = listeners.get(channel.slice(prefix.length));
    if (!set || set.size === 0) return;
    let event: PublishedEvent;
    try {
      event = JSON.parse(message) as PublishedEvent;
    } catch {
      return; // not ours
    }
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        // one listener's failure does not keep the event from the others
      }
    }
  });

  return {
    async publish(event) {
      if (closed) return;
      await publisher.publish(prefix + event.subscriptionField, JSON.stringify(event));
    },
    async subscribe(subscriptionField, listener) {
      let set = listeners.get(subscriptionField);
      if (!set) {
        listeners.set(subscriptionField, (set = new Set()));
        // Commands on one connection run in order, so a later UNSUBSCRIBE cannot overtake this.
        subscribed.set(subscriptionField, subscriber.subscribe(prefix + subscriptionField));
      }
      // Concurrent first subscribers all wait for Redis to confirm the channel.
      await subscribed.get(subscriptionField);
      const entry: Listener = (event) => listener(event);
      set.add(entry);
      return async () => {
        const current = listeners.get(subscriptionField);
        if (!current || !current.delete(entry)) return;
        if (current.size === 0) {
          listeners.delete(subscriptionField);
          subscribed.delete(subscriptionField);
          if (!closed) await subscriber.unsubscribe(prefix + subscriptionField).catch(() => undefined);
        }
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      await Promise.allSettled([publisher.quit(), subscriber.quit()]);
    },
  };
}
