/**
 * DynamoDB typed values between AppSync's JSON form and the AWS SDK
 * (docs/dynamodb.md#request-objects-in-detail): requests may carry `N` as a number and `B` as
 * base64; results go back as plain JSON (N → number, sets → lists, B → base64 string).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DataSourceError } from '../../errors.js';

const TYPES = new Set(['S', 'N', 'B', 'BOOL', 'NULL', 'L', 'M', 'SS', 'NS', 'BS']);

/** Whether a request value is a JSON object (not null, not a list). */
export const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** A request-shape error naming the field (Observed errorType for validation failures). */
export function invalid(field: string, detail: string): DataSourceError {
  return new DataSourceError(`${field}: ${detail}`, 'DynamoDB:DynamoDbException');
}

const base64ToBytes = (value: unknown) => Uint8Array.from(Buffer.from(String(value), 'base64'));

/** One typed value in AppSync's form to the SDK's form. */
function toSdkValue(value: unknown, field: string): AttributeValue {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw invalid(field, `expected a typed value like {"S": "x"}, got ${JSON.stringify(value)}`);
  // The value's one own key, found without Object.entries' arrays: this runs for every key and attribute of every request.
  let type: string | undefined;
  let count = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    type = key;
    count += 1;
  }
  if (count !== 1 || !TYPES.has(type!)) throw invalid(field, `expected exactly one of ${[...TYPES].join(', ')}, got ${JSON.stringify(value)}`);
  const v = (value as Record<string, unknown>)[type!];
  switch (type) {
    case 'S':
      return { S: String(v) };
    case 'N':
      if (typeof v !== 'number' && typeof v !== 'string') throw invalid(field, `N must be a number, got ${JSON.stringify(v)}`);
      return { N: String(v) };
    case 'B':
      return { B: base64ToBytes(v) };
    case 'BOOL':
      return { BOOL: Boolean(v) };
    case 'NULL':
      return { NULL: true };
    case 'SS':
      return { SS: (v as unknown[]).map(String) };
    case 'NS':
      return { NS: (v as unknown[]).map(String) };
    case 'BS':
      return { BS: (v as unknown[]).map(base64ToBytes) };
    case 'L':
      if (!Array.isArray(v)) throw invalid(field, 'L must be a list');
      return { L: v.map((item, i) => toSdkValue(item, `${field}[${i}]`)) };
    default:
      return { M: toSdkMap(v, field) };
  }
}

export function toSdkMap(map: unknown, field: string): Record<string, AttributeValue> {
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw invalid(field, `expected a map of typed values, got ${JSON.stringify(map)}`);
  const out: Record<string, AttributeValue> = {};
  for (const k in map) if (Object.hasOwn(map, k)) out[k] = toSdkValue((map as Record<string, unknown>)[k], `${field}.${k}`);
  return out;
}

/** An SDK value to AppSync's plain JSON. */
function fromSdkValue(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return Buffer.from(value.B).toString('base64');
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(Number);
  if (value.BS !== undefined) return value.BS.map((b) => Buffer.from(b).toString('base64'));
  if (value.L !== undefined) return value.L.map(fromSdkValue);
  if (value.M !== undefined) return fromSdkItem(value.M);
  return null;
}

export function fromSdkItem(item: Record<string, AttributeValue> | undefined | null): Record<string, unknown> | null {
  if (!item) return null;
  const out: Record<string, unknown> = {};
  for (const k in item) if (Object.hasOwn(item, k)) out[k] = fromSdkValue(item[k]!);
  return out;
}

/** `{ expression, expressionNames?, expressionValues? }` → SDK pieces; merges into `names`/`values`. */
export function readExpression(input: unknown, field: string, names: Record<string, string>, values: Record<string, AttributeValue>): string {
  if (!input || typeof input !== 'object') throw invalid(field, 'expected { expression, expressionNames?, expressionValues? }');
  const { expression, expressionNames, expressionValues } = input as Record<string, unknown>;
  if (typeof expression !== 'string') throw invalid(`${field}.expression`, `expected string, got ${JSON.stringify(expression)}`);
  if (expressionNames !== undefined && expressionNames !== null) {
    if (typeof expressionNames !== 'object') throw invalid(`${field}.expressionNames`, 'expected a map');
    for (const [k, v] of Object.entries(expressionNames)) names[k] = String(v);
  }
  if (expressionValues !== undefined && expressionValues !== null) Object.assign(values, toSdkMap(expressionValues, `${field}.expressionValues`));
  return expression;
}

/** A request's `projection` (an expression object, or the module's list of attribute paths) → ProjectionExpression; names go into `names`. */
export function projection(request: Record<string, unknown>, field: string, names: Record<string, string>): string | undefined {
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

/** The SDK rejects empty name/value maps: pass them only when used. */
export function nonEmpty<T extends object>(map: T): T | undefined {
  for (const key in map) if (Object.hasOwn(map, key)) return map;
  return undefined;
}

/**
 * An SDK value to AppSync's typed JSON (what request objects carry): `N` as a JSON number, binary
 * as base64 — the form Lambda handlers see in `currentValue`.
 */
function toTypedJson(value: AttributeValue): Record<string, unknown> {
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: Number(value.N) };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.NULL !== undefined) return { NULL: true };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.SS !== undefined) return { SS: [...value.SS] };
  if (value.NS !== undefined) return { NS: value.NS.map(Number) };
  if (value.BS !== undefined) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toTypedJson) };
  if (value.M !== undefined) return { M: toTypedMap(value.M) };
  return { NULL: true };
}

export function toTypedMap(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = toTypedJson(v);
  return out;
}

/** Plain JSON (a Lambda's answer) to an SDK value: lists stay lists, objects become maps. */
export function plainToSdk(value: unknown): AttributeValue {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(plainToSdk) };
  const out: Record<string, AttributeValue> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v !== undefined) out[k] = plainToSdk(v);
  return { M: out };
}
