/**
 * Versioned DynamoDB data sources (AppSync devguide: versioned-data-sources,
 * conflict-detection-and-resolution): PutItem/UpdateItem/DeleteItem keep `_version`,
 * `_lastChangedAt`, `_deleted` and `_ttl`, log every change to the Delta table, turn deletes into
 * tombstones, and — with the resolver's `sync: { conflictDetection: VERSION }` — compare the
 * request's `_version` with the stored one and hand a mismatch to the conflict handler
 * (OPTIMISTIC_CONCURRENCY, AUTOMERGE or LAMBDA).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { NormalizedConfig } from '../../config/types.js';
import { DataSourceError } from '../../errors.js';
import type { LambdaTarget } from '../lambda/invoker.js';
import type { DataSourceResult } from '../types.js';
import { mergeItems, mergeValue } from './automerge.js';
import { conditionalFailure, outputTypeOf, type WriteOperation } from './conditionHandler.js';
// eslint-disable-next-line import-x/no-cycle -- a versioned write runs the plain operation (recursion by design); used only inside functions.
import { requireKey, runOperation, type OperationContext } from './operations.js';
import { fromSdkItem, invalid, isObj, nonEmpty, plainToSdk, readExpression, toSdkMap, toTypedMap } from './values.js';

type Request = Record<string, unknown>;

/** `config.versioned` + `config.deltaSyncConfig` of the data source, minutes as AppSync counts them. */
export interface VersioningConfig {
  deltaSyncTableName: string;
  /** Minutes a Delta-table entry lives. Serverless AppSync plugin default: 1440. */
  deltaSyncTableTTL: number;
  /** Minutes a tombstone stays in the base table; 0 deletes at once. Plugin default: 43200. */
  baseTableTTL: number;
}

/** A resolver's (or pipeline function's) `sync` block, defaults as the Serverless AppSync plugin v2 fills them. */
export interface ResolverSync {
  conflictDetection: 'VERSION' | 'NONE';
  conflictHandler: 'OPTIMISTIC_CONCURRENCY' | 'AUTOMERGE' | 'LAMBDA' | 'NONE';
  /** LAMBDA: a function reference (ARN, name) or an inline Serverless function definition. */
  lambda?: { reference: string } | { key: string; target: LambdaTarget };
}

const METADATA = ['_version', '_lastChangedAt', '_deleted', '_ttl'];

/**
 * Gateway choice: AppSync documents a `MaxConflicts` error without the number; the gateway gives
 * up after 5 merge/Lambda retries of one mutation.
 */
const MAX_CONFLICT_RETRIES = 5;

/**
 * The `sync` block for the resolver (`Type.field`) or pipeline function (its name) now running.
 * Read from the normalized config as the Serverless plugin spells it:
 * `sync: { conflictDetection, conflictHandler, function | functionName | functionArn }`, plus
 * AppSync's own `lambdaConflictHandlerConfig.lambdaConflictHandlerArn`.
 */
export function syncConfigFor(gatewayConfig: NormalizedConfig, resolverName: string | undefined): ResolverSync | undefined {
  if (!resolverName) return undefined;
  const resolver = gatewayConfig.resolvers?.find((r) => `${r.typeName}.${r.fieldName}` === resolverName) as { sync?: unknown } | undefined;
  const raw = resolver?.sync ?? (gatewayConfig.pipelineFunctions?.[resolverName] as { sync?: unknown } | undefined)?.sync;
  if (!isObj(raw)) return undefined;
  const detection = raw.conflictDetection ?? 'VERSION';
  const handler = raw.conflictHandler ?? 'OPTIMISTIC_CONCURRENCY';
  if (detection !== 'VERSION' && detection !== 'NONE')
    throw invalid(`${resolverName}.sync.conflictDetection`, `expected VERSION or NONE, got ${JSON.stringify(detection)}`);
  if (!['OPTIMISTIC_CONCURRENCY', 'AUTOMERGE', 'LAMBDA', 'NONE'].includes(handler as string)) {
    throw invalid(`${resolverName}.sync.conflictHandler`, `expected OPTIMISTIC_CONCURRENCY, AUTOMERGE or LAMBDA, got ${JSON.stringify(handler)}`);
  }
  const sync: ResolverSync = { conflictDetection: detection, conflictHandler: handler as ResolverSync['conflictHandler'] };
  const lambdaConfig = isObj(raw.lambdaConflictHandlerConfig) ? raw.lambdaConflictHandlerConfig : {};
  const reference = [raw.functionArn, raw.functionName, raw.lambdaConflictHandlerArn, lambdaConfig.lambdaConflictHandlerArn].find(
    (v): v is string => typeof v === 'string',
  );
  if (isObj(raw.function))
    sync.lambda = {
      key: `sync:${resolverName}`,
      target: { function: raw.function as { handler?: string }, timeout: raw.function.timeout as number | undefined },
    };
  else if (reference) sync.lambda = { reference };
  return sync;
}

const conflictUnhandled = (current: Record<string, unknown> | null): DataSourceResult => ({
  result: current,
  // AppSync's errorType and message for a rejected conflict; data = the item on the server.
  error: { type: 'ConflictUnhandled', message: 'Conflict resolver rejects mutation.', data: current },
});

const conflictError = (message: string): DataSourceResult => ({ error: { type: 'ConflictError', message } });

/** Metadata belongs to AppSync: requests writing it are `BadRequest` (as on AppSync). */
function refuseMetadata(request: Request): void {
  const touched: string[] = [];
  if (isObj(request.attributeValues)) touched.push(...Object.keys(request.attributeValues).filter((k) => METADATA.includes(k)));
  if (isObj(request.update)) {
    const { expression, expressionNames } = request.update;
    if (isObj(expressionNames))
      touched.push(
        ...Object.values(expressionNames)
          .map(String)
          .filter((v) => METADATA.includes(v)),
      );
    if (typeof expression === 'string') touched.push(...METADATA.filter((m) => new RegExp(`(^|[^#:\\w])${m}\\b`).test(expression)));
  }
  if (touched.length > 0) {
    throw new DataSourceError(
      `the metadata fields ${[...new Set(touched)].join(', ')} are managed by the versioned data source and cannot be written`,
      'BadRequest',
    );
  }
}

/** Adds `assignments` to the SET clause of an update expression (creating one when absent). */
export function withSetAssignments(expression: string, assignments: string): string {
  const match = /(^|\s)SET\s+/i.exec(expression);
  if (!match) return `SET ${assignments} ${expression}`.trim();
  const at = match.index + match[0].length;
  return `${expression.slice(0, at)}${assignments}, ${expression.slice(at)}`;
}

/** The top-level `#name = :value` assignments of an update that is nothing but a SET clause. */
function plainAssignments(update: Request): Record<string, AttributeValue> | undefined {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const expression = readExpression(update, 'update', names, values).trim();
  const set = /^SET\s+(.*)$/is.exec(expression);
  if (!set) return undefined;
  const out: Record<string, AttributeValue> = {};
  for (const part of set[1]!.split(',')) {
    const m = /^\s*(#?[\w]+)\s*=\s*(:[\w]+)\s*$/.exec(part);
    if (!m) return undefined;
    const name = m[1]!.startsWith('#') ? names[m[1]!] : m[1]!;
    const value = values[m[2]!];
    if (name === undefined || value === undefined) return undefined;
    out[name] = value;
  }
  return out;
}

const versionOf = (item: Record<string, AttributeValue> | undefined): number | undefined =>
  item?._version?.N !== undefined ? Number(item._version.N) : undefined;

/** ISO date and time of `now`, for the Delta table keys (`Table:2019-01-01`, `09:30:00.000:key:version`). */
function deltaKeys(table: string, key: Record<string, AttributeValue>, version: number, now: number): { ds_pk: AttributeValue; ds_sk: AttributeValue } {
  const iso = new Date(now).toISOString();
  const keyText = Object.keys(key)
    .sort()
    .map((k) => String(fromSdkItem({ v: key[k]! })!.v))
    .join(':');
  return { ds_pk: { S: `${table}:${iso.slice(0, 10)}` }, ds_sk: { S: `${iso.slice(11, 23)}:${keyText}:${version}` } };
}

async function logDelta(
  ctx: OperationContext,
  key: Record<string, AttributeValue>,
  item: Record<string, AttributeValue>,
  now: number,
): Promise<DataSourceResult['error']> {
  const v = ctx.versioning!;
  try {
    await ctx.client.call('PutItem', {
      TableName: v.deltaSyncTableName,
      Item: { ...item, ...deltaKeys(ctx.table, key, versionOf(item) ?? 0, now), _ttl: { N: String(Math.floor(now / 1000) + v.deltaSyncTableTTL * 60) } },
    });
    return undefined;
  } catch (error) {
    // AppSync: the mutation stands, the response carries DeltaSyncWriteError.
    return { type: 'DeltaSyncWriteError', message: `Failed to write delta sync record: ${(error as Error).message}` };
  }
}

/**
 * `(expression)`, unless it already is one parenthesised group: DynamoDB refuses redundant
 * parentheses (`((attribute_not_exists(#id)))`), and Amplify's conditions come wrapped.
 */
function grouped(expression: string): string {
  const text = expression.trim();
  if (text.startsWith('(')) {
    let depth = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')' && --depth === 0) {
        if (i === text.length - 1) return text;
        break;
      }
    }
  }
  return `(${text})`;
}

/** PutItem / UpdateItem / DeleteItem on a versioned data source. */
export async function versionedWrite(ctx: OperationContext, request: Request, attempt: number): Promise<DataSourceResult> {
  const operation = request.operation as WriteOperation;
  const Key = requireKey(request);
  refuseMetadata(request);
  const sync = ctx.sync;
  const detect = sync?.conflictDetection === 'VERSION';
  if (request._version !== undefined && request._version !== null && (typeof request._version !== 'number' || !Number.isInteger(request._version))) {
    throw invalid('_version', `expected the integer version the client last saw, got ${JSON.stringify(request._version)}`);
  }
  const names: Record<string, string> = { '#_version': '_version', '#_lastChangedAt': '_lastChangedAt' };
  const now = Date.now();
  const values: Record<string, AttributeValue> = { ':_now': { N: String(now) } };
  const condition = isObj(request.condition) ? request.condition : undefined;
  const clauses: string[] = [];
  if (condition) clauses.push(grouped(readExpression(condition, 'condition', names, values)));

  // Without conflict detection a PutItem still needs the stored version to write the next one.
  let expected = detect ? (request._version as number | undefined) : undefined;
  if (!detect && operation === 'PutItem') {
    const current = await ctx.client.call('GetItem', { TableName: ctx.table, Key, ConsistentRead: true });
    expected = versionOf(current.Item);
  }
  if (expected !== undefined && expected !== null) {
    clauses.push('#_version = :_expected');
    values[':_expected'] = { N: String(expected) };
  } else if (operation === 'PutItem') {
    // A create: nothing versioned may be there (with detection, or as read just now).
    clauses.push('attribute_not_exists(#_version)');
  }
  const firstKey = Object.keys(Key)[0]!;
  if (operation === 'DeleteItem') {
    names['#_key'] = firstKey;
    clauses.push('attribute_exists(#_key)');
  }
  const ConditionExpression = clauses.join(' AND ') || undefined;
  const common = { TableName: ctx.table, ConditionExpression, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const };

  let written: Record<string, AttributeValue> | undefined;
  try {
    if (operation === 'PutItem') {
      const attributes = request.attributeValues === undefined ? {} : toSdkMap(request.attributeValues, 'attributeValues');
      const Item = { ...attributes, ...Key, _version: { N: String((expected ?? 0) + 1) }, _lastChangedAt: { N: String(now) } };
      await ctx.client.call('PutItem', {
        ...common,
        Item,
        ExpressionAttributeNames: nonEmpty(pick(names, ConditionExpression)),
        ExpressionAttributeValues: nonEmpty(pick(values, ConditionExpression)),
      });
      written = Item;
    } else if (operation === 'UpdateItem') {
      if (!isObj(request.update)) throw invalid('update', 'expected { expression, expressionNames?, expressionValues? }');
      const userUpdate = readExpression(request.update, 'update', names, values);
      values[':_zero'] = { N: '0' };
      values[':_one'] = { N: '1' };
      const UpdateExpression = withSetAssignments(userUpdate, '#_version = if_not_exists(#_version, :_zero) + :_one, #_lastChangedAt = :_now');
      const out = await ctx.client.call('UpdateItem', {
        ...common,
        Key,
        UpdateExpression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });
      written = out.Attributes;
    } else if (ctx.versioning!.baseTableTTL > 0) {
      // DeleteItem leaves a tombstone for baseTableTTL minutes (DynamoDB's TTL removes it).
      names['#_deleted'] = '_deleted';
      names['#_ttl'] = '_ttl';
      Object.assign(values, {
        ':_zero': { N: '0' },
        ':_one': { N: '1' },
        ':_true': { BOOL: true },
        ':_ttl': { N: String(Math.floor(now / 1000) + ctx.versioning!.baseTableTTL * 60) },
      });
      const UpdateExpression = 'SET #_deleted = :_true, #_ttl = :_ttl, #_version = if_not_exists(#_version, :_zero) + :_one, #_lastChangedAt = :_now';
      const out = await ctx.client.call('UpdateItem', {
        ...common,
        Key,
        UpdateExpression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      });
      written = out.Attributes;
    } else {
      const out = await ctx.client.call('DeleteItem', {
        ...common,
        Key,
        ExpressionAttributeNames: nonEmpty(pick(names, ConditionExpression)),
        ExpressionAttributeValues: nonEmpty(pick(values, ConditionExpression)),
        ReturnValues: 'ALL_OLD',
      });
      const old = out.Attributes ?? Key;
      written = { ...old, _deleted: { BOOL: true }, _version: { N: String((versionOf(old) ?? 0) + 1) }, _lastChangedAt: { N: String(now) } };
    }
  } catch (error) {
    if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    return afterVersionedFailure(ctx, request, operation, Key, error as { message?: string; Item?: Record<string, AttributeValue> }, expected, attempt);
  }
  const deltaError = await logDelta(ctx, Key, written ?? Key, now);
  return { result: fromSdkItem(written), ...(deltaError ? { error: deltaError } : {}) };
}

/** Only the placeholders an expression uses (the SDK rejects unused ones). */
function pick<T>(map: Record<string, T>, expression: string | undefined): Record<string, T> {
  const out: Record<string, T> = {};
  for (const [k, v] of Object.entries(map)) if (expression && new RegExp(`${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\w])`).test(expression)) out[k] = v;
  return out;
}

async function afterVersionedFailure(
  ctx: OperationContext,
  request: Request,
  operation: WriteOperation,
  key: Record<string, AttributeValue>,
  error: { message?: string; Item?: Record<string, AttributeValue> },
  expected: number | undefined,
  attempt: number,
): Promise<DataSourceResult> {
  const currentSdk = error.Item ?? (await ctx.client.call('GetItem', { TableName: ctx.table, Key: key, ConsistentRead: true })).Item;
  const current = fromSdkItem(currentSdk);
  if (operation === 'DeleteItem' && !currentSdk) return { result: null };
  const stored = versionOf(currentSdk);
  const versionMismatch = expected !== undefined ? stored !== expected : operation === 'PutItem' && stored !== undefined;
  if (versionMismatch && ctx.sync?.conflictDetection !== 'VERSION') {
    // No detection: the item changed between our read and write; write again on top of it.
    if (attempt >= MAX_CONFLICT_RETRIES) return { error: { type: 'MaxConflicts', message: 'Reached the maximum number of conflict retries.' } };
    return runOperation(ctx, request, attempt + 1);
  }
  if (!versionMismatch) {
    // The version matched: the resolver's own condition failed (docs/dynamodb.md#request-objects-in-detail).
    const condition = isObj(request.condition) ? request.condition : {};
    const outcome = await conditionalFailure(ctx, { operation, request, key, condition, attempted: null, error: { ...error, Item: currentSdk }, attempt });
    return 'retry' in outcome ? runOperation(ctx, outcome.retry, attempt + 1) : outcome.done;
  }
  return resolveConflict(ctx, request, operation, key, currentSdk, attempt);
}

/** A version conflict, handed to the resolver's conflict handler. */
async function resolveConflict(
  ctx: OperationContext,
  request: Request,
  operation: WriteOperation,
  key: Record<string, AttributeValue>,
  currentSdk: Record<string, AttributeValue> | undefined,
  attempt: number,
): Promise<DataSourceResult> {
  const current = fromSdkItem(currentSdk);
  const handler = ctx.sync?.conflictHandler ?? 'OPTIMISTIC_CONCURRENCY';
  if (handler === 'OPTIMISTIC_CONCURRENCY' || handler === 'NONE' || !currentSdk) return conflictUnhandled(current);
  if (attempt >= MAX_CONFLICT_RETRIES)
    return { result: current, error: { type: 'MaxConflicts', message: 'Reached the maximum number of conflict retries.', data: current } };
  const serverVersion = versionOf(currentSdk);
  const strip = (item: Record<string, AttributeValue>) => Object.fromEntries(Object.entries(item).filter(([k]) => !METADATA.includes(k) && !(k in key)));

  if (handler === 'AUTOMERGE') {
    if (operation === 'DeleteItem' || currentSdk._deleted?.BOOL) return conflictUnhandled(current);
    if (operation === 'PutItem') {
      const incoming = request.attributeValues === undefined ? {} : toSdkMap(request.attributeValues, 'attributeValues');
      const merged = mergeItems(strip(currentSdk), strip(incoming));
      return runOperation(ctx, { ...request, attributeValues: toTypedMap(merged), _version: serverVersion }, attempt + 1);
    }
    const incoming = isObj(request.update) ? plainAssignments(request.update) : undefined;
    // Gateway choice: only plain `SET #a = :a, …` updates can be merged field by field.
    if (!incoming) return conflictUnhandled(current);
    const expressionNames: Record<string, string> = {};
    const expressionValues: Record<string, unknown> = {};
    const sets = Object.entries(incoming).map(([name, value], i) => {
      expressionNames[`#m${i}`] = name;
      expressionValues[`:m${i}`] = toTypedMap({ v: mergeValue(currentSdk[name], value)! }).v;
      return `#m${i} = :m${i}`;
    });
    return runOperation(
      ctx,
      { ...request, update: { expression: `SET ${sets.join(', ')}`, expressionNames, expressionValues }, _version: serverVersion },
      attempt + 1,
    );
  }

  // LAMBDA (conflict-detection-and-resolution, "Lambda"): { newItem, existingItem, arguments, resolver, identity }.
  const lambda = ctx.sync?.lambda;
  if (!lambda) return conflictError('The LAMBDA conflict handler has no function (sync.function, functionName or functionArn).');
  const resolverContext = ctx.invocation?.resolverContext ?? {};
  let newItem: Record<string, unknown> | null;
  if (operation === 'PutItem') newItem = fromSdkItem({ ...(request.attributeValues ? toSdkMap(request.attributeValues, 'attributeValues') : {}), ...key });
  else if (operation === 'UpdateItem') newItem = fromSdkItem({ ...((isObj(request.update) && plainAssignments(request.update)) || {}), ...key });
  else newItem = fromSdkItem(key);
  const event = {
    newItem,
    existingItem: current,
    arguments: resolverContext.arguments ?? {},
    resolver: {
      tableName: ctx.table,
      awsRegion: ctx.region,
      parentType: ctx.invocation?.parentTypeName,
      field: ctx.invocation?.fieldName,
      outputType: outputTypeOf(ctx),
    },
    identity: resolverContext.identity ?? null,
  };
  let answer: Request | null;
  try {
    const invoker = 'reference' in lambda ? ctx.lambdas.get(lambda.reference) : ctx.lambdas.forTarget(lambda.key, lambda.target);
    answer = (await invoker.invoke(event)) as Request | null;
  } catch (error) {
    return conflictError(`The conflict handler failed: ${(error as Error).message}`);
  }
  const action = typeof answer?.action === 'string' ? answer.action.toUpperCase() : undefined;
  if (action === 'REJECT') return conflictUnhandled(current);
  if (action === 'REMOVE') return runOperation(ctx, { operation: 'DeleteItem', key: request.key, _version: serverVersion }, attempt + 1);
  if (action === 'RESOLVE' && isObj(answer!.item)) {
    const item = plainToSdk(answer!.item).M!;
    // The Lambda's item replaces the stored one; AppSync sets the version.
    return runOperation(ctx, { operation: 'PutItem', key: request.key, attributeValues: toTypedMap(strip(item)), _version: serverVersion }, attempt + 1);
  }
  return conflictError(
    `The conflict handler answered ${JSON.stringify(answer)}; expected { action: "RESOLVE", item } , { action: "REJECT" } or { action: "REMOVE" }.`,
  );
}
