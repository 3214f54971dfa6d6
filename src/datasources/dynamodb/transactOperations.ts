/** TransactGetItems and TransactWriteItems request objects (docs/dynamodb.md#request-objects-in-detail). */
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { DataSourceResult } from '../types.js';
import type { OperationContext } from './operations.js';
import { fromSdkItem, invalid, isObj, nonEmpty, projection, readExpression, toSdkMap } from './values.js';

type Request = Record<string, unknown>;

export async function transactGetItems(ctx: OperationContext, request: Request): Promise<DataSourceResult> {
  const { client } = ctx;
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

export async function transactWriteItems(ctx: OperationContext, request: Request): Promise<DataSourceResult> {
  const { client } = ctx;
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
      case 'ConditionCheck': {
        // A Delete and a ConditionCheck name the same fields; a ConditionCheck needs its condition.
        const keyed = {
          TableName: item.table,
          Key,
          ConditionExpression,
          ExpressionAttributeNames: nonEmpty(n),
          ExpressionAttributeValues: nonEmpty(v),
          ReturnValuesOnConditionCheckFailure,
        };
        if (item.operation === 'DeleteItem') return { Delete: keyed };
        if (!ConditionExpression) throw invalid(`${at}.condition`, 'a ConditionCheck needs a condition');
        return { ConditionCheck: { ...keyed, ConditionExpression } };
      }
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
