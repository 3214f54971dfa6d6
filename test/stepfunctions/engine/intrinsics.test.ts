import { describe, expect, it } from 'vitest';
import { checkIntrinsic, evaluateIntrinsic, isIntrinsic } from '../../../src/stepfunctions/engine/intrinsics.js';
import type { PathScope } from '../../../src/stepfunctions/engine/jsonpath.js';
import { StatesError, type ContextObject } from '../../../src/stepfunctions/engine/types.js';

const context = {
  Execution: { Id: 'arn:ex', Input: {}, Name: 'ex', RoleArn: 'r', StartTime: 't', RedriveCount: 0 },
  StateMachine: { Id: 'arn:sm', Name: 'sm' },
  State: { Name: 'S', EnteredTime: 't', RetryCount: 0 },
} satisfies ContextObject;
const scope: PathScope = { context, variables: { greeting: 'hi' } };
const ev = (expr: string, data: unknown = {}) => evaluateIntrinsic(expr, data, scope);

function failure(expr: string, data: unknown = {}): StatesError {
  try {
    ev(expr, data);
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error('expected a StatesError');
}

// Examples from the Step Functions developer guide, "Intrinsic functions for JSONPath states".
describe('intrinsic functions (developer guide examples)', () => {
  it('isIntrinsic', () => {
    expect(isIntrinsic("States.Format('x')")).toBe(true);
    expect(isIntrinsic('$.x')).toBe(false);
  });
  it('States.Format', () => {
    expect(ev("States.Format('Hello, my name is {}.', $.name)", { name: 'Arnav' })).toBe('Hello, my name is Arnav.');
    expect(ev("States.Format('Welcome to {} {}\\'s playlist.', $.firstName, $.lastName)", { firstName: 'John', lastName: 'Doe' })).toBe(
      "Welcome to John Doe's playlist.",
    );
    expect(ev("States.Format('\\{{}\\}', 1)")).toBe('{1}');
    expect(ev("States.Format('{} {} {}', true, null, 1.5)")).toBe('true null 1.5');
    expect(ev("States.Format('{}', $greeting)")).toBe('hi');
  });
  it('States.StringToJson / JsonToString', () => {
    expect(ev('States.StringToJson($.escapedJsonString)', { escapedJsonString: '{"foo": "bar"}' })).toEqual({ foo: 'bar' });
    // AWS: an empty string parses to null instead of failing with States.IntrinsicFailure.
    expect(ev('States.StringToJson($.FunctionInput)', { FunctionInput: '' })).toBeNull();
    expect(ev('States.JsonToString($.unescapedJson)', { unescapedJson: { foo: 'bar' } })).toBe('{"foo":"bar"}');
  });
  it('States.Array', () => {
    expect(ev("States.Array('Foo', 2020, $.someJson, null)", { someJson: { random: 'abcdefg' } })).toEqual(['Foo', 2020, { random: 'abcdefg' }, null]);
  });
  it('States.ArrayPartition', () => {
    expect(ev('States.ArrayPartition($.inputArray, 4)', { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9]]);
  });
  it('States.ArrayContains', () => {
    expect(ev('States.ArrayContains($.inputArray, $.lookingFor)', { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], lookingFor: 5 })).toBe(true);
    expect(ev('States.ArrayContains($.a, $.b)', { a: [{ x: 1 }], b: { x: 1 } })).toBe(true);
  });
  it('States.ArrayRange', () => {
    expect(ev('States.ArrayRange(1, 9, 2)')).toEqual([1, 3, 5, 7, 9]);
    expect(ev('States.ArrayRange(5, 1, -2)')).toEqual([5, 3, 1]);
    expect(ev('States.ArrayRange(0, 10, 3)')).toEqual([0, 3, 6, 9]);
    expect(ev('States.ArrayRange(1, 9, 9)')).toEqual([1]);
    expect(failure('States.ArrayRange(1, 2000, 1)').error).toBe('States.IntrinsicFailure');
  });
  it('States.ArrayGetItem / ArrayLength / ArrayUnique', () => {
    expect(ev('States.ArrayGetItem($.inputArray, $.index)', { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9], index: 5 })).toBe(6);
    expect(ev('States.ArrayLength($.inputArray)', { inputArray: [1, 2, 3, 4, 5, 6, 7, 8, 9] })).toBe(9);
    expect(ev('States.ArrayUnique($.inputArray)', { inputArray: [1, 2, 3, 3, 3, 3, 3, 3, 4] })).toEqual([1, 2, 3, 4]);
  });
  it('States.Base64Encode / Base64Decode', () => {
    expect(ev('States.Base64Encode($.input)', { input: 'Data to encode' })).toBe('RGF0YSB0byBlbmNvZGU=');
    expect(ev('States.Base64Decode($.base64)', { base64: 'RGVjb2RlZCBkYXRh' })).toBe('Decoded data');
    expect(failure('States.Base64Encode($.s)', { s: 'x'.repeat(10_001) }).error).toBe('States.IntrinsicFailure');
  });
  it('States.Hash', () => {
    expect(ev('States.Hash($.Data, $.Algorithm)', { Data: 'input data', Algorithm: 'SHA-1' })).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(ev("States.Hash('input data', 'MD5')")).toHaveLength(32);
    expect(ev("States.Hash('input data', 'SHA-512')")).toHaveLength(128);
    expect(failure("States.Hash('x', 'SHA-999')").error).toBe('States.IntrinsicFailure');
  });
  it('States.JsonMerge', () => {
    expect(ev('States.JsonMerge($.json1, $.json2, false)', { json1: { a: { a1: 1, a2: 2 }, b: 2 }, json2: { a: { a3: 1, a4: 2 }, c: 3 } })).toEqual({
      a: { a3: 1, a4: 2 },
      b: 2,
      c: 3,
    });
    expect(failure('States.JsonMerge($.a, $.a, true)', { a: {} }).error).toBe('States.IntrinsicFailure');
  });
  it('States.MathRandom / MathAdd', () => {
    const r = ev('States.MathRandom($.start, $.end)', { start: 1, end: 999 }) as number;
    expect(Number.isInteger(r) && r >= 1 && r < 999).toBe(true);
    expect(ev('States.MathRandom(1, 999, 1234)')).toBe(ev('States.MathRandom(1, 999, 1234)'));
    expect(ev('States.MathAdd($.value1, $.step)', { value1: 111, step: -1 })).toBe(110);
    // Recorded AWS behaviour (LocalStack snapshots): non-integers are rounded like Java's Math.round.
    expect(ev('States.MathAdd(1.49, 1.5)')).toBe(3);
    expect(ev('States.MathAdd(1.5, 1.51)')).toBe(4);
    expect(ev('States.MathAdd(-1.49, -1.5)')).toBe(-2);
    expect(ev('States.MathAdd(-1.5, -1.51)')).toBe(-3);
    const r2 = ev('States.MathRandom(12.5, 44.51)') as number;
    expect(Number.isInteger(r2) && r2 >= 13 && r2 < 45).toBe(true);
  });
  it('States.StringSplit', () => {
    expect(ev('States.StringSplit($.inputString, $.splitter)', { inputString: '1,2,3,4,5', splitter: ',' })).toEqual(['1', '2', '3', '4', '5']);
    expect(ev('States.StringSplit($.inputString, $.splitter)', { inputString: 'This.is+a,test=string', splitter: '.+,=' })).toEqual([
      'This',
      'is',
      'a',
      'test',
      'string',
    ]);
  });
  it('States.UUID', () => {
    expect(ev('States.UUID()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  it('nested calls', () => {
    expect(ev("States.ArrayLength(States.StringSplit('a b c', ' '))")).toBe(3);
    expect(ev("States.Format('{}', States.MathAdd(1, 2))")).toBe('3');
  });
  it('a missing path argument is States.Runtime naming the function and the path', () => {
    let err: unknown;
    try {
      evaluateIntrinsic('States.Format($.nope)', { a: 1 }, scope, 'msg.$');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StatesError);
    expect((err as StatesError).error).toBe('States.Runtime');
    expect((err as StatesError).cause).toBe(
      `The function 'States.Format($.nope)' had the following error: The JsonPath argument for the field '$.nope' could not be found in the input '{"a":1}'`,
    );
  });
  it('wrong argument types are States.IntrinsicFailure', () => {
    expect(failure('States.ArrayLength($.s)', { s: 'x' }).error).toBe('States.IntrinsicFailure');
    expect(failure('States.ArrayGetItem(States.Array(1), 3)').error).toBe('States.IntrinsicFailure');
    expect(failure("States.Format('{} {}', 1)").error).toBe('States.IntrinsicFailure');
    expect(failure("States.Format('{}', $.o)", { o: { a: 1 } }).error).toBe('States.IntrinsicFailure');
    expect(failure("States.StringToJson('{bad')").error).toBe('States.IntrinsicFailure');
    expect(failure("States.Base64Decode('%%%')").error).toBe('States.IntrinsicFailure');
    expect(failure('States.ArrayLength(1, 2)').error).toBe('States.IntrinsicFailure');
    expect(failure('States.JsonMerge($.a, $.a, true)', { a: {} }).cause).toMatch(
      /^The function 'States\.JsonMerge\(\$\.a, \$\.a, true\)' had the following error: /,
    );
  });
  it('string literal escapes', () => {
    expect(ev("States.Format('it\\'s {}', 'ok')")).toBe("it's ok");
    expect(ev("States.Array('a,b', 'c)d')")).toEqual(['a,b', 'c)d']);
    expect(ev("States.Array($['a b'], $.c[0])", { 'a b': 1, c: [2] })).toEqual([1, 2]);
  });
  it('checkIntrinsic reports syntax and arity', () => {
    expect(checkIntrinsic("States.Format('x')")).toBeUndefined();
    expect(checkIntrinsic('States.Nope(1)')).toMatch(/Nope/);
    expect(checkIntrinsic('States.ArrayLength(1, 2)')).toMatch(/ArrayLength/);
    expect(checkIntrinsic("States.Format('x'")).toBeDefined();
  });
});
