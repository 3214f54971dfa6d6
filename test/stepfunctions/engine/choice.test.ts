import { describe, expect, it } from 'vitest';
import { chooseNext, parseTimestamp, stringMatches } from '../../../src/stepfunctions/engine/choice.js';
import type { PathScope } from '../../../src/stepfunctions/engine/jsonpath.js';
import { StatesError, type ContextObject } from '../../../src/stepfunctions/engine/types.js';

const context = {
  Execution: { Id: 'arn:ex', Input: {}, Name: 'ex', RoleArn: 'r', StartTime: 't', RedriveCount: 0 },
  StateMachine: { Id: 'arn:sm', Name: 'sm' },
  State: { Name: 'S', EnteredTime: 't', RetryCount: 0 },
} satisfies ContextObject;
const scope: PathScope = { context, variables: { limit: 10 } };

const input = {
  s: 'hello',
  t: 'b',
  n: 5,
  m: 7,
  f: true,
  nil: null,
  ts: '2016-03-14T01:59:00Z',
  ts2: '2016-03-14T02:59:00+01:00',
  later: '2016-03-15T00:00:00.123456Z',
  file: 'log-2024.txt',
};

async function matches(rule: Record<string, unknown>, data: unknown = input): Promise<boolean> {
  const out = await chooseNext({ Choices: [{ ...rule, Next: 'Yes' }], Default: 'No' }, data, scope, 'JSONPath');
  return out.next === 'Yes';
}

// One case per comparison operator of the "Choice Rules" section of the ASL spec.
const cases: [string, Record<string, unknown>, boolean][] = [
  ['StringEquals', { Variable: '$.s', StringEquals: 'hello' }, true],
  ['StringEquals on a number is false', { Variable: '$.n', StringEquals: '5' }, false],
  ['StringEqualsPath', { Variable: '$.s', StringEqualsPath: '$.s' }, true],
  ['StringLessThan', { Variable: '$.s', StringLessThan: 'z' }, true],
  ['StringLessThanPath', { Variable: '$.t', StringLessThanPath: '$.s' }, true],
  ['StringGreaterThan', { Variable: '$.s', StringGreaterThan: 'a' }, true],
  ['StringGreaterThanPath', { Variable: '$.t', StringGreaterThanPath: '$.s' }, false],
  ['StringLessThanEquals', { Variable: '$.s', StringLessThanEquals: 'hello' }, true],
  ['StringLessThanEqualsPath', { Variable: '$.s', StringLessThanEqualsPath: '$.t' }, false],
  ['StringGreaterThanEquals', { Variable: '$.s', StringGreaterThanEquals: 'hello' }, true],
  ['StringGreaterThanEqualsPath', { Variable: '$.s', StringGreaterThanEqualsPath: '$.t' }, true],
  ['StringMatches with *', { Variable: '$.file', StringMatches: 'log-*.txt' }, true],
  ['StringMatches no match', { Variable: '$.file', StringMatches: '*.csv' }, false],
  ['NumericEquals', { Variable: '$.n', NumericEquals: 5 }, true],
  ['NumericEquals on a string is false', { Variable: '$.s', NumericEquals: 5 }, false],
  ['NumericEqualsPath', { Variable: '$.n', NumericEqualsPath: '$.m' }, false],
  ['NumericLessThan', { Variable: '$.n', NumericLessThan: 6 }, true],
  ['NumericLessThanPath', { Variable: '$.n', NumericLessThanPath: '$.m' }, true],
  ['NumericLessThanPath with a variable', { Variable: '$.n', NumericLessThanPath: '$limit' }, true],
  ['NumericGreaterThan', { Variable: '$.n', NumericGreaterThan: 5 }, false],
  ['NumericGreaterThanPath', { Variable: '$.m', NumericGreaterThanPath: '$.n' }, true],
  ['NumericLessThanEquals', { Variable: '$.n', NumericLessThanEquals: 5 }, true],
  ['NumericLessThanEqualsPath', { Variable: '$.m', NumericLessThanEqualsPath: '$.n' }, false],
  ['NumericGreaterThanEquals', { Variable: '$.n', NumericGreaterThanEquals: 5 }, true],
  ['NumericGreaterThanEqualsPath', { Variable: '$.n', NumericGreaterThanEqualsPath: '$.m' }, false],
  ['BooleanEquals', { Variable: '$.f', BooleanEquals: true }, true],
  ['BooleanEqualsPath', { Variable: '$.f', BooleanEqualsPath: '$.f' }, true],
  ['TimestampEquals across offsets', { Variable: '$.ts', TimestampEquals: '2016-03-14T02:59:00+01:00' }, true],
  ['TimestampEqualsPath', { Variable: '$.ts', TimestampEqualsPath: '$.ts2' }, true],
  ['TimestampLessThan', { Variable: '$.ts', TimestampLessThan: '2016-03-14T02:00:00Z' }, true],
  ['TimestampLessThanPath', { Variable: '$.ts', TimestampLessThanPath: '$.later' }, true],
  ['TimestampGreaterThan', { Variable: '$.later', TimestampGreaterThan: '2016-03-15T00:00:00.123455Z' }, true],
  ['TimestampGreaterThanPath', { Variable: '$.ts', TimestampGreaterThanPath: '$.later' }, false],
  ['TimestampLessThanEquals', { Variable: '$.ts', TimestampLessThanEquals: '2016-03-14T01:59:00Z' }, true],
  ['TimestampLessThanEqualsPath', { Variable: '$.later', TimestampLessThanEqualsPath: '$.ts' }, false],
  ['TimestampGreaterThanEquals', { Variable: '$.ts', TimestampGreaterThanEquals: '2016-03-14T01:59:00Z' }, true],
  ['TimestampGreaterThanEqualsPath', { Variable: '$.ts', TimestampGreaterThanEqualsPath: '$.ts2' }, true],
  ['Timestamp on an invalid timestamp is false', { Variable: '$.s', TimestampEquals: '2016-03-14T01:59:00Z' }, false],
  ['IsNull', { Variable: '$.nil', IsNull: true }, true],
  ['IsNull false', { Variable: '$.s', IsNull: false }, true],
  ['IsPresent', { Variable: '$.s', IsPresent: true }, true],
  ['IsPresent on a missing field', { Variable: '$.missing', IsPresent: false }, true],
  ['IsNumeric', { Variable: '$.n', IsNumeric: true }, true],
  ['IsString', { Variable: '$.n', IsString: true }, false],
  ['IsBoolean', { Variable: '$.f', IsBoolean: true }, true],
  ['IsTimestamp', { Variable: '$.ts', IsTimestamp: true }, true],
  ['IsTimestamp on a plain string', { Variable: '$.s', IsTimestamp: false }, true],
  [
    'And',
    {
      And: [
        { Variable: '$.n', NumericGreaterThanEquals: 1 },
        { Variable: '$.n', NumericLessThan: 10 },
      ],
    },
    true,
  ],
  [
    'Or',
    {
      Or: [
        { Variable: '$.n', NumericEquals: 1 },
        { Variable: '$.s', StringEquals: 'hello' },
      ],
    },
    true,
  ],
  ['Not', { Not: { Variable: '$.s', StringEquals: 'hello' } }, false],
  [
    'nested And/Or/Not',
    {
      And: [
        { Not: { Variable: '$.f', BooleanEquals: false } },
        {
          Or: [
            { Variable: '$.n', NumericEquals: 0 },
            { Variable: '$.m', NumericEquals: 7 },
          ],
        },
      ],
    },
    true,
  ],
  ['context object Variable', { Variable: '$$.Execution.Name', StringEquals: 'ex' }, true],
  ['variable Variable', { Variable: '$limit', NumericEquals: 10 }, true],
];

describe('chooseNext (JSONPath)', () => {
  for (const [name, rule, expected] of cases) {
    it(name, async () => {
      expect(await matches(rule)).toBe(expected);
    });
  }

  it('the first matching rule wins and returns its Assign', async () => {
    const out = await chooseNext(
      {
        Choices: [
          { Variable: '$.n', NumericEquals: 1, Next: 'A' },
          { Variable: '$.n', NumericEquals: 5, Next: 'B', Assign: { x: 1 } },
        ],
        Default: 'C',
      },
      input,
      scope,
      'JSONPath',
    );
    expect(out).toEqual({ next: 'B', assign: { x: 1 } });
  });

  it("a missing Variable is States.Runtime with AWS's cause", async () => {
    const err = await chooseNext({ Choices: [{ Variable: '$.missing', NumericEquals: 1, Next: 'A' }], Default: 'B' }, input, scope, 'JSONPath').catch((e) => e);
    expect(err).toBeInstanceOf(StatesError);
    expect(err.error).toBe('States.Runtime');
    expect(err.cause).toBe("Invalid path '$.missing': The choice state's condition path references an invalid value.");
  });

  it('no match and no Default is States.NoChoiceMatched', async () => {
    const err = await chooseNext({ Choices: [{ Variable: '$.n', NumericEquals: 1, Next: 'A' }] }, input, scope, 'JSONPath').catch((e) => e);
    expect(err.error).toBe('States.NoChoiceMatched');
  });
});

describe('chooseNext (JSONata)', () => {
  it("evaluates Condition and returns the rule's Output and Assign", async () => {
    const state = {
      Choices: [
        { Condition: '{% $states.input.n > 10 %}', Next: 'Big' },
        { Condition: '{% $states.input.n > 1 and $limit = 10 %}', Next: 'Mid', Output: '{% $states.input.n %}', Assign: { seen: true } },
      ],
      Default: 'Small',
    };
    expect(await chooseNext(state, input, scope, 'JSONata')).toEqual({ next: 'Mid', output: '{% $states.input.n %}', assign: { seen: true } });
    expect(await chooseNext(state, { n: 0 }, scope, 'JSONata')).toEqual({ next: 'Small' });
  });
  it('a non-boolean Condition is States.QueryEvaluationError', async () => {
    const err = await chooseNext({ Choices: [{ Condition: '{% $states.input.s %}', Next: 'A' }] }, input, scope, 'JSONata').catch((e) => e);
    expect(err.error).toBe('States.QueryEvaluationError');
    expect(err.cause).toBe(
      `The JSONata expression '$states.input.s' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was 'string' for value: "hello"`,
    );
  });
});

describe('helpers', () => {
  it('stringMatches escapes', () => {
    expect(stringMatches('a*b', 'a\\*b')).toBe(true);
    expect(stringMatches('axb', 'a\\*b')).toBe(false);
    expect(stringMatches('a\\b', 'a\\\\b')).toBe(true);
    expect(stringMatches('', '*')).toBe(true);
    expect(stringMatches('x.y', 'x.y')).toBe(true);
    expect(stringMatches('xzy', 'x.y')).toBe(false);
  });
  it('parseTimestamp accepts RFC 3339 with uppercase T/Z only', () => {
    expect(parseTimestamp('2016-03-14T01:59:00Z')).toBeDefined();
    expect(parseTimestamp('2016-03-14T01:59:00.5-07:00')).toBeDefined();
    expect(parseTimestamp('2016-03-14t01:59:00z')).toBeUndefined();
    expect(parseTimestamp('2016-02-30T01:59:00Z')).toBeUndefined();
    expect(parseTimestamp('2016-03-14')).toBeUndefined();
  });
});
