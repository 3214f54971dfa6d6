/**
 * The DynamoDB operations of AppSync's request objects (docs/dynamodb.md#request-objects-in-detail),
 * each turned into one AWS SDK call, with AppSync's result shapes.
 */
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { DynamoDBApi } from './api.js';
import type { DataSourceResult, InvocationContext } from '../types.js';
import { conditionalFailure, type FailedWrite } from './conditionHandler.js';
import type { LambdaTargets } from './lambdaTargets.js';
import { runSync } from './sync.js';
// eslint-disable-next-line import-x/no-cycle -- a versioned write runs the plain operation (recursion by design); used only inside functions.
import { versionedWrite, type ResolverSync, type VersioningConfig } from './versioning.js';
import { fromSdkItem, invalid, isObj, nonEmpty, readExpression, toSdkMap } from './values.js';

export interface OperationContext {
  /** The SDK, or the embedded store in memory (api.ts). */
  client: DynamoDBApi;
  table: string;
  /** Seals/opens `nextToken` so it stays opaque and bound to this resolver. */
  sealToken(lastEvaluatedKey: Record<string, AttributeValue>): string;
  openToken(token: string): Record<string, AttributeValue>;
  /** The data source's region (Lambda events name it). */
  region: string;
  /** The field being resolved: Lambda events carry its arguments, identity and names. */
  invocation?: InvocationContext;
  /** Lambda functions named by ARN (conditionalCheckFailedHandler, conflict handlers). */
  lambdas: Pick<LambdaTargets, 'get' | 'forTarget'>;
  /** Set for versioned data sources (`config.versioned`). */
  versioning?: VersioningConfig;
  /** The running resolver's `sync` block (conflict detection), if any. */
  sync?: ResolverSync;
}

const VERSIONED_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
const NOT_VERSIONABLE = new Set(['BatchPutItem', 'BatchDeleteItem', 'TransactWriteItems']);

type Request = Record<string, unknown>;

function projection(request: Request, field: string, names: Record<string, string>): string | undefined {
  const p = request[field];
  if (p === undefined || p === null) return undefined;
  if (Array.isArray(p)) {
    // The module accepts a list of attribute paths.
    return p
      .map((path) =>
        String(path)
          .split('.')
          .map((part) => {
            names[`#${part}`] = part;
            return `#${part}`;
          })
          .join('.'),
      )
      .join(', ');
  }
  return readExpression(p, field, names, {});
}

export function requireKey(request: Request): Record<string, AttributeValue> {
  if (!isObj(request.key)) throw invalid('key', 'a key is required: a map of typed values, e.g. util.dynamodb.toMapValues({ id })');
  return toSdkMap(request.key, 'key');
}

function optionalNumber(request: Request, field: string): number | undefined {
  const v = request[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw invalid(field, `expected a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function expressionParts(
  request: Request,
  field: 'condition' | 'filter',
  names: Record<string, string>,
  values: Record<string, AttributeValue>,
): string | undefined {
  const value = request[field];
  if (value === undefined || value === null) return undefined;
  return readExpression(value, field, names, values);
}

function tablesOf(request: Request): Array<[string, unknown]> {
  if (!isObj(request.tables)) throw invalid('tables', 'expected a map of table name to its keys or items');
  return Object.entries(request.tables);
}

const keyString = (key: Record<string, unknown>, names: string[]) => JSON.stringify(names.map((n) => key[n]));

/** Follows a failed condition; a Custom handler's `retry` runs the rewritten request again. */
async function afterConditionFailed(ctx: OperationContext, failed: FailedWrite): Promise<DataSourceResult> {
  const outcome = await conditionalFailure(ctx, failed);
  if ('retry' in outcome) return runOperation(ctx, outcome.retry, failed.attempt + 1);
  return outcome.done;
}

const conditionFailed = (error: unknown, condition: Request | undefined): condition is Request =>
  (error as Error).name === 'ConditionalCheckFailedException' && !!condition;

/** `attempt` counts the Custom-handler retries that led to this request. */
export async function runOperation(ctx: OperationContext, request: Request, attempt = 0): Promise<DataSourceResult> {
  const { client, table } = ctx;
  if (ctx.versioning && typeof request.operation === 'string') {
    if (VERSIONED_WRITES.has(request.operation)) return versionedWrite(ctx, request, attempt);
    if (NOT_VERSIONABLE.has(request.operation)) {
      // The error AppSync gives for writes that cannot keep versions.
      return {
        error: {
          type: 'UnsupportedOperation',
          message:
            `Unsupported operation '${request.operation}'. Datasource Versioning only supports the following operations (TransactGetItems, PutItem, ` +
            'BatchGetItem, Scan, Query, GetItem, DeleteItem, UpdateItem, Sync).',
        },
      };
    }
  }
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  switch (request.operation) {
    case 'GetItem': {
      const Key = requireKey(request);
      const ProjectionExpression = projection(request, 'projection', names);
      const out = await client.call('GetItem', {
        TableName: table,
        Key,
        ConsistentRead: request.consistentRead === true,
        ProjectionExpression,
        ExpressionAttributeNames: nonEmpty(names),
      });
      return { result: fromSdkItem(out.Item) };
    }
    case 'PutItem': {
      const Key = requireKey(request);
      const attributes = request.attributeValues === undefined ? {} : toSdkMap(request.attributeValues, 'attributeValues');
      const Item = { ...attributes, ...Key };
      const condition = isObj(request.condition) ? request.condition : undefined;
      const ConditionExpression = expressionParts(request, 'condition', names, values);
      const written = fromSdkItem(Item);
      try {
        await client.call('PutItem', {
          TableName: table,
          Item,
          ConditionExpression,
          ExpressionAttributeNames: nonEmpty(names),
          ExpressionAttributeValues: nonEmpty(values),
          ReturnValuesOnConditionCheckFailure: condition ? 'ALL_OLD' : undefined,
        });
      } catch (error) {
        if (conditionFailed(error, condition))
          return afterConditionFailed(ctx, { operation: 'PutItem', request, key: Key, condition, attempted: written, error: error as never, attempt });
        throw error;
      }
      return { result: written };
    }
    case 'UpdateItem': {
      const Key = requireKey(request);
      if (!isObj(request.update)) throw invalid('update', 'expected { expression, expressionNames?, expressionValues? }');
      const UpdateExpression = readExpression(request.update, 'update', names, values);
      const condition = isObj(request.condition) ? request.condition : undefined;
      const ConditionExpression = expressionParts(request, 'condition', names, values);
      try {
        const out = await client.call('UpdateItem', {
          TableName: table,
          Key,
          UpdateExpression,
          ConditionExpression,
          ExpressionAttributeNames: nonEmpty(names),
          ExpressionAttributeValues: nonEmpty(values),
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: condition ? 'ALL_OLD' : undefined,
        });
        return { result: fromSdkItem(out.Attributes) };
      } catch (error) {
        if (conditionFailed(error, condition))
          return afterConditionFailed(ctx, { operation: 'UpdateItem', request, key: Key, condition, attempted: null, error: error as never, attempt });
        throw error;
      }
    }
    case 'DeleteItem': {
      const Key = requireKey(request);
      const condition = isObj(request.condition) ? request.condition : undefined;
      const ConditionExpression = expressionParts(request, 'condition', names, values);
      try {
        const out = await client.call('DeleteItem', {
          TableName: table,
          Key,
          ConditionExpression,
          ExpressionAttributeNames: nonEmpty(names),
          ExpressionAttributeValues: nonEmpty(values),
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: condition ? 'ALL_OLD' : undefined,
        });
        return { result: fromSdkItem(out.Attributes) };
      } catch (error) {
        if (conditionFailed(error, condition))
          return afterConditionFailed(ctx, { operation: 'DeleteItem', request, key: Key, condition, attempted: null, error: error as never, attempt });
        throw error;
      }
    }
    case 'Query':
    case 'Scan': {
      const isQuery = request.operation === 'Query';
      if (isQuery && !isObj(request.query)) throw invalid('query', 'a Query needs a key condition { expression, expressionNames?, expressionValues? }');
      const KeyConditionExpression = isQuery ? readExpression(request.query, 'query', names, values) : undefined;
      const FilterExpression = expressionParts(request, 'filter', names, values);
      const ProjectionExpression = projection(request, 'projection', names);
      const Limit = optionalNumber(request, 'limit');
      const ExclusiveStartKey = typeof request.nextToken === 'string' && request.nextToken ? ctx.openToken(request.nextToken) : undefined;
      if (request.nextToken !== undefined && request.nextToken !== null && typeof request.nextToken !== 'string')
        throw invalid('nextToken', 'expected the string a previous page returned');
      const segment = optionalNumber(request, 'segment');
      const totalSegments = optionalNumber(request, 'totalSegments');
      if ((segment === undefined) !== (totalSegments === undefined)) throw invalid('segment', 'segment and totalSegments go together');
      const common = {
        TableName: table,
        IndexName: typeof request.index === 'string' ? request.index : undefined,
        Limit,
        ExclusiveStartKey,
        ConsistentRead: request.consistentRead === true,
        Select: typeof request.select === 'string' ? (request.select as 'ALL_ATTRIBUTES') : undefined,
        FilterExpression,
        ProjectionExpression,
        ExpressionAttributeNames: nonEmpty(names),
        ExpressionAttributeValues: nonEmpty(values),
      };
      const out = isQuery
        ? await client.call('Query', { ...common, KeyConditionExpression, ScanIndexForward: request.scanIndexForward !== false })
        : await client.call('Scan', { ...common, Segment: segment, TotalSegments: totalSegments });
      return {
        result: {
          items: (out.Items ?? []).map((i) => fromSdkItem(i)),
          nextToken: out.LastEvaluatedKey ? ctx.sealToken(out.LastEvaluatedKey) : null,
          scannedCount: out.ScannedCount ?? 0,
        },
      };
    }
    case 'BatchGetItem': {
      const RequestItems: Record<
        string,
        { Keys: Record<string, AttributeValue>[]; ConsistentRead?: boolean; ProjectionExpression?: string; ExpressionAttributeNames?: Record<string, string> }
      > = {};
      const requested: Record<string, Record<string, AttributeValue>[]> = {};
      for (const [name, spec] of tablesOf(request)) {
        if (!isObj(spec) || !Array.isArray(spec.keys)) throw invalid(`tables.${name}.keys`, 'expected a list of keys');
        const tableNames: Record<string, string> = {};
        requested[name] = spec.keys.map((k, i) => toSdkMap(k, `tables.${name}.keys[${i}]`));
        RequestItems[name] = {
          Keys: requested[name]!,
          ConsistentRead: spec.consistentRead === true,
          ProjectionExpression: projection(spec, 'projection', tableNames),
          ExpressionAttributeNames: nonEmpty(tableNames),
        };
      }
      const out = await client.call('BatchGetItem', { RequestItems });
      const data: Record<string, unknown[]> = {};
      const unprocessedKeys: Record<string, unknown[]> = {};
      for (const [name, keys] of Object.entries(requested)) {
        const keyNames = Object.keys(keys[0] ?? {});
        const found = new Map((out.Responses?.[name] ?? []).map((item) => [keyString(fromSdkItem(item)!, keyNames), fromSdkItem(item)]));
        const pending = new Set((out.UnprocessedKeys?.[name]?.Keys ?? []).map((k) => keyString(fromSdkItem(k)!, keyNames)));
        data[name] = keys.map((k) => found.get(keyString(fromSdkItem(k)!, keyNames)) ?? null);
        unprocessedKeys[name] = keys.map((k) => fromSdkItem(k)!).filter((k) => pending.has(keyString(k, keyNames)));
      }
      return { result: { data, unprocessedKeys } };
    }
    case 'BatchPutItem':
    case 'BatchDeleteItem': {
      const isPut = request.operation === 'BatchPutItem';
      const RequestItems: Record<
        string,
        Array<{ PutRequest?: { Item: Record<string, AttributeValue> }; DeleteRequest?: { Key: Record<string, AttributeValue> } }>
      > = {};
      const requested: Record<string, Record<string, AttributeValue>[]> = {};
      for (const [name, list] of tablesOf(request)) {
        if (!Array.isArray(list)) throw invalid(`tables.${name}`, `expected a list of ${isPut ? 'items' : 'keys'}`);
        requested[name] = list.map((v, i) => toSdkMap(v, `tables.${name}[${i}]`));
        RequestItems[name] = requested[name]!.map((v) => (isPut ? { PutRequest: { Item: v } } : { DeleteRequest: { Key: v } }));
      }
      const out = await client.call('BatchWriteItem', { RequestItems });
      const data: Record<string, unknown[]> = {};
      const unprocessed: Record<string, unknown[]> = {};
      for (const [name, list] of Object.entries(requested)) {
        const left = new Set((out.UnprocessedItems?.[name] ?? []).map((r) => JSON.stringify(fromSdkItem(r.PutRequest?.Item ?? r.DeleteRequest?.Key))));
        data[name] = list.map((v) => (left.has(JSON.stringify(fromSdkItem(v))) ? null : fromSdkItem(v)));
        unprocessed[name] = list.map((v) => fromSdkItem(v)).filter((v) => left.has(JSON.stringify(v)));
      }
      return { result: isPut ? { data, unprocessedItems: unprocessed } : { data, unprocessedKeys: unprocessed } };
    }
    case 'TransactGetItems': {
      if (!Array.isArray(request.transactItems)) throw invalid('transactItems', 'expected a list of { table, key, projection? }');
      const items = request.transactItems.map((item: Request, i: number) => {
        const itemNames: Record<string, string> = {};
        if (typeof item?.table !== 'string') throw invalid(`transactItems[${i}].table`, 'expected a table name');
        return {
          Get: {
            TableName: item.table,
            Key: toSdkMap(item.key, `transactItems[${i}].key`),
            ProjectionExpression: projection(item, 'projection', itemNames),
            ExpressionAttributeNames: nonEmpty(itemNames),
          },
        };
      });
      try {
        const out = await client.call('TransactGetItems', { TransactItems: items });
        return { result: { items: (out.Responses ?? []).map((r) => fromSdkItem(r.Item)), cancellationReasons: null } };
      } catch (error) {
        return transactionFailure(error, 'items', items.length);
      }
    }
    case 'TransactWriteItems': {
      if (!Array.isArray(request.transactItems)) throw invalid('transactItems', 'expected a list of { table, operation, key, … }');
      const keys: unknown[] = [];
      const items: TransactWriteItem[] = request.transactItems.map((item: Request, i: number) => {
        const at = `transactItems[${i}]`;
        if (typeof item?.table !== 'string') throw invalid(`${at}.table`, 'expected a table name');
        const Key = toSdkMap(item.key, `${at}.key`);
        keys.push(fromSdkItem(Key));
        const n: Record<string, string> = {};
        const v: Record<string, AttributeValue> = {};
        const condition = isObj(item.condition) ? item.condition : undefined;
        const ConditionExpression = condition ? readExpression(condition, `${at}.condition`, n, v) : undefined;
        const ReturnValuesOnConditionCheckFailure = condition && condition.returnValuesOnConditionCheckFailure !== false ? ('ALL_OLD' as const) : undefined;
        switch (item.operation) {
          case 'PutItem':
            return {
              Put: {
                TableName: item.table,
                Item: { ...(item.attributeValues ? toSdkMap(item.attributeValues, `${at}.attributeValues`) : {}), ...Key },
                ConditionExpression,
                ExpressionAttributeNames: nonEmpty(n),
                ExpressionAttributeValues: nonEmpty(v),
                ReturnValuesOnConditionCheckFailure,
              },
            };
          case 'UpdateItem': {
            const UpdateExpression = readExpression(item.update, `${at}.update`, n, v);
            return {
              Update: {
                TableName: item.table,
                Key,
                UpdateExpression,
                ConditionExpression,
                ExpressionAttributeNames: nonEmpty(n),
                ExpressionAttributeValues: nonEmpty(v),
                ReturnValuesOnConditionCheckFailure,
              },
            };
          }
          case 'DeleteItem':
            return {
              Delete: {
                TableName: item.table,
                Key,
                ConditionExpression,
                ExpressionAttributeNames: nonEmpty(n),
                ExpressionAttributeValues: nonEmpty(v),
                ReturnValuesOnConditionCheckFailure,
              },
            };
          case 'ConditionCheck':
            if (!ConditionExpression) throw invalid(`${at}.condition`, 'a ConditionCheck needs a condition');
            return {
              ConditionCheck: {
                TableName: item.table,
                Key,
                ConditionExpression,
                ExpressionAttributeNames: nonEmpty(n),
                ExpressionAttributeValues: nonEmpty(v),
                ReturnValuesOnConditionCheckFailure,
              },
            };
          default:
            throw invalid(`${at}.operation`, `expected PutItem, UpdateItem, DeleteItem or ConditionCheck, got ${JSON.stringify(item.operation)}`);
        }
      });
      try {
        await client.call('TransactWriteItems', { TransactItems: items });
        return { result: { keys, cancellationReasons: null } };
      } catch (error) {
        return transactionFailure(error, 'keys', items.length);
      }
    }
    case 'Sync':
      return runSync(ctx, request);
    default:
      throw invalid(
        'operation',
        'expected one of GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, Sync, BatchGetItem, BatchPutItem, BatchDeleteItem, TransactGetItems, ' +
          `TransactWriteItems, got ${JSON.stringify(request.operation)}`,
      );
  }
}

/** docs/dynamodb.md#request-objects-in-detail: on cancellation, `cancellationReasons[i] = { type, message, item? }` in order. */
function transactionFailure(error: unknown, listKey: 'items' | 'keys', count: number): DataSourceResult {
  const e = error as {
    name?: string;
    message?: string;
    CancellationReasons?: Array<{ Code?: string; Message?: string; Item?: Record<string, AttributeValue> }>;
  };
  if (e.name !== 'TransactionCanceledException') throw error;
  const reasons = (e.CancellationReasons ?? []).map((r) => {
    const reason: Record<string, unknown> = { type: r.Code ?? 'None', message: r.Message ?? null };
    if (r.Item) reason.item = fromSdkItem(r.Item);
    return reason;
  });
  return {
    result: { [listKey]: Array.from({ length: count }, () => null), cancellationReasons: reasons },
    error: { type: 'DynamoDB:TransactionCanceledException', message: e.message ?? 'Transaction cancelled' },
  };
}
