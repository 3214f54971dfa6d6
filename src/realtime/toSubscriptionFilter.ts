/**
 * `util.transform.toSubscriptionFilter(obj, ignoredFields?, rules?)` (docs/realtime.md#filters-in-detail):
 * expands a filter object into `{ filterGroup: [{ filters: [...] }] }`. Pure code with no Node
 * built-ins, so the resolver sandbox can bundle it.
 */
import type { SubscriptionFilter } from './types.js';

type Filter = SubscriptionFilter['filterGroup'][number]['filters'][number];
/** Alternatives (ORed), each a list of filters (ANDed). */
type Alternatives = Filter[][];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every combination of one alternative from `left` and one from `right`. */
function cross(left: Alternatives, right: Alternatives): Alternatives {
  const out: Alternatives = [];
  for (const l of left) for (const r of right) out.push([...l, ...r]);
  return out;
}

function expand(object: Record<string, unknown>, ignored: ReadonlySet<string>): Alternatives {
  let alternatives: Alternatives = [[]];
  for (const [key, value] of Object.entries(object)) {
    if (ignored.has(key)) continue;
    if (key === 'and' && Array.isArray(value)) {
      // Members are appended to the same group(s).
      for (const member of value) if (isPlainObject(member)) alternatives = cross(alternatives, expand(member, ignored));
    } else if (key === 'or' && Array.isArray(value)) {
      // One group per member, crossed with everything else.
      const members = value.filter(isPlainObject).flatMap((member) => expand(member, ignored));
      if (members.length > 0) alternatives = cross(alternatives, members);
    } else if (isPlainObject(value)) {
      // Operators come from the first level only, copied verbatim; several operators are ORed.
      const operators = Object.entries(value).map(([operator, v]): Filter[] => [{ fieldName: key, operator, value: v }]);
      if (operators.length > 0) alternatives = cross(alternatives, operators);
    }
  }
  return alternatives;
}

/**
 * Expansion rules of docs/realtime.md#filters-in-detail: fields ANDed in one group, several operators on one field
 * and `or` members become alternative groups, `and` members join the same group, `ignoredFields`
 * are dropped everywhere, each of `rules` is an alternative appended to every group. Returns
 * `null` for a non-object (null, array, string, no argument).
 */
export function toSubscriptionFilter(object?: unknown, ignoredFields?: unknown, rules?: unknown): SubscriptionFilter | null {
  if (!isPlainObject(object)) return null;
  const ignored = new Set(Array.isArray(ignoredFields) ? ignoredFields.filter((f): f is string => typeof f === 'string') : []);
  let groups = expand(object, ignored);
  if (isPlainObject(rules)) {
    const ruleFilters: Filter[] = [];
    for (const [fieldName, condition] of Object.entries(rules)) {
      if (ignored.has(fieldName) || !isPlainObject(condition)) continue;
      const [first] = Object.entries(condition);
      if (first) ruleFilters.push({ fieldName, operator: first[0], value: first[1] });
    }
    if (ruleFilters.length > 0) groups = groups.flatMap((group) => ruleFilters.map((rule) => [...group, rule]));
  }
  return { filterGroup: groups.filter((filters) => filters.length > 0).map((filters) => ({ filters })) };
}
