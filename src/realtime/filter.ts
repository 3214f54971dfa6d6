/**
 * Which published payloads a subscriber receives: argument equality (docs/realtime.md#filters-in-detail),
 * enhanced filters set with `extensions.setSubscriptionFilter` (§5) and invalidation filters (§6).
 * Pure functions, evaluated once per (event, subscriber).
 */
import type { SubscriptionFilter } from './types.js';

/** docs/realtime.md#filters-in-detail limits. */
const FILTER_LIMITS = {
  groups: 10,
  filtersPerGroup: 5,
  inValues: 5,
  containsAnyValues: 20,
  fieldNameLength: 256,
  nestingLevels: 5,
} as const;

/** Every operator docs/realtime.md#filters-in-detail lists, plus the `lte`/`gte` aliases (Gateway choice, §5). */
const FILTER_OPERATORS = [
  'eq',
  'ne',
  'le',
  'lt',
  'ge',
  'gt',
  'lte',
  'gte',
  'contains',
  'notContains',
  'beginsWith',
  'in',
  'notIn',
  'between',
  'containsAny',
  'attributeExists',
] as const;

export type FilterOperator = (typeof FILTER_OPERATORS)[number];
const OPERATORS = new Set<string>(FILTER_OPERATORS);

/**
 * docs/realtime.md#filters-in-detail: every argument present must equal the payload's same-named top-level field;
 * omitted arguments impose nothing; an explicit `null` matches only a null/absent field.
 * Gateway choice: JSON equality, with `ID`-like string/number pairs compared as strings.
 */
export function matchesArguments(args: Record<string, unknown>, payload: unknown): boolean {
  const object = isRecord(payload) ? payload : {};
  for (const [name, expected] of Object.entries(args)) {
    if (expected === undefined) continue;
    const actual = object[name];
    if (expected === null) {
      if (actual !== null && actual !== undefined) return false;
      continue;
    }
    if (actual === undefined || !looseEquals(actual, expected)) return false;
  }
  return true;
}

/**
 * docs/realtime.md#filters-in-detail: `filterGroup` entries are ORed, the `filters` of one group ANDed.
 * Gateway choice: an empty `filterGroup` (what `toSubscriptionFilter({})` yields) imposes nothing.
 */
export function matchesFilter(filter: SubscriptionFilter, payload: unknown): boolean {
  const groups = filter.filterGroup;
  if (!Array.isArray(groups) || groups.length === 0) return true;
  return groups.some((group) => (group.filters ?? []).every((f) => matchesCondition(readPath(payload, f.fieldName), f.operator, f.value)));
}

/**
 * Invalidation (docs/realtime.md#behaviour): true when the subscription's invalidation filter holds for the
 * `payload` of `extensions.invalidateSubscriptions`. A subscription without an invalidation filter
 * is never invalidated; an empty filter matches every invalidation of its field.
 */
export function matchesInvalidation(invalidationFilter: SubscriptionFilter | undefined, payload: unknown): boolean {
  if (!invalidationFilter) return false;
  return matchesFilter(invalidationFilter, payload);
}

/**
 * Checks a filter against the operator list and the limits of docs/realtime.md#filters-in-detail. Returns the reason
 * (naming the group, filter and field) or null. Gateway choice: a subscription whose filter breaks
 * these is rejected with an `error` frame.
 */
export function validateFilter(filter: unknown): string | null {
  if (!isRecord(filter)) return `subscription filter expects an object, got ${describe(filter)}`;
  const groups = filter.filterGroup;
  if (!Array.isArray(groups)) return `subscription filter expects 'filterGroup' to be an array, got ${describe(groups)}`;
  if (groups.length > FILTER_LIMITS.groups) return `subscription filter has ${groups.length} filter groups; at most ${FILTER_LIMITS.groups} are allowed`;
  for (const [g, group] of groups.entries()) {
    const at = `filterGroup[${g}]`;
    if (!isRecord(group) || !Array.isArray(group.filters)) return `${at} expects 'filters' to be an array`;
    if (group.filters.length > FILTER_LIMITS.filtersPerGroup) {
      return `${at} has ${group.filters.length} filters; at most ${FILTER_LIMITS.filtersPerGroup} are allowed per group`;
    }
    for (const [i, f] of (group.filters as unknown[]).entries()) {
      const reason = validateCondition(f, `${at}.filters[${i}]`);
      if (reason) return reason;
    }
  }
  return null;
}

function validateCondition(f: unknown, at: string): string | null {
  if (!isRecord(f)) return `${at} expects an object, got ${describe(f)}`;
  const { fieldName, operator, value } = f;
  if (typeof fieldName !== 'string' || fieldName === '') return `${at}.fieldName expects a non-empty string, got ${describe(fieldName)}`;
  if (fieldName.length > FILTER_LIMITS.fieldNameLength) return `${at}.fieldName is longer than ${FILTER_LIMITS.fieldNameLength} characters`;
  if (fieldName.split('.').length > FILTER_LIMITS.nestingLevels)
    return `${at}.fieldName '${fieldName}' nests deeper than ${FILTER_LIMITS.nestingLevels} levels`;
  if (typeof operator !== 'string' || !OPERATORS.has(operator)) return `${at}.operator '${String(operator)}' is not a supported filter operator`;
  switch (operator as FilterOperator) {
    case 'in':
    case 'notIn':
      if (!Array.isArray(value)) return `${at}.value for '${operator}' expects an array, got ${describe(value)}`;
      if (value.length > FILTER_LIMITS.inValues)
        return `${at}.value for '${operator}' has ${value.length} values; at most ${FILTER_LIMITS.inValues} are allowed`;
      return null;
    case 'containsAny':
      if (!Array.isArray(value)) return `${at}.value for 'containsAny' expects an array, got ${describe(value)}`;
      if (value.length > FILTER_LIMITS.containsAnyValues) {
        return `${at}.value for 'containsAny' has ${value.length} values; at most ${FILTER_LIMITS.containsAnyValues} are allowed`;
      }
      return null;
    case 'between':
      if (!Array.isArray(value) || value.length !== 2) return `${at}.value for 'between' expects [low, high], got ${describe(value)}`;
      return null;
    case 'attributeExists':
      if (typeof value !== 'boolean') return `${at}.value for 'attributeExists' expects a boolean, got ${describe(value)}`;
      return null;
    default:
      return null;
  }
}

/** Evaluates one `{ fieldName, operator, value }` against the payload field's value. */
export function matchesCondition(actual: unknown, operator: string, value: unknown): boolean {
  switch (operator) {
    case 'eq':
      return actual !== undefined && looseEquals(actual, value);
    case 'ne':
      return actual === undefined || !looseEquals(actual, value);
    case 'lt':
      return compare(actual, value, (c) => c < 0);
    case 'le':
    case 'lte':
      return compare(actual, value, (c) => c <= 0);
    case 'gt':
      return compare(actual, value, (c) => c > 0);
    case 'ge':
    case 'gte':
      return compare(actual, value, (c) => c >= 0);
    case 'contains':
      return contains(actual, value);
    case 'notContains':
      return (typeof actual === 'string' || Array.isArray(actual)) && !contains(actual, value);
    case 'beginsWith':
      return typeof actual === 'string' && typeof value === 'string' && actual.startsWith(value);
    case 'in':
      return actual !== undefined && Array.isArray(value) && value.some((v) => looseEquals(actual, v));
    case 'notIn':
      return Array.isArray(value) && !value.some((v) => looseEquals(actual, v));
    case 'between':
      return Array.isArray(value) && value.length === 2 && compare(actual, value[0], (c) => c >= 0) && compare(actual, value[1], (c) => c <= 0);
    case 'containsAny':
      return Array.isArray(actual) && Array.isArray(value) && value.some((v) => actual.some((a) => looseEquals(a, v)));
    case 'attributeExists':
      // Like DynamoDB's attribute_exists: a present null counts as existing.
      return value === false ? actual === undefined : actual !== undefined;
    default:
      return false;
  }
}

function contains(actual: unknown, value: unknown): boolean {
  if (typeof actual === 'string') return typeof value === 'string' || typeof value === 'number' ? actual.includes(String(value)) : false;
  if (Array.isArray(actual)) return actual.some((a) => looseEquals(a, value));
  return false;
}

function compare(actual: unknown, value: unknown, test: (c: number) => boolean): boolean {
  if (typeof actual === 'number' && typeof value === 'number') return test(actual - value);
  if (typeof actual === 'string' && typeof value === 'string') return test(actual < value ? -1 : actual > value ? 1 : 0);
  return false;
}

/** Reads a dotted path (`loc.addr.country`) from the payload; undefined when absent. */
export function readPath(payload: unknown, path: string): unknown {
  let current: unknown = payload;
  for (const key of path.split('.')) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** JSON equality; a string and a number compare as strings (ID arguments, docs/realtime.md#filters-in-detail). */
function looseEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if ((typeof a === 'string' && typeof b === 'number') || (typeof a === 'number' && typeof b === 'string')) return String(a) === String(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => looseEquals(v, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && looseEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
