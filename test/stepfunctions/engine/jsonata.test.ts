import { describe, expect, it } from 'vitest';
import { checkJsonata, evaluateJsonataTemplate, type JsonataScope } from '../../../src/stepfunctions/engine/jsonata.js';
import { StatesError, type ContextObject } from '../../../src/stepfunctions/engine/types.js';

const context = {
  Execution: { Id: 'arn:ex', Input: {}, Name: 'ex', RoleArn: 'r', StartTime: '2026-01-01T00:00:00Z', RedriveCount: 0 },
  StateMachine: { Id: 'arn:sm', Name: 'sm' },
  State: { Name: 'S', EnteredTime: 't', RetryCount: 0 },
} satisfies ContextObject;

const scope = (over: Partial<JsonataScope> = {}): JsonataScope => ({
  input: { a: { b: 1 }, items: [1, 2, 3], e: [] },
  context,
  variables: { total: 10, user: { name: 'Ann' } },
  ...over,
});

async function failure(template: unknown, field: string, s = scope()): Promise<StatesError> {
  try {
    await evaluateJsonataTemplate(template, s, field);
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error('expected a StatesError');
}

describe('evaluateJsonataTemplate', () => {
  it('evaluates {% %} strings anywhere, leaves other strings literal', async () => {
    const out = await evaluateJsonataTemplate(
      { x: '{% $states.input.a.b + 1 %}', lit: 'plain {% not whole', list: ['{% $count($states.input.items) %}', 'y'], n: 5 },
      scope(),
      'Output',
    );
    expect(out).toEqual({ x: 2, lit: 'plain {% not whole', list: [3, 'y'], n: 5 });
  });
  it('binds variables, $states.context, result and errorOutput', async () => {
    const s = scope({ result: { r: 1 }, errorOutput: { Error: 'E' } });
    expect(await evaluateJsonataTemplate('{% $total * 2 %}', s, 'Output')).toBe(20);
    expect(await evaluateJsonataTemplate('{% $user.name %}', s, 'Output')).toBe('Ann');
    expect(await evaluateJsonataTemplate('{% $states.context.Execution.Name %}', s, 'Output')).toBe('ex');
    expect(await evaluateJsonataTemplate('{% $states.result.r %}', s, 'Output')).toBe(1);
    expect(await evaluateJsonataTemplate('{% $states.errorOutput.Error %}', s, 'Output')).toBe('E');
    expect(await evaluateJsonataTemplate('{% $states.input.items %}', s, 'Output')).toEqual([1, 2, 3]);
    expect(await evaluateJsonataTemplate('{% $states.input.e %}', s, 'Output')).toEqual([]);
    expect(await evaluateJsonataTemplate('{% $states.input.items[$ > 1] %}', s, 'Output')).toEqual([2, 3]);
  });
  it("undefined results fail with AWS's cause naming the nested field", async () => {
    const e = await failure({ Input: { pushLocation: '{% $states.input.pushLocation %}' } }, 'Arguments');
    expect(e.error).toBe('States.QueryEvaluationError');
    expect(e.cause).toBe(
      "The JSONata expression '$states.input.pushLocation' specified for the field 'Arguments/Input/pushLocation' returned nothing (undefined).",
    );
    expect((await failure(['{% $nope %}'], 'Output')).cause).toBe(
      "The JSONata expression '$nope' specified for the field 'Output[0]' returned nothing (undefined).",
    );
  });
  it('evaluation errors carry the JSONata code and message', async () => {
    const e = await failure('{% 1 + "a" %}', 'Output');
    expect(e.cause).toBe(
      `The JSONata expression '1 + "a"' specified for the field 'Output' threw an error during evaluation. T2002: The right side of the "+" operator must evaluate to a number`,
    );
    expect((await failure("{% $range('0',4,1) %}", 'Output')).cause).toBe(
      `The JSONata expression '$range('0',4,1)' specified for the field 'Output' threw an error during evaluation. T0410: Argument 1 of function "range" does not match function signature`,
    );
  });
  it("AWS's extra functions", async () => {
    const ev = (e: string) => evaluateJsonataTemplate(`{% ${e} %}`, scope(), 'Output');
    expect(await ev('$partition([1,2,3,4], 2)')).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(await ev('$range(0, 10, 2)')).toEqual([0, 2, 4, 6, 8, 10]);
    expect(await ev("$hash('input data', 'SHA-1')")).toBe('aaff4a450a104cd177d28d18d74485e8cae074b7');
    expect(await ev('$random(7)')).toBe(await ev('$random(7)'));
    expect(await ev('$uuid()')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await ev(`$parse('{"a":[1]}')`)).toEqual({ a: [1] });
  });
  it('checkJsonata reports syntax errors', () => {
    expect(checkJsonata('$foo(')).toMatch(/^S0203/);
    expect(checkJsonata('$states.input')).toBeUndefined();
  });
});
