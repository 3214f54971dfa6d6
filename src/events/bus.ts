/**
 * Event fan-out (docs/events.md#scale-out): a publish goes through the gateway's pubsub
 * (src/realtime: in memory, or Redis across instances) on one channel per Event API, and each
 * instance delivers it to its own subscriptions whose path matches: the channel itself, or a
 * `/*` subscription on one of its prefixes. Each event's `data` frame is written once per
 * subscription id, from the event's JSON text escaped once.
 */
import type { PubSub, PublishedEvent } from '../realtime/index.js';
import { matchingKeys, type Channel } from './channels.js';

/** A subscription as the bus sees it: where its frames go. */
export interface BusSubscription {
  /** The subscription id as JSON text (`"abc"`), written into every frame. */
  readonly idJson: string;
  send(frame: string): void;
}

/** What travels on the pubsub: the channel and its events as JSON text. */
interface BusMessage {
  path: string;
  segments: string[];
  events: string[];
}

export interface EventBus {
  /** Adds a subscription under `key` (a channel path, or a prefix ending in `/*`); resolves once the pubsub listens. */
  subscribe(key: string, subscription: BusSubscription): Promise<() => void>;
  /** Sends events (JSON text each) to every subscriber of `channel` on every instance. */
  publish(channel: Channel, events: string[]): Promise<void>;
  /** Local subscriptions (for stats and tests). */
  readonly size: number;
  close(): Promise<void>;
}

/** `field` is the pubsub channel of this Event API (its name keeps several APIs on one Redis apart). */
export function createEventBus(pubsub: () => Promise<PubSub>, field: string, onError: (error: unknown) => void): EventBus {
  const byKey = new Map<string, Set<BusSubscription>>();
  let size = 0;
  let listening: Promise<() => Promise<void>> | undefined;

  const deliver = (event: PublishedEvent) => {
    const message = event.payload as BusMessage;
    const channel = { path: message.path, segments: message.segments } as Channel;
    const targets: Array<Set<BusSubscription>> = [];
    for (const key of matchingKeys(channel)) {
      const set = byKey.get(key);
      if (set) targets.push(set);
    }
    if (targets.length === 0) return;
    for (const text of message.events) {
      // The frame's `event` member is the event's JSON text as a JSON string.
      const tail = `,"event":${JSON.stringify(text)}}`;
      for (const set of targets) for (const sub of set) sub.send(`{"type":"data","id":${sub.idJson}${tail}`);
    }
  };

  const listen = () => {
    listening ??= pubsub().then((ps) => Promise.resolve(ps.subscribe(field, deliver)));
    // A failed start is tried again by the next subscriber.
    listening.catch((error: unknown) => {
      listening = undefined;
      onError(error);
    });
    return listening;
  };

  return {
    async subscribe(key, subscription) {
      await listen();
      let set = byKey.get(key);
      if (!set) byKey.set(key, (set = new Set()));
      set.add(subscription);
      size++;
      let removed = false;
      return () => {
        if (removed) return;
        removed = true;
        size--;
        const current = byKey.get(key);
        if (!current) return;
        current.delete(subscription);
        if (current.size === 0) byKey.delete(key);
      };
    },
    async publish(channel, events) {
      if (events.length === 0) return;
      const ps = await pubsub();
      const payload: BusMessage = { path: channel.path, segments: channel.segments, events };
      await ps.publish({ subscriptionField: field, mutationField: null, payload });
    },
    get size() {
      return size;
    },
    async close() {
      byKey.clear();
      size = 0;
      const stop = await listening?.catch(() => undefined);
      listening = undefined;
      await stop?.();
    },
  };
}
