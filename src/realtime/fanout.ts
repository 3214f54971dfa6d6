/**
 * Fan-out on one instance: keeps the local subscriptions per subscription field, listens on the
 * pubsub for the fields that have any, decides per event who receives it (filter.ts) and hands
 * each receiver its rendered body, in publish order per subscription.
 *
 * Rendering (executing a subscriber's selection over the payload) is shared: subscribers with the
 * same auth context object, document, variables and headers get one render per event.
 */
import type { AuthContext } from '../auth/types.js';
import { matchesArguments, matchesFilter, matchesInvalidation } from './filter.js';
import type { ErrorEntry, PubSub, PublishedEvent, RealtimeHost, SubscriptionFilter, SubscriptionRequest } from './types.js';

/** One event rendered for one kind of subscriber. */
export interface RenderedEvent {
  body: { data: unknown; errors?: ErrorEntry[] };
  /** `JSON.stringify(body)`, computed once and shared. */
  json: string;
}

/** A subscription registered by a protocol server. */
export interface LocalSubscription {
  fieldName: string;
  args: Record<string, unknown>;
  filter?: SubscriptionFilter;
  invalidationFilter?: SubscriptionFilter;
  request: SubscriptionRequest;
  /** Called in publish order with each event this subscriber receives. */
  deliver(event: RenderedEvent): void;
  /** Called when an invalidation matches (docs/realtime.md#behaviour). */
  invalidate(): void;
  /** Called when more than `maxPendingEvents` renders wait for this subscriber. */
  overflow(): void;
}

export interface FanoutOptions {
  /** Rendered bodies larger than this are dropped, as AppSync drops them. @default 245760 (240 KB) */
  maxPayloadBytes: number;
  /** Renders allowed to wait per subscription before it counts as a slow consumer. @default 1000 */
  maxPendingEvents: number;
  onDrop?: (reason: string, subscription: LocalSubscription) => void;
  onError?: (error: unknown) => void;
}

interface Entry {
  sub: LocalSubscription;
  renderKey: string;
  tail: Promise<void>;
  pending: number;
  active: boolean;
}

export interface Fanout {
  /** Registers a subscription; resolves once the pubsub listens for its field. */
  add(sub: LocalSubscription): Promise<() => Promise<void>>;
  /** Number of local subscriptions (all fields). */
  readonly size: number;
  close(): Promise<void>;
}

export function createFanout(host: Pick<RealtimeHost, 'renderEvent'>, pubsub: PubSub, options: FanoutOptions): Fanout {
  const byField = new Map<string, Set<Entry>>();
  const unsubscribers = new Map<string, Promise<() => Promise<void>>>();
  let size = 0;

  const onEvent = (field: string, event: PublishedEvent) => {
    const entries = byField.get(field);
    if (!entries || entries.size === 0) return;
    if (event.invalidation) {
      for (const entry of [...entries]) {
        if (entry.active && matchesInvalidation(entry.sub.invalidationFilter, event.payload)) entry.sub.invalidate();
      }
      return;
    }
    // Per event: one render per (auth context, document+variables+headers).
    const renders = new Map<AuthContext, Map<string, Promise<RenderedEvent | null>>>();
    for (const entry of entries) {
      if (!entry.active) continue;
      const { sub } = entry;
      // docs/realtime.md#filters-in-detail Gateway choice: an enhanced filter replaces argument filtering.
      const receives = sub.filter ? matchesFilter(sub.filter, event.payload) : matchesArguments(sub.args, event.payload);
      if (!receives) continue;
      if (entry.pending >= options.maxPendingEvents) {
        entry.active = false;
        sub.overflow();
        continue;
      }
      let byKey = renders.get(sub.request.auth);
      if (!byKey) renders.set(sub.request.auth, (byKey = new Map()));
      let render = byKey.get(entry.renderKey);
      if (!render) {
        render = renderOnce(sub.request, event);
        byKey.set(entry.renderKey, render);
      }
      entry.pending++;
      const rendered = render;
      entry.tail = entry.tail.then(async () => {
        const result = await rendered;
        entry.pending--;
        if (!entry.active || !result) return;
        if (result.json.length > options.maxPayloadBytes && Buffer.byteLength(result.json) > options.maxPayloadBytes) {
          options.onDrop?.(`payload of ${Buffer.byteLength(result.json)} bytes exceeds ${options.maxPayloadBytes}`, sub);
          return;
        }
        sub.deliver(result);
      });
    }
  };

  const renderOnce = async (request: SubscriptionRequest, event: PublishedEvent): Promise<RenderedEvent | null> => {
    try {
      const body = await host.renderEvent(request, event);
      return { body, json: JSON.stringify(body) };
    } catch (error) {
      options.onError?.(error);
      return null;
    }
  };

  return {
    get size() {
      return size;
    },
    async add(sub) {
      const entry: Entry = { sub, renderKey: renderKeyOf(sub.request), tail: Promise.resolve(), pending: 0, active: true };
      const field = sub.fieldName;
      let entries = byField.get(field);
      if (!entries) byField.set(field, (entries = new Set()));
      entries.add(entry);
      size++;
      let listening = unsubscribers.get(field);
      if (!listening) {
        listening = Promise.resolve(pubsub.subscribe(field, (event) => onEvent(field, event)));
        unsubscribers.set(field, listening);
      }
      try {
        await listening;
      } catch (error) {
        unsubscribers.delete(field);
        remove();
        throw error;
      }
      function remove(): boolean {
        if (!entry.active && !entries!.has(entry)) return false;
        entry.active = false;
        if (!entries!.delete(entry)) return false;
        size--;
        return true;
      }
      return async () => {
        if (!remove()) return;
        if (entries!.size === 0 && byField.get(field) === entries) {
          byField.delete(field);
          const stop = unsubscribers.get(field);
          unsubscribers.delete(field);
          if (stop) await (await stop)().catch(() => undefined);
        }
      };
    },
    async close() {
      for (const entries of byField.values()) for (const entry of entries) entry.active = false;
      byField.clear();
      size = 0;
      const stops = [...unsubscribers.values()];
      unsubscribers.clear();
      await Promise.allSettled(stops.map(async (s) => (await s)()));
    },
  };
}

/**
 * Headers that differ per request without changing what a subscriber may see: Amplify stamps
 * every `start` with `x-amz-date` and its user agent. Leaving them out of the render key lets
 * thousands of Amplify subscribers share one render.
 */
const VOLATILE_HEADERS = new Set(['x-amz-date', 'x-amz-user-agent', 'user-agent', 'x-amz-content-sha256']);

function renderKeyOf(request: SubscriptionRequest): string {
  const headers = Object.entries(request.headers)
    .filter(([name]) => !VOLATILE_HEADERS.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([request.query, request.variables ?? null, request.operationName ?? null, headers]);
}
