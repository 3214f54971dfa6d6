import { describe, expect, it } from 'vitest';
import { toSubscriptionFilter } from '../../src/realtime/toSubscriptionFilter.js';

const f = (fieldName: string, operator: string, value: unknown) => ({ fieldName, operator, value });
const groups = (...gs: unknown[][]) => ({ filterGroup: gs.map((filters) => ({ filters })) });

describe('util.transform.toSubscriptionFilter (realtime.md §5 table)', () => {
  it('fields are ANDed in one group', () => {
    expect(toSubscriptionFilter({ a: { eq: 1 }, b: { eq: 2 } })).toEqual(groups([f('a', 'eq', 1), f('b', 'eq', 2)]));
  });
  it('`and` members are appended to the same group', () => {
    expect(toSubscriptionFilter({ and: [{ a: { eq: 1 } }, { b: { gt: 2 } }] })).toEqual(groups([f('a', 'eq', 1), f('b', 'gt', 2)]));
  });
  it('two operators on one field are ORed (two groups)', () => {
    expect(toSubscriptionFilter({ a: { eq: 1, ne: 2 } })).toEqual(groups([f('a', 'eq', 1)], [f('a', 'ne', 2)]));
  });
  it('`or` gives one group per member, crossed with the rest', () => {
    expect(toSubscriptionFilter({ x: { eq: 0 }, or: [{ a: { eq: 1 } }, { b: { eq: 2 } }] })).toEqual(
      groups([f('x', 'eq', 0), f('a', 'eq', 1)], [f('x', 'eq', 0), f('b', 'eq', 2)]),
    );
  });
  it('the AWS example yields 4 groups = 2 operators × 2 or-members, each with both and-filters', () => {
    const result = toSubscriptionFilter({
      percentageUp: { lte: 50, gte: 20 },
      and: [{ title: { ne: 'Book1' } }, { downvotes: { gt: 2000 } }],
      or: [{ author: { eq: 'Admin' } }, { isPublished: { eq: false } }],
    });
    expect(result!.filterGroup).toHaveLength(4);
    for (const group of result!.filterGroup) {
      expect(group.filters).toContainEqual(f('title', 'ne', 'Book1'));
      expect(group.filters).toContainEqual(f('downvotes', 'gt', 2000));
      expect(group.filters).toHaveLength(4);
    }
    expect(result!.filterGroup[0]!.filters).toEqual([
      f('percentageUp', 'lte', 50),
      f('title', 'ne', 'Book1'),
      f('downvotes', 'gt', 2000),
      f('author', 'eq', 'Admin'),
    ]);
  });
  it('ignoredFields are dropped everywhere, including inside and/or', () => {
    expect(toSubscriptionFilter({ a: { eq: 1 }, secret: { eq: 2 }, and: [{ secret: { ne: 3 } }], or: [{ secret: { eq: 4 } }] }, ['secret'])).toEqual(
      groups([f('a', 'eq', 1)]),
    );
  });
  it('each rule is an alternative appended to every group', () => {
    expect(toSubscriptionFilter({ a: { eq: 1 } }, [], { r1: { eq: 'x' }, r2: { gt: 5 } })).toEqual(
      groups([f('a', 'eq', 1), f('r1', 'eq', 'x')], [f('a', 'eq', 1), f('r2', 'gt', 5)]),
    );
  });
  it('with an empty first object, one group per rule', () => {
    expect(toSubscriptionFilter({}, [], { r1: { eq: 'x' }, r2: { gt: 5 } })).toEqual(groups([f('r1', 'eq', 'x')], [f('r2', 'gt', 5)]));
  });
  it.each([[{}], [{ a: {} }], [{ and: [] }]])('%j → { filterGroup: [] }', (input) => {
    expect(toSubscriptionFilter(input)).toEqual({ filterGroup: [] });
  });
  it.each([[null], [[{ a: { eq: 1 } }]], ['{"a":{"eq":1}}'], [undefined]])('%j → null', (input) => {
    expect(toSubscriptionFilter(input)).toBeNull();
  });
  it('operators are copied verbatim (lte/gte, unknown ones) and `not` is not special', () => {
    expect(toSubscriptionFilter({ a: { lte: 1, weird: 2 } })).toEqual(groups([f('a', 'lte', 1)], [f('a', 'weird', 2)]));
    expect(toSubscriptionFilter({ not: { a: { eq: 1 } } })).toEqual(groups([f('not', 'a', { eq: 1 })]));
  });
  it('a nested object is not descended', () => {
    expect(toSubscriptionFilter({ loc: { country: { eq: 'PT' } } })).toEqual(groups([f('loc', 'country', { eq: 'PT' })]));
  });
});
