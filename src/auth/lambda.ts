/**
 * AWS_LAMBDA authorizer (docs/auth.md#aws_lambda): the event AppSync sends, its response
 * (`isAuthorized`, `resolverContext`, `deniedFields`, `ttlOverride`), decisions cached per token
 * for the TTL, and `identityValidationExpression` checked before the function runs. The function
 * runs in-process or through the Invoke API, like the Lambda data source.
 */
import { randomUUID } from 'node:crypto';
import { ConfigError } from '../errors.js';
import type { NormalizedConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import { createLambdaInvoker, type LambdaInvoker, type LambdaTarget } from '../datasources/lambda/invoker.js';
import { NOT_AUTHORIZED, unauthorized } from './errors.js';
import { headerValue } from './identity.js';
import type { AuthContext, AuthProvider, AuthRequest, EventsAuthTarget } from './types.js';

export interface LambdaAuthorizerConfig extends LambdaTarget {
  authorizerUri?: string;
  authorizerResultTtlInSeconds?: number;
  identityValidationExpression?: string;
}

/**
 * AppSync gives a Lambda authorizer 10 seconds; one that has not answered by then denies the
 * request (docs/auth.md#aws_lambda: an authorizer error or timeout is `isAuthorized: false`). A config `timeout`
 * (seconds) may only shorten it.
 */
const AUTHORIZER_TIME_LIMIT_SECONDS = 10;

/** Most authorizer decisions kept at once. */
const MAX_CACHED_DECISIONS = 10_000;

type GraphqlBody = { query?: string; operationName?: string; variables?: unknown };

/** `requestContext` of a GraphQL API's authorizer event (docs/auth.md#aws_lambda). */
function graphqlRequestContext(apiId: string, query: GraphqlBody) {
  return {
    apiId,
    accountId: '000000000000',
    requestId: randomUUID(),
    queryString: query.query ?? '',
    operationName: query.operationName ?? undefined,
    variables: query.variables ?? {},
  };
}

/** `requestContext` of an Event API's authorizer event, as AppSync Events documents it (docs/events.md#auth). */
function eventsRequestContext(target: EventsAuthTarget) {
  return {
    apiId: target.apiId,
    accountId: '000000000000',
    requestId: randomUUID(),
    operation: target.operation,
    ...(target.channelNamespaceName !== undefined ? { channelNamespaceName: target.channelNamespaceName } : {}),
    ...(target.channel !== undefined ? { channel: target.channel } : {}),
  };
}

interface AuthorizerResponse {
  isAuthorized?: unknown;
  resolverContext?: unknown;
  deniedFields?: unknown;
  ttlOverride?: unknown;
}

export function createLambdaAuthorizer(
  config: LambdaAuthorizerConfig,
  options: { configDir: string; gatewayConfig: NormalizedConfig; path: string; logger: Logger },
): AuthProvider {
  const limitSeconds =
    typeof config.timeout === 'number' && config.timeout > 0 ? Math.min(config.timeout, AUTHORIZER_TIME_LIMIT_SECONDS) : AUTHORIZER_TIME_LIMIT_SECONDS;
  const target: LambdaTarget = { ...config, functionName: config.functionName ?? config.authorizerUri, timeout: limitSeconds };
  const invoker: LambdaInvoker = createLambdaInvoker(target, {
    configDir: options.configDir,
    gatewayConfig: options.gatewayConfig,
    path: options.path,
    logger: options.logger,
  });
  const ttl = typeof config.authorizerResultTtlInSeconds === 'number' ? config.authorizerResultTtlInSeconds : 0;
  if (ttl < 0 || ttl > 3600) throw new ConfigError(`${options.path}.authorizerResultTtlInSeconds`, `expected 0 to 3600, got ${ttl}`);
  const validation = typeof config.identityValidationExpression === 'string' ? new RegExp(`^(?:${config.identityValidationExpression})$`) : undefined;
  const cache = new Map<string, { expires: number; context: AuthContext | null }>();
  // Gateway choice: the decision cache is bounded; expired entries go first, then the oldest.
  const remember = (token: string, entry: { expires: number; context: AuthContext | null }, now: number) => {
    if (cache.size >= MAX_CACHED_DECISIONS) {
      for (const [key, value] of cache) if (value.expires <= now) cache.delete(key);
      while (cache.size >= MAX_CACHED_DECISIONS) cache.delete(cache.keys().next().value!);
    }
    cache.set(token, entry);
  };

  const decide = async (token: string, request: AuthRequest): Promise<{ context: AuthContext | null; ttl: number }> => {
    let query: GraphqlBody = {};
    if (!request.events) {
      try {
        query = request.body ? JSON.parse(request.body) : {};
      } catch {
        // Silence is right here: auth runs before parsing, and a body that is not JSON gets the
        // GraphQL layer's own parse error once the authorizer has answered; the authorizer is
        // still asked, with an empty query, as it would be for any request that reaches it.
      }
    }
    const requestHeaders: Record<string, string> = {};
    for (const [k, v] of Object.entries(request.headers)) if (v !== undefined) requestHeaders[k] = Array.isArray(v) ? v.join(',') : v;
    let response: AuthorizerResponse;
    let timer: NodeJS.Timeout | undefined;
    try {
      // The in-process invoker stops at the limit itself; a remote Invoke has no clock of its own, so
      // the request never waits past the limit whatever the function does.
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`the authorizer did not answer within ${limitSeconds} s`)), limitSeconds * 1000);
      });
      response = ((await Promise.race([
        limit,
        invoker.invoke({
          authorizationToken: token,
          requestContext: request.events ? eventsRequestContext(request.events) : graphqlRequestContext(options.gatewayConfig.name, query),
          requestHeaders,
        }),
      ])) ?? {}) as AuthorizerResponse;
    } catch (error) {
      // Gateway choice (docs/auth.md#aws_lambda): an authorizer error or timeout denies the request.
      // The token never reaches the log, even when the authorizer's own message quotes it.
      const message = String((error as Error)?.message ?? error)
        .split(token)
        .join('[token]');
      options.logger.warn('Lambda authorizer failed; request denied', { authorizer: invoker.description, error: message });
      return { context: null, ttl: 0 };
    } finally {
      clearTimeout(timer);
    }
    const seconds = typeof response.ttlOverride === 'number' && response.ttlOverride >= 0 ? response.ttlOverride : ttl;
    if (response.isAuthorized !== true) return { context: null, ttl: seconds };
    const denied = Array.isArray(response.deniedFields)
      ? new Set(response.deniedFields.map((f) => String(f).replace(/^arn:aws:appsync:[^:]*:[^:]*:apis\/[^/]+\/types\/([^/]+)\/fields\/(.+)$/, '$1.$2')))
      : undefined;
    const resolverContext =
      response.resolverContext && typeof response.resolverContext === 'object' ? (response.resolverContext as Record<string, unknown>) : {};
    return { context: { mode: 'AWS_LAMBDA', identity: { resolverContext }, deniedFields: denied }, ttl: seconds };
  };

  return {
    mode: 'AWS_LAMBDA',
    // docs/auth.md#aws_lambda: any decision may list `deniedFields`.
    restrictsFields: true,
    async authenticate(request: AuthRequest): Promise<AuthContext | null> {
      const token = headerValue(request, 'authorization');
      if (!token) return null;
      if (validation && !validation.test(token)) throw unauthorized(NOT_AUTHORIZED);
      const now = Date.now();
      // Gateway choice: an Events decision is kept per token, operation and channel (the authorizer
      // was asked about that channel only); a GraphQL decision per token, as AppSync keeps it.
      const key = request.events ? `${token}\u0000${request.events.operation}\u0000${request.events.channel ?? ''}` : token;
      const cached = cache.get(key);
      let context: AuthContext | null;
      if (cached && cached.expires > now) context = cached.context;
      else {
        const decision = await decide(token, request);
        context = decision.context;
        if (decision.ttl > 0) remember(key, { expires: now + decision.ttl * 1000, context }, now);
      }
      if (!context) throw unauthorized(NOT_AUTHORIZED);
      return context;
    },
    ...(invoker.check ? { check: () => invoker.check!() } : {}),
    close: () => invoker.close(),
  };
}
