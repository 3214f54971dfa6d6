/**
 * The `graphql-transport-ws` protocol (Apollo, urql, graphql-ws clients) on `/graphql`, served by
 * the graphql-ws library's `makeServer` and fed by the same fan-out as the AppSync protocol:
 * subscriptions get the same auth, resolvers, filters and rendering.
 *
 * Gateway choices (AppSync has no such endpoint):
 * - Credentials: the `connection_init` payload (`connectionParams`) holds header-like keys
 *   (`x-api-key`, `Authorization`, ...) and may also be an AppSync header object under
 *   `authorization`; upgrade request headers are used when it holds none. Failing auth closes
 *   the socket with 4403 Forbidden (the library's code).
 * - Per subscription, `payload.extensions.authorization` overrides the connection's credentials,
 *   as a `start` does on the AppSync protocol.
 * - Only subscriptions: a query or mutation gets an `error` message
 *   (`query not supported through the realtime channel`), as on the AppSync endpoint.
 * - Errors keep AppSync's entry shape (`errorType`, `message`, ...).
 */
import { GraphQLError, Kind, type DocumentNode, type ExecutionArgs, type OperationDefinitionNode } from 'graphql';
import { makeServer, type Context, type WebSocket as GraphqlWsSocket } from 'graphql-ws';
import type { AuthContext, AuthRequest } from '../auth/types.js';
import { AppSyncError } from '../errors.js';
import { parseQuery } from '../schema/index.js';
import { CloseCode } from './appsync-protocol.js';
import type { Fanout } from './fanout.js';
import { validateFilter } from './filter.js';
import type { RealtimeSocket, UpgradeInfo } from './socket.js';
import type { ErrorEntry, RealtimeHost, SubscriptionRequest } from './types.js';

export interface GraphqlWsServerOptions {
  /** Time to wait for `connection_init`. @default 10000 */
  connectionInitWaitTimeoutMs: number;
  /** A socket holding more unsent bytes than this when a frame is due is closed. @default 1048576 */
  maxBufferedBytes: number;
  /** Events allowed to wait per subscription before it counts as a slow consumer. @default 1000 */
  maxPendingEvents: number;
  /** Subscriptions one connection may hold at once, as on the AppSync protocol (docs/realtime.md#behaviour). @default 100 */
  maxSubscriptionsPerConnection: number;
}

interface Extra {
  upgrade: UpgradeInfo;
  socket: RealtimeSocket;
  headers: Record<string, string>;
  auth?: AuthContext;
}

interface PreparedContext {
  request: SubscriptionRequest;
  prepared: Extract<Awaited<ReturnType<RealtimeHost['prepareSubscription']>>, { ok: true }>;
}

type ExecutionResultLike = import('graphql-ws').ExecutionResult;

const PREPARED = Symbol('appsync-gateway.prepared');

export interface GraphqlWsServer {
  opened(socket: RealtimeSocket, upgrade: UpgradeInfo): void;
  closeAll(code?: number, reason?: string): void;
}

export function createGraphqlWsServer(host: RealtimeHost, fanout: Fanout, options: GraphqlWsServerOptions): GraphqlWsServer {
  const entries = new WeakMap<GraphQLError, ErrorEntry>();
  const toGraphQLErrors = (list: readonly ErrorEntry[]) =>
    list.map((entry) => {
      const error = new GraphQLError(entry.message);
      entries.set(error, entry);
      return error;
    });
  const open = new Set<RealtimeSocket>();

  const server = makeServer<Record<string, unknown> | undefined, Extra>({
    schema: () => host.schema,
    connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs,
    async onConnect(ctx: Context<Record<string, unknown> | undefined, Extra>) {
      const fromParams = headersFromParams(ctx.connectionParams);
      const headers = Object.keys(fromParams).some(isCredentialHeader) ? { ...ctx.extra.headers, ...fromParams } : ctx.extra.headers;
      try {
        ctx.extra.auth = await host.authenticate(authRequest(ctx.extra, headers, '/graphql/connect', '{}'));
        ctx.extra.headers = headers;
        return true;
      } catch {
        return false;
      }
    },
    async onSubscribe(ctx, _id, payload) {
      // graphql-ws lists every subscription of the connection, this one included, until it ends.
      if (Object.keys(ctx.subscriptions).length > options.maxSubscriptionsPerConnection) {
        return toGraphQLErrors([
          { errorType: 'LimitExceededError', message: `A connection can hold at most ${options.maxSubscriptionsPerConnection} subscriptions.` },
        ]);
      }
      const query = payload.query;
      const { document, operation } = operationOf(query, payload.operationName ?? null);
      if (operation && operation.operation !== 'subscription') {
        return toGraphQLErrors([{ errorType: 'UnsupportedOperation', message: `${operation.operation} not supported through the realtime channel` }]);
      }
      let auth = ctx.extra.auth!;
      let headers = ctx.extra.headers;
      const override = (payload.extensions as { authorization?: unknown } | undefined)?.authorization;
      if (override && typeof override === 'object') {
        headers = headersFromParams(override as Record<string, unknown>);
        try {
          auth = await host.authenticate(authRequest(ctx.extra, headers, '/graphql', JSON.stringify({ query, variables: payload.variables })));
        } catch (error) {
          return toGraphQLErrors([
            AppSyncError.is(error)
              ? { errorType: error.errorType, message: error.message }
              : { errorType: 'UnauthorizedException', message: 'You are not authorized to make this call.' },
          ]);
        }
      }
      const request: SubscriptionRequest = { query, variables: payload.variables ?? null, operationName: payload.operationName ?? null, auth, headers };
      const prepared = await host.prepareSubscription(request);
      if (!prepared.ok) return toGraphQLErrors(prepared.errors);
      for (const filter of [prepared.filter, prepared.invalidationFilter]) {
        const reason = filter ? validateFilter(filter) : null;
        if (reason) return toGraphQLErrors([{ errorType: 'BadRequestException', message: reason }]);
      }
      if (!document) return toGraphQLErrors([{ message: 'Unable to parse GraphQL query.' }]);
      const args: ExecutionArgs = {
        schema: host.schema,
        document,
        operationName: payload.operationName ?? undefined,
        variableValues: payload.variables ?? undefined,
        contextValue: { [PREPARED]: { request, prepared } satisfies PreparedContext },
      };
      return args;
    },
    subscribe(args) {
      const { request, prepared } = (args.contextValue as Record<symbol, PreparedContext>)[PREPARED]!;
      // Event bodies carry AppSync error entries, which serialise like formatted GraphQL errors.
      return subscriptionIterator(fanout, request, prepared, options) as unknown as AsyncGenerator<ExecutionResultLike>;
    },
    execute() {
      // onSubscribe rejects every non-subscription operation before it gets here.
      return { errors: [new GraphQLError('Only subscriptions are served on the real-time endpoint.')] };
    },
    onNext(_ctx, _id, _payload, _args, result) {
      // Bodies come from the host already formatted (AppSync error entries, not GraphQLErrors).
      return result as import('graphql').FormattedExecutionResult;
    },
    onError(_ctx, _id, _payload, errors) {
      return errors.map((e) => (entries.get(e) ?? e.toJSON()) as ReturnType<GraphQLError['toJSON']>);
    },
  });

  return {
    opened(socket, upgrade) {
      open.add(socket);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(upgrade.headers)) {
        if (key.startsWith('sec-websocket-') || key === 'upgrade' || key === 'connection') continue;
        if (typeof value === 'string') headers[key] = value;
      }
      let listener: ((data: string) => Promise<void>) | undefined;
      const adapted: GraphqlWsSocket = {
        protocol: socket.protocol,
        send(data) {
          // Delivery policy (docs/realtime.md): disconnect a consumer that cannot keep up.
          if (socket.bufferedAmount > options.maxBufferedBytes) {
            socket.close(CloseCode.TryAgainLater, 'Slow consumer');
            return;
          }
          socket.send(data);
        },
        close(code, reason) {
          socket.close(code, reason);
        },
        onMessage(cb) {
          listener = cb;
        },
      };
      socket.onMessage((data) => {
        void listener?.(data).catch(() => socket.close(4500, 'Internal server error'));
      });
      const closed = server.opened(adapted, { upgrade, socket, headers });
      socket.onClose((code, reason) => {
        open.delete(socket);
        void closed(code, reason);
      });
    },
    closeAll(code = CloseCode.GoingAway, reason = 'Server shutting down') {
      for (const socket of [...open]) socket.close(code, reason);
    },
  };
}

/** An async iterator over the events one subscription receives; `return()` unsubscribes. */
function subscriptionIterator(
  fanout: Fanout,
  request: SubscriptionRequest,
  prepared: PreparedContext['prepared'],
  options: GraphqlWsServerOptions,
): AsyncGenerator<{ data: unknown; errors?: readonly GraphQLError[] }> {
  type Result = IteratorResult<{ data: unknown; errors?: readonly GraphQLError[] }>;
  const DONE: Result = { done: true, value: undefined };
  const queue: Result[] = [];
  let waiting: ((result: Result) => void) | undefined;
  let finished = false;
  let stop: (() => Promise<void>) | undefined;

  const finish = async (): Promise<Result> => {
    if (finished) return DONE;
    finished = true;
    queue.length = 0;
    const w = waiting;
    waiting = undefined;
    w?.(DONE);
    const s = stop ?? (await registration.catch(() => undefined));
    await s?.();
    return DONE;
  };
  const push = (value: Result['value']) => {
    if (finished) return;
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w({ done: false, value: value! });
    } else if (queue.length >= options.maxPendingEvents) {
      // Slow consumer: end the subscription rather than queue without bound.
      void finish();
    } else {
      queue.push({ done: false, value: value! });
    }
  };

  const registration = fanout.add({
    fieldName: prepared.fieldName,
    args: prepared.args,
    filter: prepared.filter,
    invalidationFilter: prepared.invalidationFilter,
    request,
    // Errors keep AppSync's shape: entries pass through as plain objects.
    deliver: (event) => push(event.body as { data: unknown; errors?: readonly GraphQLError[] }),
    // docs/realtime.md#behaviour on this protocol: the subscription completes (the library sends `complete`).
    invalidate: () => void finish(),
    overflow: () => void finish(),
  });
  void registration.then(
    (s) => {
      stop = s;
      if (finished) void s();
    },
    () => void finish(),
  );

  const iterator: AsyncGenerator<{ data: unknown; errors?: readonly GraphQLError[] }> = {
    next() {
      const head = queue.shift();
      if (head) return Promise.resolve(head);
      if (finished) return Promise.resolve(DONE);
      return new Promise<Result>((resolve) => {
        waiting = resolve;
      });
    },
    return: () => finish(),
    throw: async (error) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

function authRequest(extra: Extra, headers: Record<string, string>, path: string, body: string): AuthRequest {
  return { headers, method: 'POST', url: path, body, sourceIp: extra.upgrade.remoteAddress, host: headers.host };
}

/** Flattens connection params to lower-case string headers; an `authorization` object is an AppSync header object. */
function headersFromParams(params: Record<string, unknown> | undefined | null): Record<string, string> {
  const out: Record<string, string> = {};
  if (!params || typeof params !== 'object') return out;
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') out[key.toLowerCase()] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[key.toLowerCase()] = String(value);
    else if (value && typeof value === 'object' && (key === 'authorization' || key === 'headers'))
      Object.assign(out, headersFromParams(value as Record<string, unknown>));
  }
  return out;
}

function isCredentialHeader(name: string): boolean {
  return name === 'authorization' || name === 'x-api-key' || name === 'x-amz-date' || name === 'x-amz-security-token';
}

function operationOf(query: string, operationName: string | null): { document?: DocumentNode; operation?: OperationDefinitionNode } {
  let document: DocumentNode;
  try {
    document = parseQuery(query);
  } catch {
    return {};
  }
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  return { document, operation };
}
