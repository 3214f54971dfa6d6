/**
 * The in-process pubsub: the default when one gateway instance serves every subscriber.
 */
import type { PubSub, PublishedEvent } from './types.js';

type Listener = (event: PublishedEvent) => void;

/**
 * Creates an in-memory `PubSub`. Listeners run synchronously inside `publish`, in subscription
 * order; a throwing listener does not keep the event from the others.
 */
export function createMemoryPubSub(): PubSub {
  const listeners = new Map<string, Set<Listener>>();
  let closed = false;
  return {
    async publish(event) {
      if (closed) return;
      const set = listeners.get(event.subscriptionField);
      if (!set) return;
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch {
          // A listener's failure is its own; the others still get the event.
        }
      }
    },
    subscribe(subscriptionField, listener) {
      let set = listeners.get(subscriptionField);
      if (!set) listeners.set(subscriptionField, (set = new Set()));
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const entry: Listener = (event) => listener(event);
      set.add(entry);
      return async () => {
        const current = listeners.get(subscriptionField);
        if (!current) return;
        current.delete(entry);
        if (current.size === 0) listeners.delete(subscriptionField);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
