/** BatchGetItem, BatchPutItem and BatchDeleteItem request objects (docs/dynamodb.md#request-objects-in-detail). */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DataSourceResult } from '../types.js';
import type { OperationContext } from './operations.js';
import { fromSdkItem, invalid, isObj, nonEmpty, projection, toSdkMap } from './values.js';

type Request = Record<string, unknown>;

function tablesOf(request: Request): Array<[string, unknown]> {
  if (!isObj(request.tables)) throw invalid('tables', 'expected a map of table name to its keys or items');
  return Object.entries(request.tables);
}

const keyString = (key: Record<string, unknown>, names: string[]) => JSON.stringify(names.map((n) => key[n]));

export async function batchGetItem(ctx: OperationContext, request: Request): Promise<DataSourceResult> {
  const { client } = ctx;
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

export async function batchWriteItems(ctx: OperationContext, request: Request): Promise<DataSourceResult> {
  const { client } = ctx;
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
