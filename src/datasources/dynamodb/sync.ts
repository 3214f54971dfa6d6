/**
 * The `Sync` operation of versioned data sources (AppSync devguide:
 * aws-appsync-conflict-detection-and-sync-sync-operations, js-aws-appsync-resolver-reference-dynamodb-sync):
 * without `lastSync`, or with one older than the Delta table's TTL, a Scan of the base table;
 * otherwise a Query of the Delta table for the changes since `lastSync`. The answer is
 * `{ items, nextToken, scannedCount, startedAt }`; `startedAt` is the first page's start time on
 * every page of one sync.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { NotSupportedError } from '../../errors.js';
import type { DataSourceResult } from '../types.js';
import type { OperationContext } from './operations.js';
import { fromSdkItem, invalid, isObj, nonEmpty, readExpression } from './values.js';

type Request = Record<string, unknown>;

/** What a Sync nextToken carries (sealed like every other token). */
interface SyncCursor {
  sync: 1;
  startedAt: number;
  /** `lastSync` of the first page; absent for a base-table scan. */
  since?: number;
  /** Delta mode: the day (YYYY-MM-DD) being read. */
  day?: string;
  lastEvaluatedKey?: Record<string, AttributeValue>;
}

const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const nextDay = (day: string) => dayOf(Date.parse(`${day}T00:00:00.000Z`) + DAY_MS);

export async function runSync(ctx: OperationContext, request: Request): Promise<DataSourceResult> {
  const versioning = ctx.versioning;
  if (!versioning) throw invalid('operation', 'Sync needs a versioned data source (config.versioned: true with deltaSyncConfig)');
  if (request.basePartitionKey !== undefined || request.deltaIndexName !== undefined)
    throw new NotSupportedError('Sync with basePartitionKey/deltaIndexName (custom sync queries)');
  const limit = request.limit === undefined || request.limit === null ? 100 : request.limit;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw invalid('limit', `expected an integer from 1 to 1000, got ${JSON.stringify(limit)}`);
  if (request.lastSync !== undefined && request.lastSync !== null && typeof request.lastSync !== 'number')
    throw invalid('lastSync', `expected epoch milliseconds, got ${JSON.stringify(request.lastSync)}`);
  if (request.nextToken !== undefined && request.nextToken !== null && typeof request.nextToken !== 'string')
    throw invalid('nextToken', 'expected the string a previous page returned');

  let cursor: SyncCursor;
  if (typeof request.nextToken === 'string' && request.nextToken) {
    const opened = ctx.openToken(request.nextToken) as unknown as SyncCursor;
    if (opened?.sync !== 1) throw invalid('nextToken', 'the token is not one this data source issued');
    cursor = opened;
  } else {
    const startedAt = Date.now();
    const lastSync = request.lastSync as number | undefined;
    const inWindow = typeof lastSync === 'number' && lastSync >= startedAt - versioning.deltaSyncTableTTL * 60_000;
    cursor = inWindow ? { sync: 1, startedAt, since: lastSync, day: dayOf(lastSync) } : { sync: 1, startedAt };
  }
  const seal = (next: SyncCursor) => ctx.sealToken(next as unknown as Record<string, AttributeValue>);

  const filterNames: Record<string, string> = {};
  const filterValues: Record<string, AttributeValue> = {};
  const FilterExpression = isObj(request.filter) ? readExpression(request.filter, 'filter', filterNames, filterValues) : undefined;

  if (cursor.since === undefined) {
    const out = await ctx.client.call('Scan', {
      TableName: ctx.table,
      Limit: limit,
      ExclusiveStartKey: cursor.lastEvaluatedKey,
      ConsistentRead: true,
      FilterExpression,
      ExpressionAttributeNames: nonEmpty(filterNames),
      ExpressionAttributeValues: nonEmpty(filterValues),
    });
    return {
      result: {
        items: (out.Items ?? []).map((i) => fromSdkItem(i)),
        nextToken: out.LastEvaluatedKey ? seal({ ...cursor, lastEvaluatedKey: out.LastEvaluatedKey }) : null,
        scannedCount: out.ScannedCount ?? 0,
        startedAt: cursor.startedAt,
      },
    };
  }

  // Delta mode: one partition per day (`Table:YYYY-MM-DD`), sort keys start with the time of day.
  const items: Record<string, unknown>[] = [];
  let scannedCount = 0;
  let day = cursor.day!;
  let startKey = cursor.lastEvaluatedKey;
  const lastDay = dayOf(cursor.startedAt);
  while (true) {
    const names: Record<string, string> = { ...filterNames, '#ds_pk': 'ds_pk' };
    const values: Record<string, AttributeValue> = { ...filterValues, ':ds_pk': { S: `${ctx.table}:${day}` } };
    let KeyConditionExpression = '#ds_pk = :ds_pk';
    if (day === dayOf(cursor.since)) {
      names['#ds_sk'] = 'ds_sk';
      values[':ds_sk'] = { S: new Date(cursor.since).toISOString().slice(11, 23) };
      KeyConditionExpression += ' AND #ds_sk >= :ds_sk';
    }
    const out = await ctx.client.call('Query', {
      TableName: versioning.deltaSyncTableName,
      KeyConditionExpression,
      FilterExpression,
      Limit: limit - items.length,
      ExclusiveStartKey: startKey,
      ConsistentRead: true,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    scannedCount += out.ScannedCount ?? 0;
    for (const raw of out.Items ?? []) {
      // The log entry's own keys and TTL are not part of the item.
      const { ds_pk: _pk, ds_sk: _sk, _ttl: _deltaTtl, ...item } = raw;
      items.push(fromSdkItem(item)!);
    }
    const more = day < lastDay;
    if (out.LastEvaluatedKey) {
      if (items.length >= limit) return page(items, seal({ ...cursor, day, lastEvaluatedKey: out.LastEvaluatedKey }), scannedCount, cursor.startedAt);
      startKey = out.LastEvaluatedKey;
      continue;
    }
    if (!more) return page(items, null, scannedCount, cursor.startedAt);
    day = nextDay(day);
    startKey = undefined;
    if (items.length >= limit) return page(items, seal({ ...cursor, day, lastEvaluatedKey: undefined }), scannedCount, cursor.startedAt);
  }
}

function page(items: unknown[], nextToken: string | null, scannedCount: number, startedAt: number): DataSourceResult {
  return { result: { items, nextToken, scannedCount, startedAt } };
}
