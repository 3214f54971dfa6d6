/**
 * What happens after a PutItem/UpdateItem/DeleteItem condition fails
 * (docs/dynamodb.md#request-objects-in-detail): AppSync reads the current item, treats "already
 * as desired" as success, and otherwise follows `conditionalCheckFailedHandler` — `Reject`
 * (default) or `Custom`, which asks a Lambda function to reject, discard or retry.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DataSourceError } from '../../errors.js';
import type { DataSourceResult } from '../types.js';
import type { OperationContext } from './operations.js';
import { fromSdkItem, invalid, isObj, toTypedMap } from './values.js';

type Request = Record<string, unknown>;
export type WriteOperation = 'PutItem' | 'UpdateItem' | 'DeleteItem';

/** Either the final answer, or the request to run again (a Custom handler's `retry`). */
export type ConditionOutcome = { done: DataSourceResult } | { retry: Request };

/**
 * Gateway choice: AppSync documents no limit on Custom-handler retries; the gateway stops after 5
 * and rejects, so a handler that always answers `retry` cannot loop forever.
 */
const MAX_CONDITION_RETRIES = 5;

/** The fields a `retryMapping` may replace, per operation (docs/dynamodb.md#request-objects-in-detail). */
const RETRY_FIELDS: Record<WriteOperation, string[]> = {
  PutItem: ['attributeValues', 'condition'],
  UpdateItem: ['update', 'condition'],
  DeleteItem: ['condition'],
};

/** Drops attributes listed in equalsIgnore, for the "already as desired" check (§1.3). */
function withoutIgnored(item: Record<string, unknown> | null, ignore: unknown): string {
  if (!item) return 'null';
  const skip = new Set(Array.isArray(ignore) ? ignore.map(String) : []);
  const sorted = Object.keys(item)
    .filter((k) => !skip.has(k))
    .sort();
  return JSON.stringify(sorted.map((k) => [k, item[k]]));
}

export interface FailedWrite {
  operation: WriteOperation;
  /** The request object as the resolver returned it (or as the last retry rewrote it). */
  request: Request;
  key: Record<string, AttributeValue>;
  condition: Request;
  /** PutItem: the item it tried to write (plain JSON). */
  attempted: Record<string, unknown> | null;
  /** The SDK error; `Item` is the current item when the store returned it. */
  error: { message?: string; Item?: Record<string, AttributeValue> };
  /** How many Custom retries already ran for this field. */
  attempt: number;
}

export async function conditionalFailure(ctx: OperationContext, failed: FailedWrite): Promise<ConditionOutcome> {
  const { operation, condition, key, error } = failed;
  const currentSdk =
    error.Item ?? (await ctx.client.call('GetItem', { TableName: ctx.table, Key: key, ConsistentRead: condition.consistentRead !== false })).Item;
  const current = fromSdkItem(currentSdk);
  if (operation === 'PutItem' && withoutIgnored(current, condition.equalsIgnore) === withoutIgnored(failed.attempted, condition.equalsIgnore))
    return { done: { result: current } };
  if (operation === 'DeleteItem' && current === null) return { done: { result: null } };
  const reject: ConditionOutcome = {
    done: {
      result: current,
      error: { type: 'DynamoDB:ConditionalCheckFailedException', message: error.message ?? 'The conditional request failed', data: current },
    },
  };

  const handler = condition.conditionalCheckFailedHandler;
  if (handler === undefined || handler === null) return reject;
  if (!isObj(handler)) throw invalid('condition.conditionalCheckFailedHandler', 'expected { strategy: "Reject" | "Custom", lambdaArn? }');
  if (handler.strategy === undefined || handler.strategy === 'Reject') return reject;
  if (handler.strategy !== 'Custom')
    throw invalid('condition.conditionalCheckFailedHandler.strategy', `expected Reject or Custom, got ${JSON.stringify(handler.strategy)}`);
  if (typeof handler.lambdaArn !== 'string' || !handler.lambdaArn)
    throw invalid('condition.conditionalCheckFailedHandler.lambdaArn', 'the Custom strategy needs the ARN of a Lambda function');
  if (failed.attempt >= MAX_CONDITION_RETRIES) return reject;

  const resolverContext = ctx.invocation?.resolverContext ?? {};
  // docs/dynamodb.md#request-objects-in-detail: the event of a Custom handler; currentValue is typed, like requests.
  const event = {
    arguments: resolverContext.arguments ?? {},
    requestMapping: failed.request,
    currentValue: currentSdk ? toTypedMap(currentSdk) : null,
    resolver: {
      tableName: ctx.table,
      awsRegion: ctx.region,
      parentType: ctx.invocation?.parentTypeName,
      field: ctx.invocation?.fieldName,
      outputType: outputTypeOf(ctx),
    },
    identity: resolverContext.identity ?? null,
  };
  const answer = (await ctx.lambdas.get(handler.lambdaArn).invoke(event)) as Request | null;
  const action = typeof answer?.action === 'string' ? answer.action.toLowerCase() : undefined;
  if (action === 'reject') return reject;
  if (action === 'discard') return { done: { result: current } };
  if (action === 'retry') {
    const mapping = answer!.retryMapping;
    if (!isObj(mapping)) throw badAnswer(handler.lambdaArn, 'a retry needs a retryMapping object');
    const next: Request = { ...failed.request };
    for (const field of RETRY_FIELDS[operation]) if (field in mapping) next[field] = mapping[field];
    return { retry: next };
  }
  throw badAnswer(handler.lambdaArn, `expected { action: "reject" | "discard" | "retry" }, got ${JSON.stringify(answer)}`);
}

/**
 * The field's GraphQL return type, when the runtime hands it over (`InvocationContext.returnType`
 * is not part of the data-source contract yet; absent, the event has no outputType).
 */
export function outputTypeOf(ctx: OperationContext): string | undefined {
  const returnType = (ctx.invocation as { returnType?: unknown } | undefined)?.returnType;
  return returnType === undefined || returnType === null ? undefined : String(returnType);
}

/** Gateway choice: a malformed handler answer is an `InternalFailure` naming the function. */
function badAnswer(lambdaArn: string, detail: string): DataSourceError {
  return new DataSourceError(`conditionalCheckFailedHandler ${lambdaArn}: ${detail}`, 'InternalFailure');
}
