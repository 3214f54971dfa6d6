/**
 * The executor both transports share: prepared document → graphql-js execution → AppSync-shaped
 * `{ data, errors }`; after a mutation, the results bound with `@aws_subscribe` are published.
 */
import { Kind, type DocumentNode, type ExecutionResult, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import type { AuthContext } from '../auth/types.js';
import type { ErrorType } from '../errors.js';
import type { CacheKey } from '../cache/index.js';
import { createRequestContext, type RequestContext } from '../resolvers/index.js';
import type { ErrorEntry, PublishedEvent } from '../realtime/types.js';
import { isPromise } from './compiledQueries.js';
import type { Api } from './loadApi.js';
import { Deadlines } from './deadlines.js';
import type { EnvelopedRequest } from './envelop.js';
import { formatExecutionError, formatVariableError } from './formatErrors.js';

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
  auth: AuthContext;
  headers: Record<string, string | string[]>;
  /** HTTP method: only queries may use GET. */
  method?: string;
  signal?: AbortSignal;
  /** Set when the API keeps whole answers (ApiCache.answerKey): a query's answer is kept under it. */
  answerKey?: CacheKey;
}

export interface GraphQLResponse {
  status: number;
  body: { data?: unknown; errors?: ErrorEntry[]; extensions?: Record<string, unknown> };
  headers: Record<string, string>;
  /** Set for request-level failures (x-amzn-ErrorType). */
  errorType?: string;
  /**
   * Set when the answer may be kept whole (docs/caching.md#answers-kept-whole): the transport calls
   * it with the text it sent, once that text is known to be the answer (within the size limit), so
   * nothing is kept that was not sent.
   */
  keep?: (sentText: string) => void;
}

export type Publish = (event: PublishedEvent) => Promise<void>;

/** AppSync's request execution limit (docs/errors.md#request-limits). */
const EXECUTION_TIMEOUT_MS = 30_000;
const executionDeadlines = new Deadlines(1000);

const OPERATION_WORD: Record<string, string> = { mutation: 'mutations', subscription: 'subscriptions', query: 'queries' };

export function requestFailure(status: number, errorType: ErrorType, message: string): GraphQLResponse {
  return { status, body: { errors: [{ errorType, message }] }, headers: {}, errorType };
}

/** Picks the operation to run, or the AppSync-shaped reason why none can run. */
export function selectOperation(
  operations: ReadonlyMap<string | undefined, OperationDefinitionNode>,
  operationName: string | null | undefined,
): OperationDefinitionNode | ErrorEntry {
  if (operationName) {
    return operations.get(operationName) ?? { message: `Unknown operation named '${operationName}'.` };
  }
  if (operations.size === 1) return operations.values().next().value!;
  return { message: 'Must provide operation name if query contains multiple operations.' };
}

/**
 * Runs one GraphQL request. The answer comes at once when nothing had to be waited for (every
 * resolver answered synchronously, no envelop plugins, no cache eviction or subscription event to
 * send): no promise per request then (docs/bench.md#the-smallest-query-over-http). A failure the
 * gateway did not expect is thrown, or rejected when the answer is a promise.
 */
export function executeGraphQL(api: Api, request: GraphQLRequest, publish?: Publish): GraphQLResponse | Promise<GraphQLResponse> {
  const enveloped = api.envelop?.({ method: request.method ?? 'POST', headers: request.headers });
  const prepared = enveloped ? enveloped.prepare(request.query) : api.documents.prepare(request.query);
  if (prepared.kind === 'syntax') {
    return requestFailure(400, 'MalformedHttpRequestException', 'Unable to parse GraphQL query.');
  }
  if (prepared.kind === 'invalid') return { status: 200, body: { data: null, errors: prepared.errors }, headers: {} };
  const operation = selectOperation(prepared.operations, request.operationName);
  if (!('kind' in operation)) return { status: 200, body: { data: null, errors: [operation] }, headers: {} };
  if (operation.operation === 'subscription') {
    return requestFailure(400, 'BadRequestException', 'Subscriptions are only supported over WebSocket.');
  }
  if (request.method === 'GET' && operation.operation !== 'query') {
    return requestFailure(400, 'BadRequestException', `Only queries can be sent with GET; send ${operation.operation}s with POST.`);
  }
  if (!api.schema.getRootType(operation.operation)) {
    return {
      status: 200,
      body: { data: null, errors: [{ message: `Schema is not configured for ${OPERATION_WORD[operation.operation]}.` }] },
      headers: {},
    };
  }

  // docs/caching.md#answers-kept-whole: the HTTP handler looked the answer up already.
  const answerKey = operation.operation === 'query' ? request.answerKey : undefined;
  const context = createRequestContext(request.auth, request.headers, request.signal);
  if (answerKey !== undefined) context.cacheTags = [];
  const done: Done = { api, operation, context, answerKey, publish };
  if (enveloped) return executeEnveloped(enveloped, prepared.document, request, done);
  const executed = api.compiledQueries.execute(prepared.document, operation, context, request.variables ?? undefined);
  // graphql-js and graphql-jit answer synchronously when no resolver returned a promise: nothing to time then.
  if (isPromise(executed)) return executionDeadlines.race(executed, EXECUTION_TIMEOUT_MS).then((result) => answerOf(result, done));
  return answerOf(executed, done);
}

/** What turning an execution's result into the answer needs besides the result. */
interface Done {
  api: Api;
  operation: OperationDefinitionNode;
  context: RequestContext;
  answerKey: CacheKey | undefined;
  publish: Publish | undefined;
}

async function executeEnveloped(enveloped: EnvelopedRequest, document: DocumentNode, request: GraphQLRequest, done: Done): Promise<GraphQLResponse> {
  done.context = await enveloped.contextFactory(done.context);
  const executed = enveloped.execute({
    schema: enveloped.schema,
    document,
    variableValues: request.variables ?? undefined,
    operationName: done.operation.name?.value,
    contextValue: done.context,
  });
  return answerOf(isPromise(executed) ? await executionDeadlines.race(executed, EXECUTION_TIMEOUT_MS) : executed, done);
}

/** The AppSync-shaped answer to an execution's result; a promise only while cache entries are evicted or subscription events sent. */
function answerOf(result: ExecutionResult | 'timeout', done: Done): GraphQLResponse | Promise<GraphQLResponse> {
  if (result === 'timeout') {
    return { status: 200, body: { data: null, errors: [{ errorType: 'ExecutionTimeout', message: 'Execution timed out.' }] }, headers: {} };
  }
  const { api, operation, context, answerKey, publish } = done;
  const errors: ErrorEntry[] = [];
  if (result.data === undefined) {
    // Variable coercion failed: nothing ran (docs/errors.md#what-happens-to-data).
    for (const e of result.errors ?? []) errors.push(formatVariableError(e));
    return { status: 200, body: { data: null, errors }, headers: {} };
  }
  for (const e of result.errors ?? []) errors.push(formatExecutionError(e as GraphQLError, api.schema));
  errors.push(...context.appendedErrors);
  const body: GraphQLResponse['body'] = { data: result.data };
  if (errors.length > 0) body.errors = errors;
  // Only plugins add extensions (AppSync's answers have none), and a mutation that evicted cache entries.
  if (result.extensions !== undefined) body.extensions = result.extensions;
  const response: GraphQLResponse = { status: 200, body, headers: context.responseHeaders };
  // Only answers without errors are kept (docs/caching.md#what-is-never-cached).
  const cache = api.cache;
  if (cache !== undefined && answerKey !== undefined && errors.length === 0) {
    const ttlMs = cache.answerTtlMs(context);
    if (ttlMs > 0) response.keep = (text) => cache.keepAnswer(answerKey, text, ttlMs, context);
  }
  const evicts = cache !== undefined && context.cacheEvictions !== undefined;
  const publishes = operation.operation === 'mutation' && publish !== undefined && result.data !== null;
  if (!evicts && !publishes) return response;
  return (async () => {
    if (evicts) {
      const deleted = await cache.evict(context.cacheEvictions!);
      if (deleted > 0) body.extensions = { ...body.extensions, apiCacheEntriesDeleted: deleted };
    }
    if (publishes) await publishMutationResults(api, operation, result.data as Record<string, unknown>, context, publish);
    return response;
  })();
}

/** realtime.md: each bound subscription field receives the mutation field's selected result. */
async function publishMutationResults(
  api: Api,
  operation: OperationDefinitionNode,
  data: Record<string, unknown>,
  context: RequestContext,
  publish: Publish,
): Promise<void> {
  const events: PublishedEvent[] = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    const mutationField = selection.name.value;
    const subscriptionFields = api.bindings.get(mutationField);
    if (!subscriptionFields) continue;
    const payload = data[selection.alias?.value ?? mutationField];
    if (payload === null || payload === undefined) continue;
    for (const subscriptionField of subscriptionFields) events.push({ subscriptionField, mutationField, payload });
  }
  for (const { subscriptionField, payload } of context.invalidations) {
    events.push({ subscriptionField, mutationField: null, payload, invalidation: true });
  }
  await Promise.all(events.map((event) => publish(event).catch(() => undefined)));
}
