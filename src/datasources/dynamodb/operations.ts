/**
 * The DynamoDB operations of AppSync's request objects (docs/dynamodb.md#request-objects-in-detail),
 * each turned into one AWS SDK call, with AppSync's result shapes: the one-item operations, Query
 * and Scan here; batches in batchOperations.ts, transactions in transactOperations.ts.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBApi, DynamoDBOperations } from './api.js';
import type { DataSourceResult, InvocationContext } from '../types.js';
import { conditionalFailure, type FailedWrite } from './conditionHandler.js';
import type { LambdaTargets } from './lambdaTargets.js';
import { runSync } from './sync.js';
// eslint-disable-next-line import-x/no-cycle -- a versioned write runs the plain operation (recursion by design); used only inside functions.
import { versionedWrite, type ResolverSync, type VersioningConfig } from './versioning.js';
import { fromSdkItem, invalid, isObj, nonEmpty, projection, readExpression, toSdkMap } from './values.js';
import { batchGetItem, batchWriteItems } from './batchOperations.js';
import { transactGetItems, transactWriteItems } from './transactOperations.js';

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

/** Follows a failed condition; a Custom handler's `retry` runs the rewritten request again. */
async function afterConditionFailed(ctx: OperationContext, failed: FailedWrite): Promise<DataSourceResult> {
  const outcome = await conditionalFailure(ctx, failed);
  if ('retry' in outcome) return runOperation(ctx, outcome.retry, failed.attempt + 1);
  return outcome.done;
}

const conditionFailed = (error: unknown, condition: Request | undefined): condition is Request =>
  (error as Error).name === 'ConditionalCheckFailedException' && !!condition;

type Operation = (ctx: OperationContext, request: Request, attempt: number) => Promise<DataSourceResult>;

/** The function of each request `operation` (docs/dynamodb.md#request-objects-in-detail). */
const OPERATIONS = new Map<unknown, Operation>([
  ['GetItem', getItem],
  ['PutItem', putItem],
  ['UpdateItem', updateItem],
  ['DeleteItem', deleteItem],
  ['Query', queryOrScan],
  ['Scan', queryOrScan],
  ['BatchGetItem', batchGetItem],
  ['BatchPutItem', batchWriteItems],
  ['BatchDeleteItem', batchWriteItems],
  ['TransactGetItems', transactGetItems],
  ['TransactWriteItems', transactWriteItems],
  ['Sync', runSync],
]);

/**
 * `attempt` counts the Custom-handler retries that led to this request. Each operation is a
 * function of its own, and this one is not async: a GetItem (one per item of a page, through a
 * nested resolver) runs one small async function, not one holding every operation's locals.
 */
export function runOperation(ctx: OperationContext, request: Request, attempt = 0): Promise<DataSourceResult> {
  if (ctx.versioning && typeof request.operation === 'string') {
    if (VERSIONED_WRITES.has(request.operation)) return versionedWrite(ctx, request, attempt);
    if (NOT_VERSIONABLE.has(request.operation)) {
      // The error AppSync gives for writes that cannot keep versions.
      return Promise.resolve({
        error: {
          type: 'UnsupportedOperation',
          message:
            `Unsupported operation '${request.operation}'. Datasource Versioning only supports the following operations (TransactGetItems, PutItem, ` +
            'BatchGetItem, Scan, Query, GetItem, DeleteItem, UpdateItem, Sync).',
        },
      });
    }
  }
  const operation = OPERATIONS.get(request.operation);
  if (operation === undefined) {
    return Promise.reject(
      invalid(
        'operation',
        'expected one of GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, Sync, BatchGetItem, BatchPutItem, BatchDeleteItem, TransactGetItems, ' +
          `TransactWriteItems, got ${JSON.stringify(request.operation)}`,
      ),
    );
  }
  return operation(ctx, request, attempt);
}

/** Not async (no frame, one then()): a page whose items each have a nested resolver makes one GetItem per item. */
function getItem(ctx: OperationContext, request: Request): Promise<DataSourceResult> {
  let input: DynamoDBOperations['GetItem'][0];
  try {
    const names: Record<string, string> = {};
    const Key = requireKey(request);
    const ProjectionExpression = projection(request, 'projection', names);
    input = { TableName: ctx.table, Key, ConsistentRead: request.consistentRead === true, ProjectionExpression, ExpressionAttributeNames: nonEmpty(names) };
  } catch (error) {
    return Promise.reject(error);
  }
  return ctx.client.call('GetItem', input).then(itemResult);
}

const itemResult = (out: { Item?: Record<string, AttributeValue> }): DataSourceResult => ({ result: fromSdkItem(out.Item) });

async function putItem(ctx: OperationContext, request: Request, attempt: number): Promise<DataSourceResult> {
  const { client, table } = ctx;
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
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

async function updateItem(ctx: OperationContext, request: Request, attempt: number): Promise<DataSourceResult> {
  const { client, table } = ctx;
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
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

async function deleteItem(ctx: OperationContext, request: Request, attempt: number): Promise<DataSourceResult> {
  const { client, table } = ctx;
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
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

async function queryOrScan(ctx: OperationContext, request: Request): Promise<DataSourceResult> {
  const { client, table } = ctx;
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
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
