/**
 * AWS_LAMBDA data source (docs/http-lambda.md#lambda-data-source): `Invoke` and `BatchInvoke` request
 * objects from resolver code, and direct Lambda resolvers (no code) whose event is the resolver
 * context. Sibling resolutions of one request with `maxBatchSize` > 0 are sent as one invocation
 * and answered by position.
 */
import { unknownKeyErrors } from '../../config/index.js';
import { ConfigError, DataSourceError } from '../../errors.js';
import { createLambdaInvoker, LambdaFunctionError, type LambdaInvoker, type LambdaTarget } from './invoker.js';
import type { DataSource, DataSourceKind, DataSourceResult, InvocationContext } from '../types.js';

export type LambdaDataSourceConfig = LambdaTarget;

interface Pending {
  payload: unknown;
  resolve: (result: DataSourceResult) => void;
}

const CONFIG_KEYS = ['handler', 'function', 'functionName', 'functionArn', 'endpoint', 'region', 'timeout'] satisfies ReadonlyArray<keyof LambdaTarget>;
/** The Serverless AppSync plugin's IAM keys (no role is assumed locally) and alias (one version runs locally). */
const IGNORED_PLUGIN_KEYS = ['serviceRoleArn', 'iamRoleStatements', 'functionAlias'];

function validate(config: unknown, path: string): ConfigError[] {
  const c = (config ?? {}) as Record<string, unknown>;
  const unknown = unknownKeyErrors(c, path, CONFIG_KEYS, IGNORED_PLUGIN_KEYS).errors;
  if (unknown.length > 0) return unknown;
  const fn = c.function as { handler?: unknown } | undefined;
  if (typeof c.handler !== 'string' && typeof fn?.handler !== 'string' && typeof c.functionName !== 'string' && typeof c.functionArn !== 'string') {
    return [new ConfigError(path, 'expected handler (path/file.ts#export), function.handler, functionName or functionArn')];
  }
  if (c.timeout !== undefined && (typeof c.timeout !== 'number' || c.timeout <= 0)) return [new ConfigError(`${path}.timeout`, 'expected seconds > 0')];
  return [];
}

const toError = (error: unknown, direct: boolean): DataSourceResult => {
  if (error instanceof LambdaFunctionError) {
    if (!direct) return { error: { message: error.message, type: error.errorType } };
    // docs/http-lambda.md#lambda-data-source: a direct resolver reports the thrown error's name as errorType.
    const unauthorized = error.functionErrorName === 'UnauthorizedException';
    return { error: { message: unauthorized ? 'You are not authorized to make this call.' : error.message, type: error.functionErrorName } };
  }
  if (error instanceof DataSourceError) return { error: { message: error.message, type: error.errorType } };
  return { error: { message: error instanceof Error ? error.message : String(error), type: 'Lambda:ServiceException' } };
};

/**
 * Queues a call in the request scope and flushes each queue once the current turn has handed in
 * every sibling (graphql-js starts all list items' resolvers before any of them awaits).
 */
function batched(
  context: InvocationContext,
  key: string,
  maxBatchSize: number,
  payload: unknown,
  send: (payloads: unknown[]) => Promise<DataSourceResult[]>,
): Promise<DataSourceResult> {
  const scopeKey = `lambda-batch:${key}`;
  let queue = context.requestScope.get(scopeKey) as Pending[] | undefined;
  if (!queue) {
    queue = [];
    context.requestScope.set(scopeKey, queue);
    setImmediate(() => {
      context.requestScope.delete(scopeKey);
      for (let i = 0; i < queue!.length; i += maxBatchSize) {
        const chunk = queue!.slice(i, i + maxBatchSize);
        send(chunk.map((p) => p.payload)).then(
          (results) => chunk.forEach((p, j) => p.resolve(results[j] ?? { result: null })),
          (error) => chunk.forEach((p) => p.resolve(toError(error, false))),
        );
      }
    });
  }
  return new Promise((resolve) => queue!.push({ payload, resolve }));
}

export const lambdaKind: DataSourceKind<LambdaDataSourceConfig> = {
  validate,
  create({ name, config, configDir, configPath, gatewayConfig, logger }): DataSource {
    const invoker: LambdaInvoker = createLambdaInvoker(config, { configDir, gatewayConfig, path: configPath, logger });
    logger.debug(`lambda data source ${name}: ${invoker.description}`);
    const call = (payload: unknown) => invoker.invoke(payload);

    return {
      name,
      type: 'AWS_LAMBDA',
      async invoke(request, context) {
        if (!request || typeof request !== 'object') {
          return { error: { message: 'The Lambda request object must be { operation, payload }.', type: 'Lambda:InvalidRequestException' } };
        }
        const { operation, payload, invocationType } = request as { operation?: unknown; payload?: unknown; invocationType?: unknown };
        if (operation !== 'Invoke' && operation !== 'BatchInvoke') {
          return { error: { message: `operation: expected Invoke or BatchInvoke, got ${JSON.stringify(operation)}`, type: 'Lambda:InvalidRequestException' } };
        }
        if (invocationType === 'Event') {
          call(payload ?? null).catch((error) => logger.warn(`lambda ${name}: asynchronous invoke failed`, { error: (error as Error).message }));
          return { result: null };
        }
        if (operation === 'BatchInvoke' && context.maxBatchSize && context.maxBatchSize > 0) {
          return batched(context, `${name}:${context.resolverName}`, context.maxBatchSize, payload ?? null, async (payloads) => {
            const results = await call(payloads);
            if (!Array.isArray(results) || results.length !== payloads.length) {
              const error = {
                message: `The batch function returned ${Array.isArray(results) ? results.length : 'no list of'} results for ${payloads.length} requests.`,
                type: 'Lambda:Unhandled',
              };
              return payloads.map(() => ({ error }));
            }
            return results.map((result) => ({ result }));
          });
        }
        try {
          return { result: await call(payload ?? null) };
        } catch (error) {
          return toError(error, false);
        }
      },
      async invokeDirect(context) {
        const event = context.resolverContext;
        if (context.maxBatchSize && context.maxBatchSize > 0) {
          return batched(context, `${name}:${context.resolverName}:direct`, context.maxBatchSize, event, async (events) => {
            const results = await call(events);
            if (!Array.isArray(results))
              return events.map(() => ({ error: { message: 'The batch function did not return a list.', type: 'Lambda:Unhandled' } }));
            return events.map((_, i) => {
              const item = (results[i] ?? {}) as { data?: unknown; errorMessage?: unknown; errorType?: unknown };
              if (item.errorMessage !== undefined && item.errorMessage !== null) {
                return { error: { message: String(item.errorMessage), type: String(item.errorType ?? 'Lambda:Unhandled'), data: item.data ?? null } };
              }
              return { result: item.data ?? null };
            });
          }).then(
            (r) => r,
            (error) => toError(error, true),
          );
        }
        try {
          return { result: await call(event) };
        } catch (error) {
          return toError(error, true);
        }
      },
      ...(invoker.check ? { check: () => invoker.check!() } : {}),
      close: () => invoker.close(),
    };
  },
};
