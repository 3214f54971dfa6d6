/**
 * The contract between the gateway core and the real-time layer. The core implements
 * `RealtimeHost` (auth, parse/validate, running subscription resolvers, shaping an event for one
 * subscriber); src/realtime implements the protocols and the pubsub on top of it.
 */
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { AuthContext, AuthRequest } from '../auth/types.js';

/** An error entry as AppSync sends it (docs/errors.md#the-shape-of-an-error-entry). */
export interface ErrorEntry {
  path?: ReadonlyArray<string | number> | null;
  data?: unknown;
  errorType?: string | null;
  errorInfo?: unknown;
  locations?: ReadonlyArray<{ line: number; column: number; sourceName: null }> | null;
  message: string;
}

/** `{ filterGroup: [{ filters: [{ fieldName, operator, value }] }] }` (docs/realtime.md). */
export interface SubscriptionFilter {
  filterGroup: Array<{ filters: Array<{ fieldName: string; operator: string; value?: unknown }> }>;
}

/** A message on the pubsub: one mutation result published to one subscription field. */
export interface PublishedEvent {
  /** Subscription field name (`onCreatePost`). */
  subscriptionField: string;
  /** Mutation field that produced it (`createPost`), or null for library publishes. */
  mutationField: string | null;
  /** The mutation's selected result for that field (what subscribers may receive). */
  payload: unknown;
  /** Set for `extensions.invalidateSubscriptions` messages instead of data. */
  invalidation?: boolean;
}

/** Pubsub plug point: in-memory by default, Redis across instances. */
export interface PubSub {
  publish(event: PublishedEvent): Promise<void>;
  /** Subscribes to every event of one subscription field; returns the unsubscribe function. */
  subscribe(subscriptionField: string, listener: (event: PublishedEvent) => void): Promise<() => Promise<void>> | (() => Promise<void>);
  close(): Promise<void>;
}

export type PreparedSubscription =
  | {
      ok: true;
      /** Root subscription field name and its response key. */
      fieldName: string;
      responseKey: string;
      /** Coerced arguments of the subscription field (used for equality filtering). */
      args: Record<string, unknown>;
      /** Set by `extensions.setSubscriptionFilter` in the subscription resolver's response. */
      filter?: SubscriptionFilter;
      /** Set by `extensions.setSubscriptionInvalidationFilter`. */
      invalidationFilter?: SubscriptionFilter;
    }
  | { ok: false; errors: ErrorEntry[] };

export interface SubscriptionRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  auth: AuthContext;
  /** Lower-case headers the client authorized with (become `ctx.request.headers`). */
  headers: Record<string, string>;
}

/** What the core gives the real-time layer. */
export interface RealtimeHost {
  readonly schema: GraphQLSchema;
  readonly pubsub: PubSub;
  /** Authenticates credentials (from the `header` query parameter or `extensions.authorization`). */
  authenticate(request: AuthRequest): Promise<AuthContext>;
  /**
   * Parses/validates the subscription document, checks field auth, runs the subscription
   * field's resolver (if one is bound) and returns what filtering needs, or AppSync-shaped errors.
   */
  prepareSubscription(request: SubscriptionRequest): Promise<PreparedSubscription>;
  /**
   * Shapes one published payload for one subscriber: executes the subscription's selection set
   * against the payload (fields the mutation did not select come out null) and returns the
   * `{ data, errors? }` body to send.
   */
  renderEvent(request: SubscriptionRequest, event: PublishedEvent): Promise<{ data: unknown; errors?: ErrorEntry[] }>;
}

/** What the real-time layer gives the server. */
export interface Realtime {
  /** Routes an HTTP upgrade; returns false when the path/subprotocol is not a real-time endpoint. */
  handleUpgrade(req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer): boolean;
  /** Publishes a mutation result (called by the core after a mutation) or a library event. */
  publish(event: PublishedEvent): Promise<void>;
  close(): Promise<void>;
}
