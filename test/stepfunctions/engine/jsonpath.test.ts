import { describe, expect, it } from 'vitest';
import { applyPayloadTemplate, applyResultPath, filterPath, selectPath, stateCause, type PathScope } from '../../../src/stepfunctions/engine/jsonpath.js';
import { StatesError, type ContextObject } from '../../../src/stepfunctions/engine/types.js';

const context: ContextObject = {
  Execution: {
    Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:ex',
    Input: { a: 1 },
    Name: 'ex',
    RoleArn: 'arn:aws:iam::123456789012:role/r',
    StartTime: '2026-01-01T00:00:00.000Z',
    RedriveCount: 0,
  },
  StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', Name: 'sm' },
  State: { Name: 'S', EnteredTime: '2026-01-01T00:00:00.000Z', RetryCount: 0 },
};
const scope: PathScope = { context, variables: { myVar: { x: [1, 2, 3] }, count: 4 } };

function thrown(fn: () => unknown): StatesError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error('expected a StatesError');
}

// ASL spec "Paths" examples and the Step Functions developer guide's InputPath/Parameters pages.
const store = {
  store: {
    book: [
      { category: 'reference', author: 'Nigel Rees', title: 'Sayings of the Century', price: 8.95 },
      { category: 'fiction', author: 'Evelyn Waugh', title: 'Sword of Honour', price: 12.99 },
      { category: 'fiction', author: 'J. R. R. Tolkien', title: 'The Lord of the Rings', isbn: '0-395-19395-8', price: 22.99 },
    ],
    bicycle: { color: 'red', price: 19.95 },
  },
};

describe('selectPath', () => {
  const cases: { path: string; expected: unknown }[] = [
    { path: '$', expected: store },
    { path: '$.store.bicycle.color', expected: 'red' },
    { path: "$['store']['bicycle']['color']", expected: 'red' },
    { path: '$.store.book[0].author', expected: 'Nigel Rees' },
    { path: '$.store.book[-1].price', expected: 22.99 },
    { path: '$.store.book[*].author', expected: ['Nigel Rees', 'Evelyn Waugh', 'J. R. R. Tolkien'] },
    { path: '$..author', expected: ['Nigel Rees', 'Evelyn Waugh', 'J. R. R. Tolkien'] },
    { path: '$.store.book[0:2].price', expected: [8.95, 12.99] },
    { path: '$.store.book[1:].price', expected: [12.99, 22.99] },
    { path: '$.store.book[-2:].price', expected: [12.99, 22.99] },
    { path: '$.store.book[:1].price', expected: [8.95] },
    { path: '$.store.book[0,2].price', expected: [8.95, 22.99] },
    { path: '$.store.book[?(@.price < 10)].title', expected: ['Sayings of the Century'] },
    { path: '$.store.book[?(@.isbn)].title', expected: ['The Lord of the Rings'] },
    { path: "$.store.book[?(@.category == 'fiction' && @.price > 20)].author", expected: ['J. R. R. Tolkien'] },
    { path: '$.store.book[?(@.author =~ /.*Waugh/)].price', expected: [12.99] },
    { path: '$..book[?(@.price > 12 || @.price < 9)].price', expected: [8.95, 12.99, 22.99] },
    { path: '$.store.bicycle.*', expected: ['red', 19.95] },
    { path: '$.store.book[7]', expected: null },
  ];
  for (const c of cases) {
    it(`${c.path}`, () => {
      expect(selectPath(c.path, store, scope, 'InputPath')).toEqual(c.expected);
    });
  }

  it('reads the context object with $$', () => {
    expect(selectPath('$$.Execution.Id', {}, scope, 'p.$')).toBe(context.Execution.Id);
    expect(selectPath('$$.State.Name', {}, scope, 'p.$')).toBe('S');
    expect(selectPath('$$', {}, scope, 'p.$')).toBe(context);
  });

  it('reads variables with $name', () => {
    expect(selectPath('$myVar.x[1]', {}, scope, 'p.$')).toBe(2);
    expect(selectPath('$count', {}, scope, 'p.$')).toBe(4);
  });

  it('a missing path in InputPath/OutputPath/ErrorPath is States.Runtime naming the field and the input', () => {
    const e = thrown(() => selectPath('$.foo', { a: 1 }, scope, 'InputPath'));
    expect(e.error).toBe('States.Runtime');
    expect(e.cause).toBe(`The JSONPath '$.foo' specified for the field 'InputPath' could not be found in the input '{"a":1}'`);
    expect(thrown(() => selectPath('$.a.b[0]', { a: { b: 'x' } }, scope, 'OutputPath')).cause).toBe(
      `The JSONPath '$.a.b[0]' specified for the field 'OutputPath' could not be found in the input '{"a":{"b":"x"}}'`,
    );
    // localstack/localstack#11951 quotes AWS for a Fail state's ErrorPath.
    expect(thrown(() => selectPath('$.ErrorX', { Error: 'error-value', Cause: 'cause-value' }, scope, 'ErrorPath')).cause).toBe(
      `The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{"Error":"error-value","Cause":"cause-value"}'`,
    );
  });

  it('a missing ItemsPath is States.ReferencePathConflict naming the step', () => {
    const e = thrown(() => selectPath('$.discovery.objects', { discovery: { statusCode: 500 } }, scope, 'ItemsPath'));
    expect(e.error).toBe('States.ReferencePathConflict');
    expect(e.cause).toBe('Unable to apply step "objects" to input {"discovery":{"statusCode":500}}');
    expect(thrown(() => selectPath('$.chunks', { bucket: 'b' }, scope, 'ItemsPath')).cause).toBe('Unable to apply step "chunks" to input {"bucket":"b"}');
  });

  it('an indefinite path that selects nothing gives []', () => {
    expect(selectPath('$[*].type', {}, scope, 'types.$')).toEqual([]);
    expect(selectPath('$.items[*]', {}, scope, 'types.$')).toEqual([]);
  });

  it('a missing path in a template field names the field and the input', () => {
    const e = thrown(() => selectPath('$.application.address', { flagged: false }, scope, 'address.$'));
    expect(e.cause).toBe(`The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{"flagged":false}'`);
    expect(stateCause('Check Address', 7, e.cause)).toBe(
      `An error occurred while executing the state 'Check Address' (entered at the event id #7). The JSONPath '$.application.address' specified for the field 'address.$' could not be found in the input '{"flagged":false}'`,
    );
  });
});

describe('filterPath', () => {
  it('undefined keeps the data, null gives {}, a path selects', () => {
    expect(filterPath(undefined, { a: 1 }, scope, 'InputPath')).toEqual({ a: 1 });
    expect(filterPath(null, { a: 1 }, scope, 'InputPath')).toEqual({});
    expect(filterPath('$.a', { a: 1 }, scope, 'InputPath')).toBe(1);
  });
});

describe('applyPayloadTemplate', () => {
  it('the ASL spec Parameters example', () => {
    const template = { flagged: true, parts: { 'first.$': '$.vals[0]', 'last3.$': '$.vals[3:]' } };
    expect(applyPayloadTemplate(template, { flagged: 7, vals: [0, 10, 20, 30, 40, 50] }, scope, 'Parameters')).toEqual({
      flagged: true,
      parts: { first: 0, last3: [30, 40, 50] },
    });
  });
  it('context, variables, intrinsics and arrays', () => {
    const template = { 'id.$': '$$.Execution.Name', 'v.$': '$myVar.x', 'msg.$': "States.Format('n={}', $.n)", list: [{ 'x.$': '$.n' }, 2] };
    expect(applyPayloadTemplate(template, { n: 3 }, scope, 'Parameters')).toEqual({ id: 'ex', v: [1, 2, 3], msg: 'n=3', list: [{ x: 3 }, 2] });
  });
});

describe('applyResultPath', () => {
  it('absent or $ replaces, null discards, a reference path merges', () => {
    expect(applyResultPath({ a: 1 }, 5, undefined)).toBe(5);
    expect(applyResultPath({ a: 1 }, 5, '$')).toBe(5);
    expect(applyResultPath({ a: 1 }, 5, null)).toEqual({ a: 1 });
    // ResultPath example of the developer guide: the result lands at $.taskresult.
    expect(applyResultPath({ comment: 'x', details: 'y' }, 'Hello, AWS Step Functions!', '$.taskresult')).toEqual({
      comment: 'x',
      details: 'y',
      taskresult: 'Hello, AWS Step Functions!',
    });
    expect(applyResultPath({ a: { b: 1 } }, 2, '$.a.c.d')).toEqual({ a: { b: 1, c: { d: 2 } } });
  });
  it('a ResultPath that cannot be applied is States.ReferencePathConflict', () => {
    const e = thrown(() => applyResultPath([1, 2], { r: 1 }, '$.aggregatedResult'));
    expect(e.error).toBe('States.ReferencePathConflict');
    expect(e.cause).toBe('Unable to apply step "aggregatedResult" to input [1,2]');
    expect(thrown(() => applyResultPath({ a: 5 }, 1, '$.a.b')).cause).toBe('Unable to apply step "b" to input {"a":5}');
  });
  it('does not mutate the input', () => {
    const input = { a: { b: 1 } };
    applyResultPath(input, 2, '$.a.b');
    expect(input).toEqual({ a: { b: 1 } });
  });
});
