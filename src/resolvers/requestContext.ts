/**
 * Per-request state threaded through graphql-js execution as `contextValue`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AuthContext } from '../auth/types.js';
import type { CacheTag } from '../cache/types.js';
import type { ErrorEntry, SubscriptionFilter } from '../realtime/types.js';

export interface RequestContext {
  auth: AuthContext;
  /** `ctx.request.headers`: lower-case names, `cookie` removed (docs/resolvers.md#resolver-runtime-appsync_js). */
  headers: Record<string, string | string[]>;
  /** Errors added by `util.appendError` and response-header rejections, with path and locations. */
  appendedErrors: ErrorEntry[];
  /** Headers added by `util.http.addResponseHeader(s)`. */
  responseHeaders: Record<string, string>;
  /** Lives for one request: data sources batch through it (Lambda BatchInvoke). */
  requestScope: Map<unknown, unknown>;
  /** Resolvers run so far (`resolverCountLimit`, docs/errors.md#request-limits). */
  resolverCount: number;
  /** `extensions.invalidateSubscriptions` calls made by mutation resolvers. */
  invalidations: Array<{ subscriptionField: string; payload: unknown }>;
  /** `extensions.evictFromApiCache` calls made by mutation resolvers (docs/caching.md#eviction). */
  cacheEvictions?: Array<{ typeName: string; fieldName: string; keys: Record<string, unknown> }>;
  /** Set while a query's whole answer is to be cached: the resolver runs it took, for evictions. */
  cacheTags?: CacheTag[];
  /** FULL_REQUEST_CACHING: the earliest expiry of the resolver entries read; 0 once a resolver ran (docs/caching.md#answers-kept-whole). */
  cacheExpiresAt?: number;
  /** Filters set by a subscription resolver's response handler. */
  subscriptionFilter?: SubscriptionFilter;
  invalidationFilter?: SubscriptionFilter;
  /**
   * True while a subscription is being set up: the Subscription root field runs its resolver
   * (filters, rejection) instead of reading an event payload.
   */
  subscribePhase?: boolean;
  /** Aborted when the client goes away or the request times out. */
  signal?: AbortSignal;
  /** The request's pieces of every resolver run's base context, as JSON (runtime.ts, requestJsonOf). */
  resolverJson: RequestJson | undefined;
  /**
   * The sandbox process this request's resolver runs go to (sandbox.ts `openRunParts`): sibling
   * runs answer together (Lambda BatchInvoke gathers them in one turn) and share the parsed
   * headers, identity and variables.
   */
  sandboxAffinity: unknown;
}

/**
 * JSON of the values that stay the same for a whole request (headers, identity, variables): a
 * query resolving many fields serialises them once, not once per resolver. Each entry remembers
 * the object it was made from and is redone if that changes.
 */
export interface RequestJson {
  headers: unknown;
  headersJson: string | undefined;
  identity: unknown;
  identityJson: string | undefined;
  variables: unknown;
  variablesJson: string | undefined;
}

export function createRequestContext(auth: AuthContext, headers: Record<string, string | string[]>, signal?: AbortSignal): RequestContext {
  return {
    auth,
    headers,
    appendedErrors: [],
    responseHeaders: {},
    requestScope: new Map(),
    resolverCount: 0,
    invalidations: [],
    signal,
    resolverJson: undefined,
    sandboxAffinity: undefined,
  };
}

/** Copies request headers for `ctx.request.headers`: lower-case names, no `cookie`. */
export function resolverHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  // for…in, not Object.entries: no array of pairs per request (header objects inherit no enumerable keys).
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || name === 'cookie') continue;
    out[name.toLowerCase()] = value;
  }
  return out;
}

/**
 * {@link resolverHeaders} of node:http's `req.headers`, whose names are lower-case already and
 * whose values are never undefined: without a `cookie` one spread copies them (~35 ns for a
 * request's six headers, against ~190 ns for the loop's keyed stores one name at a time).
 */
export function resolverHeadersOfNodeRequest(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  if (headers.cookie !== undefined) return resolverHeaders(headers);
  return { ...headers } as Record<string, string | string[]>;
}
