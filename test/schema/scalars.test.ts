/** AWS scalar accept/reject table (docs/scalars.md#examples), through graphql-js parsing. */
import { describe, expect, it } from 'vitest';
import { createAwsScalars } from '../../src/schema/scalars.js';

const scalars = createAwsScalars();

const table: Record<string, { accept: unknown[]; reject: unknown[] }> = {
  AWSDate: {
    accept: ['1970-01-01', '1970-01-01Z', '1970-01-01-07:00', '1970-01-01+05:30', '2021-01-01-05:30:12', '-2017-05-01'],
    reject: ['2021-01-1', '2021-02-30', '1970-01-01T00:00Z', '2021-01-01+0530'],
  },
  AWSTime: {
    accept: ['12:30', '12:30Z', '12:30:24-07:00', '12:30:24.500+05:30', '12:00:00.123456789', '12:00:34.'],
    reject: ['12:30.500', '12:00:00.1234567890', '1:30', '24:00'],
  },
  AWSDateTime: {
    accept: ['1930-01-01T16:00:00-07:00', '1970-01-01T12:00:00.2Z', '-9999-01-01T00:00Z', '2020-01-01T00:00+00:00', '2023-11-30T11:04:03+08:00:30'],
    reject: ['2023-11-30T11:04:03+0800', '2019', '2020-05-19T11:5:29.000Z', '2020-01-01T00:00:00', '2020-01-01 00:00Z'],
  },
  AWSTimestamp: { accept: [-123123, 0, 1517943695], reject: ['1517943695', 1.5, 9007199254740992] },
  AWSEmail: { accept: ['example@example.com', 'username@example.com', 'a.b+c@sub.example.org'], reject: ['example.com', 'a@', '@b.c', 'a b@c.d'] },
  AWSJSON: {
    accept: ['{"a":1, "b":3, "string": 234}', '[1,2,3]', '"AWSJSON example string"', '1', 'true'],
    reject: ['{a: 1}', "{'a': 1}", 'Unquoted string', { upvotes: 10 }],
  },
  AWSPhone: { accept: ['+1 555 764 4377', '206-555-0100', '+44 20 7946 0958'], reject: ['1110004444', 'abc', '+'] },
  AWSURL: {
    accept: ['https://www.amazon.com/dp/B000NZW3KC/', 'mailto:example@example.com', 'https://amazon.com', 'http://localhost/'],
    reject: ['amazon.com', 'www.amazon.com', 'https://example.com/a//b'],
  },
  AWSIPAddress: { accept: ['123.12.34.56', '1a2b:3c4b::1234:4567', '123.45.67.89/16', '127.0.0.1/8'], reject: ['[::1]', '999.1.1.1', '1.0.0', '10.0.0.1/33'] },
};

describe.each(Object.entries(table))('%s (scalars.md §4)', (name, { accept, reject }) => {
  const scalar = scalars[name as keyof typeof scalars];
  it.each(accept.map((v) => [JSON.stringify(v), v]))('accepts %s', (_label, value) => {
    expect(() => scalar.parseValue(value)).not.toThrow();
  });
  it.each(reject.map((v) => [JSON.stringify(v), v]))('rejects %s', (_label, value) => {
    expect(() => scalar.parseValue(value)).toThrow(/Unable to parse/);
  });
});

describe('output (scalars.md §3)', () => {
  it('AWSJSON sends objects as JSON text and strings as they are', () => {
    expect(scalars.AWSJSON.serialize({ a: [1] })).toBe('{"a":[1]}');
    expect(scalars.AWSJSON.serialize('{"a":1}')).toBe('{"a":1}');
  });
  it('AWSJSON input arrives parsed', () => {
    expect(scalars.AWSJSON.parseValue('{"a":[1,{"b":null}]}')).toEqual({ a: [1, { b: null }] });
  });
  it('AWSDateTime returns the string unchanged', () => {
    expect(scalars.AWSDateTime.serialize('2023-11-30T11:04:03+08:00:30')).toBe('2023-11-30T11:04:03+08:00:30');
  });
  it('a bad output names the noun', () => {
    expect(() => scalars.AWSDateTime.serialize('2020-05-23T06:4:37.000Z')).toThrow('Unable to serialize `2020-05-23T06:4:37.000Z` as a valid DateTime Object.');
  });
});
