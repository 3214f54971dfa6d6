/** The pure `util` helpers, case by case from docs/resolvers.md#util-in-detail. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createUtilHelpers } from '../../../src/resolvers/guest/util/index.js';

const util = createUtilHelpers({ randomHex: (n) => randomBytes(n).toString('hex'), log: () => {} });
const T = 1517943695758; // 2018-02-06T19:01:35.758Z

describe('util.time (§5 util.time)', () => {
  it.each([
    ['epochMilliSecondsToSeconds', () => util.time.epochMilliSecondsToSeconds(T), 1517943695],
    ['epochMilliSecondsToISO8601', () => util.time.epochMilliSecondsToISO8601(T), '2018-02-06T19:01:35.758Z'],
    ['epochMilliSecondsToFormatted UTC', () => util.time.epochMilliSecondsToFormatted(T, 'yyyy-MM-dd HH:mm:ssZ'), '2018-02-06 19:01:35+0000'],
    ['epochMilliSecondsToFormatted +08:00', () => util.time.epochMilliSecondsToFormatted(T, 'yyyy-MM-dd HH:mm:ssZ', '+08:00'), '2018-02-07 03:01:35+0800'],
    [
      'epochMilliSecondsToFormatted Australia/Perth',
      () => util.time.epochMilliSecondsToFormatted(T, 'yyyy-MM-dd HH:mm:ssZ', 'Australia/Perth'),
      '2018-02-07 03:01:35+0800',
    ],
    [
      'parseFormattedToEpochMilliSeconds with offset in text',
      () => util.time.parseFormattedToEpochMilliSeconds('2018-02-02 01:19:22+0800', 'yyyy-MM-dd HH:mm:ssZ'),
      1517505562000,
    ],
    [
      'parseFormattedToEpochMilliSeconds with zone argument',
      () => util.time.parseFormattedToEpochMilliSeconds('2018-02-02 01:19:22', 'yyyy-MM-dd HH:mm:ss', '+08:00'),
      1517505562000,
    ],
    ['parseISO8601ToEpochMilliSeconds', () => util.time.parseISO8601ToEpochMilliSeconds('2018-02-01T17:21:05.180+08:00'), 1517476865180],
    [
      'optional offset section',
      () => util.time.epochMilliSecondsToFormatted(Date.UTC(2018, 6, 11, 22, 14, 45), 'yyyy-MM-dd[XXX]', '-07:00:30'),
      '2018-07-11-07:00',
    ],
    [
      'XXXXX with seconds',
      () => util.time.epochMilliSecondsToFormatted(Date.UTC(2018, 6, 11, 22, 15, 15), "yyyy-MM-dd'T'HH:mm:ss[XXXXX]", '-07:00:30'),
      '2018-07-11T15:14:45-07:00:30',
    ],
    ['month and day names', () => util.time.epochMilliSecondsToFormatted(T, 'EEE, d MMM yyyy h:mm a'), 'Tue, 6 Feb 2018 7:01 PM'],
  ])('%s', (_name, run, expected) => {
    expect(run()).toBe(expected);
  });

  it('now* agree with the clock', () => {
    expect(Math.abs(util.time.nowEpochMilliSeconds() - Date.now())).toBeLessThan(1000);
    expect(util.time.nowISO8601()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(util.time.nowFormatted('yyyy')).toBe(String(new Date().getUTCFullYear()));
  });
});

describe('util.transform.toDynamoDBFilterExpression (§5, Observed renderings)', () => {
  const render = (f: unknown) => JSON.parse(util.transform.toDynamoDBFilterExpression(f as never) as string);
  it.each([
    [{ v: { eq: 'x' } }, '(#v = :v_eq)', { ':v_eq': { S: 'x' } }],
    [{ v: { ne: 1 } }, '(#v <> :v_ne)', { ':v_ne': { N: 1 } }],
    [{ v: { contains: 'a' } }, '(contains(#v,:v_contains))', { ':v_contains': { S: 'a' } }],
    [{ v: { notContains: 'a' } }, '(NOT contains(#v,:v_notContains))', { ':v_notContains': { S: 'a' } }],
    [{ v: { beginsWith: 'a' } }, '(begins_with(#v,:v_beginsWith))', { ':v_beginsWith': { S: 'a' } }],
    [{ v: { between: [1, 5, 9] } }, '(#v BETWEEN :v_between_start AND :v_between_end)', { ':v_between_start': { N: 1 }, ':v_between_end': { N: 5 } }],
    [{ v: { in: ['a', 'b'] } }, '(#v IN (:v_in_0, :v_in_1))', { ':v_in_0': { S: 'a' }, ':v_in_1': { S: 'b' } }],
    [{ v: { attributeExists: true } }, '(attribute_exists(#v))', {}],
    [{ v: { attributeExists: false } }, '(attribute_not_exists(#v))', {}],
    [{ v: { attributeType: 'string' } }, '(attribute_type(#v,:v_attributeType))', { ':v_attributeType': { S: 'S' } }],
    [{ v: { size: { gt: 2 } } }, '(size(#v) > :v_size_gt)', { ':v_size_gt': { N: 2 } }],
    [{ a: { eq: 1 }, b: { eq: 2 } }, '(#a = :a_eq) AND (#b = :b_eq)', { ':a_eq': { N: 1 }, ':b_eq': { N: 2 } }],
    [{ v: { ge: 1, le: 5 } }, '((#v >= :v_ge) AND (#v <= :v_le))', { ':v_ge': { N: 1 }, ':v_le': { N: 5 } }],
    [{ or: [{ a: { eq: 1 } }, { b: { eq: true } }] }, '((#a = :or_0_a_eq) OR (#b = :or_1_b_eq))', { ':or_0_a_eq': { N: 1 }, ':or_1_b_eq': { BOOL: true } }],
    [{ and: [{ a: { eq: null } }] }, '(#a = :and_0_a_eq)', { ':and_0_a_eq': { NULL: null } }],
    [{ not: { a: { eq: 'x' } } }, '(NOT (#a = :not_a_eq))', { ':not_a_eq': { S: 'x' } }],
    [{}, '', {}],
  ])('%j → %s', (filter, expression, values) => {
    const out = render(filter);
    expect(out.expression).toBe(expression);
    expect(out.expressionValues).toEqual(values);
  });

  it.each([
    [null],
    [[1]],
    ['x'],
    [{ v: { like: 1 } }],
    [{ v: 3 }],
    [{ and: {} }],
    [{ not: [] }],
    [{ v: { between: [1] } }],
    [{ v: { attributeExists: 'yes' } }],
    [{ v: { attributeType: 'date' } }],
  ])('unrenderable %j → null', (filter) => {
    expect(util.transform.toDynamoDBFilterExpression(filter as never)).toBeNull();
  });

  it('the condition variant renders the same way', () => {
    expect(util.transform.toDynamoDBConditionExpression({ id: { attributeExists: false } } as never)).toBe(
      JSON.stringify({ expression: '(attribute_not_exists(#id))', expressionNames: { '#id': 'id' }, expressionValues: {} }),
    );
  });
});

describe('util.dynamodb (§5 util.dynamodb)', () => {
  it('converts values, with N as numbers and no sets from toDynamoDB', () => {
    expect(util.dynamodb.toDynamoDB({ s: 'x', n: 1, b: true, z: null, l: [1, 'a'], m: { k: 2 } })).toEqual({
      M: { s: { S: 'x' }, n: { N: 1 }, b: { BOOL: true }, z: { NULL: null }, l: { L: [{ N: 1 }, { S: 'a' }] }, m: { M: { k: { N: 2 } } } },
    });
    expect(util.dynamodb.toMapValues({ id: '1', n: 2 })).toEqual({ id: { S: '1' }, n: { N: 2 } });
    expect(util.dynamodb.toStringSet(['a', 'b'])).toEqual({ SS: ['a', 'b'] });
    expect(util.dynamodb.toNumberSet([1, 2])).toEqual({ NS: [1, 2] });
    expect(util.dynamodb.toString(null as never)).toBeNull();
    expect(util.dynamodb.toS3Object('k', 'b', 'r')).toEqual({ S: '{"s3":{"key":"k","bucket":"b","region":"r"}}' });
    expect(util.dynamodb.fromS3ObjectJson('{"s3":{"key":"k","bucket":"b","region":"r","version":"v"}}')).toEqual({
      key: 'k',
      bucket: 'b',
      region: 'r',
      version: 'v',
    });
  });
});

describe('encoding, ids, matches, xml, http (§5)', () => {
  it('base64 and url round-trip UTF-8', () => {
    expect(util.base64Encode('héllo ✓')).toBe(Buffer.from('héllo ✓').toString('base64'));
    expect(util.base64Decode(Buffer.from('héllo ✓').toString('base64'))).toBe('héllo ✓');
    expect(util.urlEncode('a b&c=é')).toBe('a+b%26c%3D%C3%A9');
    expect(util.urlDecode('a+b%26c%3D%C3%A9')).toBe('a b&c=é');
    expect(util.escapeJavaScript(`it's "x"\n`)).toBe(`it\\'s \\"x\\"\\n`);
  });

  it('ids have AppSync formats', () => {
    expect(util.autoId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const a = util.autoUlid();
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(util.autoKsuid()).toMatch(/^[0-9A-Za-z]{27}$/);
  });

  it.each([
    ['a*b', 'aaaaab', true],
    ['a*b', 'aaaaabc', false],
    ['\\p{Alpha}+', 'abcXYZ', true],
    ['(?i)hello', 'HeLLo', true],
    ['\\Qa.b\\E', 'a.b', true],
    ['\\Qa.b\\E', 'axb', false],
    ['[a-z]++x', 'abcx', true],
  ])('matches(%s, %s) = %s (Java Pattern.matches)', (pattern, value, expected) => {
    expect(util.matches(pattern, value)).toBe(expected);
  });

  it('xml.toMap lists repeated siblings and types numbers', () => {
    const xml = '<?xml version="1.0"?><posts><post><id>1</id><title>A &amp; B</title></post><post><id>2</id><title>C</title></post></posts>';
    expect(util.xml.toMap(xml)).toEqual({
      posts: {
        post: [
          { id: 1, title: 'A & B' },
          { id: 2, title: 'C' },
        ],
      },
    });
    expect(JSON.parse(util.xml.toJsonString('<a x="1">t</a>'))).toEqual({ a: { x: 1, content: 't' } });
    expect(util.xml.toJsonString('<a>1</a>', true)).toBe(JSON.stringify('{"a":1}'));
    expect(util.xml.toMap('<a><b></a>')).toBeNull();
  });

  it('http.copyHeaders drops hop-by-hop headers', () => {
    expect(util.http.copyHeaders({ host: 'h', connection: 'c', 'x-a': '1', 'content-length': '3' })).toEqual({ 'x-a': '1' });
  });

  it('str: toUpper, toLower, toReplace (every occurrence), normalize', () => {
    expect([util.str.toUpper('abc'), util.str.toLower('AbC'), util.str.toReplace('a-b-c', '-', '+'), util.str.normalize('e\u0301', 'nfc')]).toEqual([
      'ABC',
      'abc',
      'a+b+c',
      '\u00e9',
    ]);
  });

  it("transform.toElasticsearchQueryDSL nests as AWS's example output does (transformation-helpers-in-utils-transform-js)", () => {
    const dsl = util.transform.toElasticsearchQueryDSL({ upvotes: { ne: 15, range: [10, 20] }, title: { eq: 'hihihi', wildcard: 'h*i' } });
    expect(JSON.parse(dsl!)).toEqual({
      bool: {
        must: [
          { bool: { must: [{ bool: { must_not: { term: { upvotes: 15 } } } }, { range: { upvotes: { gte: 10, lte: 20 } } }] } },
          { bool: { must: [{ term: { title: 'hihihi' } }, { wildcard: { title: 'h*i' } }] } },
        ],
      },
    });
    expect(JSON.parse(util.transform.toElasticsearchQueryDSL({ or: [{ a: { eq: 1 } }, { not: { b: { exists: true } } }] })!)).toEqual({
      bool: {
        must: [
          {
            bool: {
              should: [
                { bool: { must: [{ bool: { must: [{ term: { a: 1 } }] } }] } },
                { bool: { must: [{ bool: { must_not: { bool: { must: [{ bool: { must: [{ exists: { field: 'b' } }] } }] } } } }] } },
              ],
              minimum_should_match: 1,
            },
          },
        ],
      },
    });
    expect(util.transform.toElasticsearchQueryDSL({ a: { near: 1 } })).toBeNull();
  });
});
