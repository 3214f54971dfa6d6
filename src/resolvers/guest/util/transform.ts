/**
 * `util.transform` (docs/resolvers.md#util-in-detail, util.transform). The DynamoDB filter and condition
 * renderings reproduce the strings AppSync returns (recorded from its EvaluateCode API, marked
 * Observed in the spec): parenthesisation, `#name` / `:prefix_field_op` naming, and `null` for
 * input AppSync cannot render.
 */
import { toSubscriptionFilter } from '../../../realtime/toSubscriptionFilter.js';
import { toDynamoDB } from './dynamodb.js';

const COMPARISONS: Record<string, string> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };
const ATTRIBUTE_TYPES: Record<string, string> = {
  _null: 'NULL',
  string: 'S',
  stringSet: 'SS',
  number: 'N',
  numberSet: 'NS',
  binary: 'B',
  binarySet: 'BS',
  boolean: 'BOOL',
  list: 'L',
  map: 'M',
};

class Unrenderable {}

interface Rendering {
  names: Record<string, string>;
  values: Record<string, unknown>;
}

const isPlain = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** One field's operators; several are ANDed and wrapped. */
function renderField(field: string, ops: unknown, prefix: string, out: Rendering): string {
  if (!isPlain(ops) || Object.keys(ops).length === 0) throw new Unrenderable();
  const name = `#${field}`;
  out.names[name] = field;
  const parts: string[] = [];
  for (const [op, value] of Object.entries(ops)) {
    const valueName = `:${prefix}${field}_${op}`;
    if (op in COMPARISONS) {
      out.values[valueName] = toDynamoDB(value);
      parts.push(`(${name} ${COMPARISONS[op]} ${valueName})`);
    } else if (op === 'contains' || op === 'notContains' || op === 'beginsWith') {
      out.values[valueName] = toDynamoDB(value);
      const fn = op === 'beginsWith' ? 'begins_with' : 'contains';
      parts.push(op === 'notContains' ? `(NOT contains(${name},${valueName}))` : `(${fn}(${name},${valueName}))`);
    } else if (op === 'between') {
      if (!Array.isArray(value) || value.length < 2) throw new Unrenderable();
      out.values[`${valueName}_start`] = toDynamoDB(value[0]);
      out.values[`${valueName}_end`] = toDynamoDB(value[1]);
      parts.push(`(${name} BETWEEN ${valueName}_start AND ${valueName}_end)`);
    } else if (op === 'in') {
      if (!Array.isArray(value) || value.length === 0) throw new Unrenderable();
      const names = value.map((v, i) => {
        out.values[`${valueName}_${i}`] = toDynamoDB(v);
        return `${valueName}_${i}`;
      });
      parts.push(`(${name} IN (${names.join(', ')}))`);
    } else if (op === 'attributeExists') {
      if (typeof value !== 'boolean') throw new Unrenderable();
      parts.push(value ? `(attribute_exists(${name}))` : `(attribute_not_exists(${name}))`);
    } else if (op === 'attributeType') {
      const type = typeof value === 'string' ? ATTRIBUTE_TYPES[value] : undefined;
      if (!type) throw new Unrenderable();
      out.values[valueName] = { S: type };
      parts.push(`(attribute_type(${name},${valueName}))`);
    } else if (op === 'size') {
      if (!isPlain(value) || Object.keys(value).length === 0) throw new Unrenderable();
      const sizeParts = Object.entries(value).map(([sizeOp, n]) => {
        if (!(sizeOp in COMPARISONS)) throw new Unrenderable();
        const sizeValue = `:${prefix}${field}_size_${sizeOp}`;
        out.values[sizeValue] = toDynamoDB(n);
        return `(size(${name}) ${COMPARISONS[sizeOp]} ${sizeValue})`;
      });
      parts.push(sizeParts.length === 1 ? sizeParts[0]! : `(${sizeParts.join(' AND ')})`);
    } else {
      throw new Unrenderable();
    }
  }
  return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}

/** A filter object's parts (ANDed at its level, not wrapped). */
function renderObject(filter: unknown, prefix: string, out: Rendering): string[] {
  if (!isPlain(filter)) throw new Unrenderable();
  const parts: string[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new Unrenderable();
      const members = value.map((member, i) => wrap(renderObject(member, `${prefix}${key}_${i}_`, out)));
      if (members.length === 0) continue;
      parts.push(members.length === 1 ? members[0]! : `(${members.join(key === 'and' ? ' AND ' : ' OR ')})`);
    } else if (key === 'not') {
      if (!isPlain(value)) throw new Unrenderable();
      parts.push(`(NOT ${wrap(renderObject(value, `${prefix}not_`, out))})`);
    } else {
      parts.push(renderField(key, value, prefix, out));
    }
  }
  return parts;
}

/** A group's rendering in parentheses, unless it is one part that has them already. */
function wrap(parts: string[]): string {
  return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}

/** The JSON string AppSync returns, or null when the input cannot be rendered. */
export function renderDynamoDBExpression(filter: unknown): string | null {
  const out: Rendering = { names: {}, values: {} };
  try {
    const parts = renderObject(filter, '', out);
    return JSON.stringify({ expression: parts.join(' AND '), expressionNames: out.names, expressionValues: out.values });
  } catch (error) {
    if (error instanceof Unrenderable) return null;
    throw error;
  }
}

/**
 * One field's condition as an OpenSearch query clause. The shapes follow AWS's documented
 * `toElasticsearchQueryDSL` example (transformation-helpers-in-utils-transform): `eq` → `term`,
 * `ne` → `{ bool: { must_not: term } }`, `range: [a, b]` → `range` with `gte`/`lte`, `wildcard`.
 */
function toOpenSearchClause(field: string, op: string, value: unknown): unknown {
  switch (op) {
    case 'eq':
      return { term: { [field]: value } };
    case 'ne':
      return { bool: { must_not: { term: { [field]: value } } } };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { range: { [field]: { [op]: value } } };
    case 'range': {
      const [gte, lte] = Array.isArray(value) ? value : [];
      return { range: { [field]: { gte, lte } } };
    }
    case 'wildcard':
    case 'regexp':
      return { [op]: { [field]: value } };
    case 'match':
      return { match: { [field]: value } };
    case 'matchPhrase':
      return { match_phrase: { [field]: value } };
    case 'matchPhrasePrefix':
      return { match_phrase_prefix: { [field]: value } };
    case 'multiMatch':
      return { multi_match: value };
    case 'exists':
      return value ? { exists: { field } } : { bool: { must_not: { exists: { field } } } };
    default:
      throw new Unrenderable();
  }
}

/**
 * A filter as an OpenSearch bool query, nested as AWS's documented example nests it: the filter's
 * members are ANDed (`bool.must`, the default operator), each field's conditions too; `and` is
 * `must`, `or` is `should` (one must match), `not` is `must_not`.
 */
function toOpenSearchQuery(filter: unknown): Record<string, unknown> {
  if (!isPlain(filter)) throw new Unrenderable();
  const must: unknown[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw new Unrenderable();
      const parts = value.map((v) => toOpenSearchQuery(v));
      must.push(key === 'and' ? { bool: { must: parts } } : { bool: { should: parts, minimum_should_match: 1 } });
    } else if (key === 'not') {
      must.push({ bool: { must_not: toOpenSearchQuery(value) } });
    } else {
      if (!isPlain(value)) throw new Unrenderable();
      must.push({ bool: { must: Object.entries(value).map(([op, v]) => toOpenSearchClause(key, op, v)) } });
    }
  }
  return { bool: { must } };
}

export function createTransformUtils() {
  return {
    toDynamoDBFilterExpression: (filter: unknown) => renderDynamoDBExpression(filter),
    toDynamoDBConditionExpression: (condition: unknown) => renderDynamoDBExpression(condition),
    toElasticsearchQueryDSL(filter: unknown): string | null {
      try {
        return JSON.stringify(toOpenSearchQuery(filter));
      } catch (error) {
        if (error instanceof Unrenderable) return null;
        throw error;
      }
    },
    toSubscriptionFilter,
  };
}
