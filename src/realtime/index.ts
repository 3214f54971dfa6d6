/**
 * INTERIM real-time front door, written by the lead so the gateway runs while the protocols are
 * being built: no WebSocket endpoint yet, an in-process pubsub. It will be replaced.
 */
import type { PubSub, PublishedEvent, Realtime, RealtimeHost } from './types.js';

export type * from './types.js';

export async function createPubSub(_options: { redisUrl?: string } = {}): Promise<PubSub> {
  const listeners = new Map<string, Set<(event: PublishedEvent) => void>>();
  return {
    async publish(event) {
      for (const listener of listeners.get(event.subscriptionField) ?? []) listener(event);
    },
    subscribe(field, listener) {
      let set = listeners.get(field);
      if (!set) listeners.set(field, (set = new Set()));
      set.add(listener);
      return async () => void set!.delete(listener);
    },
    async close() {
      listeners.clear();
    },
  };
}

export function createRealtime(host: RealtimeHost, _options: unknown = {}): Realtime {
  return {
    handleUpgrade: () => false,
    publish: (event) => host.pubsub.publish(event),
    close: async () => {},
  };
}
