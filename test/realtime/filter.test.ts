import { describe, expect, it } from 'vitest';
import { matchesArguments, matchesCondition, matchesFilter, matchesInvalidation, validateFilter } from '../../src/realtime/filter.js';

const one = (fieldName: string, operator: string, value?: unknown) => ({ filterGroup: [{ filters: [{ fieldName, operator, value }] }] });

describe('argument filtering (realtime.md §4)', () => {
  const post = { id: '1', author: 'ana', title: 'T', owner: null, count: 3 };
  const cases: Array<{ name: string; args: Record<string, unknown>; expected: boolean }> = [
    { name: 'no arguments match everything', args: {}, expected: true },
    { name: 'equal argument', args: { author: 'ana' }, expected: true },
    { name: 'different argument', args: { author: 'bob' }, expected: false },
    { name: 'all present arguments must match (AND)', args: { author: 'ana', id: '2' }, expected: false },
    { name: 'both match', args: { author: 'ana', id: '1' }, expected: true },
    { name: 'omitted (undefined) argument imposes nothing', args: { author: undefined }, expected: true },
    { name: 'explicit null matches a null field', args: { owner: null }, expected: true },
    { name: 'explicit null does not match a set field', args: { author: null }, expected: false },
    { name: 'explicit null matches an absent field', args: { missing: null }, expected: true },
    { name: 'non-null argument for an absent field', args: { missing: 'x' }, expected: false },
    { name: 'ID argument compares as string', args: { count: '3' }, expected: true },
  ];
  for (const c of cases) {
    it(c.name, () => expect(matchesArguments(c.args, post)).toBe(c.expected));
  }
});

describe('enhanced filter operators (realtime.md §5)', () => {
  const cases: Array<[string, unknown, string, unknown, boolean]> = [
    ['eq number', 5, 'eq', 5, true],
    ['eq string mismatch', 'a', 'eq', 'b', false],
    ['eq boolean', true, 'eq', true, true],
    ['eq on absent field', undefined, 'eq', 1, false],
    ['ne', 5, 'ne', 6, true],
    ['ne equal', 5, 'ne', 5, false],
    ['ne on absent field', undefined, 'ne', 5, true],
    ['le', 5, 'le', 5, true],
    ['le greater', 6, 'le', 5, false],
    ['lt', 4, 'lt', 5, true],
    ['lt equal', 5, 'lt', 5, false],
    ['ge', 5, 'ge', 5, true],
    ['gt', 6, 'gt', 5, true],
    ['gt string', 'b', 'gt', 'a', true],
    ['gt mixed types', '6', 'gt', 5, false],
    ['lte alias', 5, 'lte', 5, true],
    ['gte alias', 4, 'gte', 5, false],
    ['contains substring', 'hello world', 'contains', 'lo w', true],
    ['contains missing substring', 'hello', 'contains', 'x', false],
    ['contains array element', ['a', 'b'], 'contains', 'b', true],
    ['contains number in array', [1, 2], 'contains', 2, true],
    ['notContains', 'hello', 'notContains', 'x', true],
    ['notContains present', ['a'], 'notContains', 'a', false],
    ['beginsWith', 'prefix-rest', 'beginsWith', 'prefix', true],
    ['beginsWith no', 'rest', 'beginsWith', 'prefix', false],
    ['in', 'b', 'in', ['a', 'b'], true],
    ['in no', 'c', 'in', ['a', 'b'], false],
    ['notIn', 'c', 'notIn', ['a', 'b'], true],
    ['notIn no', 'a', 'notIn', ['a', 'b'], false],
    ['between inclusive low', 10, 'between', [10, 20], true],
    ['between inclusive high', 20, 'between', [10, 20], true],
    ['between outside', 21, 'between', [10, 20], false],
    ['between strings', 'b', 'between', ['a', 'c'], true],
    ['containsAny', ['x', 'y'], 'containsAny', ['y', 'z'], true],
    ['containsAny none', ['x'], 'containsAny', ['y', 'z'], false],
    ['containsAny on non-array', 'y', 'containsAny', ['y'], false],
    ['attributeExists true', null, 'attributeExists', true, true],
    ['attributeExists true absent', undefined, 'attributeExists', true, false],
    ['attributeExists false absent', undefined, 'attributeExists', false, true],
    ['attributeExists false present', 1, 'attributeExists', false, false],
    ['unknown operator never matches', 1, 'near', 1, false],
  ];
  for (const [name, actual, operator, value, expected] of cases) {
    it(`${name}: ${JSON.stringify(actual)} ${operator} ${JSON.stringify(value)} → ${expected}`, () => {
      expect(matchesCondition(actual, operator, value)).toBe(expected);
    });
  }
});

describe('filter groups (realtime.md §5: groups OR, filters AND, dotted paths)', () => {
  const ticket = { severity: 7, priority: 'high', group: 'ops', loc: { addr: { country: 'PT' } } };
  it('ANDs the filters of one group', () => {
    const filter = {
      filterGroup: [
        {
          filters: [
            { fieldName: 'severity', operator: 'ge', value: 7 },
            { fieldName: 'priority', operator: 'eq', value: 'low' },
          ],
        },
      ],
    };
    expect(matchesFilter(filter, ticket)).toBe(false);
  });
  it('ORs the groups', () => {
    const filter = {
      filterGroup: [
        { filters: [{ fieldName: 'priority', operator: 'eq', value: 'low' }] },
        {
          filters: [
            { fieldName: 'severity', operator: 'gt', value: 5 },
            { fieldName: 'group', operator: 'in', value: ['ops', 'dev'] },
          ],
        },
      ],
    };
    expect(matchesFilter(filter, ticket)).toBe(true);
  });
  it('reads nested fields by dotted path', () => {
    expect(matchesFilter(one('loc.addr.country', 'eq', 'PT'), ticket)).toBe(true);
    expect(matchesFilter(one('loc.addr.country', 'eq', 'ES'), ticket)).toBe(false);
    expect(matchesFilter(one('loc.zip.code', 'attributeExists', false), ticket)).toBe(true);
  });
  it('an empty filterGroup imposes nothing (Gateway choice)', () => {
    expect(matchesFilter({ filterGroup: [] }, ticket)).toBe(true);
  });
});

describe('invalidation filter (realtime.md §6)', () => {
  it('matches when the filter holds for the invalidation payload', () => {
    expect(matchesInvalidation(one('groupId', 'eq', 'g1'), { groupId: 'g1' })).toBe(true);
    expect(matchesInvalidation(one('groupId', 'eq', 'g1'), { groupId: 'g2' })).toBe(false);
  });
  it('never invalidates a subscription without an invalidation filter', () => {
    expect(matchesInvalidation(undefined, { groupId: 'g1' })).toBe(false);
  });
});

describe('validateFilter limits (realtime.md §5)', () => {
  const filters = (n: number) => Array.from({ length: n }, (_, i) => ({ fieldName: `f${i}`, operator: 'eq', value: i }));
  const cases: Array<{ name: string; filter: unknown; reason: string | null }> = [
    { name: 'a valid filter', filter: one('a', 'eq', 1), reason: null },
    { name: '10 groups', filter: { filterGroup: Array.from({ length: 10 }, () => ({ filters: filters(1) })) }, reason: null },
    {
      name: '11 groups',
      filter: { filterGroup: Array.from({ length: 11 }, () => ({ filters: filters(1) })) },
      reason: 'subscription filter has 11 filter groups; at most 10 are allowed',
    },
    { name: '5 filters', filter: { filterGroup: [{ filters: filters(5) }] }, reason: null },
    { name: '6 filters', filter: { filterGroup: [{ filters: filters(6) }] }, reason: 'filterGroup[0] has 6 filters; at most 5 are allowed per group' },
    { name: 'in with 5 values', filter: one('a', 'in', [1, 2, 3, 4, 5]), reason: null },
    {
      name: 'in with 6 values',
      filter: one('a', 'in', [1, 2, 3, 4, 5, 6]),
      reason: "filterGroup[0].filters[0].value for 'in' has 6 values; at most 5 are allowed",
    },
    { name: 'notIn not an array', filter: one('a', 'notIn', 1), reason: "filterGroup[0].filters[0].value for 'notIn' expects an array, got number" },
    {
      name: 'containsAny with 20 values',
      filter: one(
        'a',
        'containsAny',
        Array.from({ length: 20 }, (_, i) => i),
      ),
      reason: null,
    },
    {
      name: 'containsAny with 21 values',
      filter: one(
        'a',
        'containsAny',
        Array.from({ length: 21 }, (_, i) => i),
      ),
      reason: "filterGroup[0].filters[0].value for 'containsAny' has 21 values; at most 20 are allowed",
    },
    {
      name: 'between with one value',
      filter: one('a', 'between', [1]),
      reason: "filterGroup[0].filters[0].value for 'between' expects [low, high], got array",
    },
    { name: 'fieldName of 257 chars', filter: one('a'.repeat(257), 'eq', 1), reason: 'filterGroup[0].filters[0].fieldName is longer than 256 characters' },
    { name: '5 levels', filter: one('a.b.c.d.e', 'eq', 1), reason: null },
    { name: '6 levels', filter: one('a.b.c.d.e.f', 'eq', 1), reason: "filterGroup[0].filters[0].fieldName 'a.b.c.d.e.f' nests deeper than 5 levels" },
    { name: 'unknown operator', filter: one('a', 'near', 1), reason: "filterGroup[0].filters[0].operator 'near' is not a supported filter operator" },
    { name: 'missing filterGroup', filter: {}, reason: "subscription filter expects 'filterGroup' to be an array, got undefined" },
    {
      name: 'attributeExists needs a boolean',
      filter: one('a', 'attributeExists', 'yes'),
      reason: "filterGroup[0].filters[0].value for 'attributeExists' expects a boolean, got string",
    },
  ];
  for (const c of cases) {
    it(c.name, () => expect(validateFilter(c.filter)).toBe(c.reason));
  }
});
