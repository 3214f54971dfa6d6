import { describe, expect, it } from 'vitest';
import { invalidDefinitionMessage, validateDefinition, type Diagnostic } from '../../../src/stepfunctions/engine/validate.js';

const codes = (ds: Diagnostic[]) => ds.map((d) => `${d.code} ${d.location}`);
const machine = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ StartAt: Object.keys(states)[0], States: states, ...extra });

describe('validateDefinition', () => {
  it('accepts a valid machine with every state type', () => {
    const def = machine({
      P: { Type: 'Pass', Parameters: { 'a.$': '$.x', 'b.$': "States.Format('{}', $.y)" }, ResultPath: '$.r', Next: 'T' },
      T: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Next: 'C',
        Retry: [
          { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' },
          { ErrorEquals: ['States.ALL'] },
        ],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'F', ResultPath: '$.error' }],
      },
      C: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.n', NumericGreaterThan: 1, Next: 'W' },
          { And: [{ Variable: '$.s', IsPresent: true }, { Not: { Variable: '$.s', StringEquals: 'x' } }], Next: 'Par' },
        ],
        Default: 'S',
      },
      W: { Type: 'Wait', Seconds: 1, Next: 'Par' },
      Par: { Type: 'Parallel', Branches: [machine({ B1: { Type: 'Pass', End: true } })], Next: 'M' },
      M: { Type: 'Map', ItemsPath: '$.items', ItemProcessor: machine({ I1: { Type: 'Pass', End: true } }), MaxConcurrency: 2, Next: 'S' },
      S: { Type: 'Succeed' },
      F: { Type: 'Fail', Error: 'E', Cause: 'c' },
    });
    const r = validateDefinition(JSON.stringify(def));
    expect(r.diagnostics).toEqual([]);
    expect(r.definition).toEqual(def);
  });

  it('accepts a JSONata machine', () => {
    const def = machine(
      {
        A: { Type: 'Pass', Output: { v: '{% $states.input.x + 1 %}' }, Assign: { total: '{% 1 %}' }, Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Condition: '{% $total > 0 %}', Next: 'T' }], Default: 'T' },
        T: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { Payload: '{% $states.input %}' }, End: true },
      },
      { QueryLanguage: 'JSONata' },
    );
    expect(validateDefinition(def).diagnostics).toEqual([]);
  });

  it('JSON parse errors are INVALID_JSON_DESCRIPTION', () => {
    const r = validateDefinition('{"StartAt": ');
    expect(r.definition).toBeUndefined();
    expect(r.diagnostics[0]!.code).toBe('INVALID_JSON_DESCRIPTION');
    expect(invalidDefinitionMessage(r.diagnostics)).toMatch(/^Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: .+'$/);
  });

  it('missing StartAt / States', () => {
    expect(codes(validateDefinition({}).diagnostics)).toEqual(['SCHEMA_VALIDATION_FAILED /']);
    expect(validateDefinition({}).diagnostics[0]!.message).toBe('These fields are required: [StartAt, States]');
  });

  it('unknown state Type and missing Type', () => {
    const r = validateDefinition(machine({ A: { Type: 'Nope', End: true }, B: { End: true } }));
    expect(codes(r.diagnostics)).toContain('SCHEMA_VALIDATION_FAILED /States/A/Type');
    expect(r.diagnostics.find((d) => d.location === '/States/B')!.message).toBe('These fields are required: [Type]');
  });

  it("a dangling Next is MISSING_TRANSITION_TARGET with AWS's message", () => {
    const r = validateDefinition(machine({ Validate: { Type: 'Pass', Next: 'Transform' }, Trasform: { Type: 'Pass', End: true } }));
    expect(r.diagnostics).toContainEqual({
      severity: 'ERROR',
      code: 'MISSING_TRANSITION_TARGET',
      message: "Missing 'Next' target: Transform",
      location: '/States/Validate/Next',
    });
    expect(r.diagnostics).toContainEqual({
      severity: 'ERROR',
      code: 'MISSING_TRANSITION_TARGET',
      message: 'State "Trasform" is not reachable.',
      location: '/States/Trasform',
    });
    expect(invalidDefinitionMessage(r.diagnostics)).toBe(
      `Invalid State Machine Definition: 'MISSING_TRANSITION_TARGET: Missing 'Next' target: Transform at /States/Validate/Next, MISSING_TRANSITION_TARGET: State "Trasform" is not reachable. at /States/Trasform'`,
    );
  });

  it('StartAt naming no state', () => {
    expect(codes(validateDefinition({ StartAt: 'X', States: { A: { Type: 'Succeed' } } }).diagnostics)).toEqual([
      'MISSING_TRANSITION_TARGET /StartAt',
      'MISSING_TRANSITION_TARGET /States/A',
    ]);
  });

  it('missing End/Next, and no terminal state', () => {
    const r = validateDefinition(machine({ A: { Type: 'Pass' } }));
    expect(codes(r.diagnostics)).toEqual(['SCHEMA_VALIDATION_FAILED /States/A', 'MISSING_END_STATE ']);
    expect(invalidDefinitionMessage(r.diagnostics)).toContain('MISSING_END_STATE: Workflow has no terminal state at null');
  });

  it('fields of the other query language', () => {
    const r = validateDefinition(machine({ A: { Type: 'Pass', Parameters: {}, End: true } }, { QueryLanguage: 'JSONata' }));
    expect(r.diagnostics).toEqual([
      {
        severity: 'ERROR',
        code: 'SCHEMA_VALIDATION_FAILED',
        message: "The QueryLanguage is set to 'JSONata', but field 'Parameters' is only supported for the 'JSONPath' QueryLanguage",
        location: '/States/A',
      },
    ]);
    const r2 = validateDefinition(machine({ A: { Type: 'Pass', Output: {}, End: true } }));
    expect(r2.diagnostics[0]!.message).toBe("The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage");
    const r3 = validateDefinition(machine({ A: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } }, { QueryLanguage: 'JSONata' }));
    expect(r3.diagnostics[0]!.message).toBe("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine");
  });

  it('fields not allowed for the state type', () => {
    const r = validateDefinition(machine({ A: { Type: 'Pass', TimeoutSeconds: 3, Foo: 1, End: true } }));
    expect(codes(r.diagnostics)).toEqual(['SCHEMA_VALIDATION_FAILED /States/A/TimeoutSeconds', 'SCHEMA_VALIDATION_FAILED /States/A/Foo']);
    expect(r.diagnostics[0]!.message).toBe("Field 'TimeoutSeconds' is not supported");
  });

  it('Choice without Choices, rule without Next, bad operator operand', () => {
    expect(codes(validateDefinition(machine({ C: { Type: 'Choice', Default: 'S' }, S: { Type: 'Succeed' } })).diagnostics)).toEqual([
      'SCHEMA_VALIDATION_FAILED /States/C',
    ]);
    const r = validateDefinition(
      machine({ C: { Type: 'Choice', Choices: [{ Variable: '$.x', NumericEquals: 'one' }], Default: 'S' }, S: { Type: 'Succeed' } }),
    );
    expect(codes(r.diagnostics)).toEqual(['SCHEMA_VALIDATION_FAILED /States/C/Choices[0]', 'SCHEMA_VALIDATION_FAILED /States/C/Choices[0]/NumericEquals']);
  });

  it('Retry and Catch shapes', () => {
    const r = validateDefinition(
      machine({
        T: {
          Type: 'Task',
          Resource: 'arn:aws:lambda:us-east-1:123456789012:function:f',
          Retry: [{ ErrorEquals: ['States.ALL', 'X'], BackoffRate: 0.5 }],
          Catch: [{ ErrorEquals: ['States.ALL'] }],
          End: true,
        },
      }),
    );
    expect(codes(r.diagnostics)).toEqual([
      'SCHEMA_VALIDATION_FAILED /States/T/Retry[0]/ErrorEquals',
      'SCHEMA_VALIDATION_FAILED /States/T/Retry[0]/BackoffRate',
      'SCHEMA_VALIDATION_FAILED /States/T/Catch[0]',
    ]);
  });

  it('Map without ItemProcessor, Parallel without Branches, Task without Resource', () => {
    const r = validateDefinition(machine({ M: { Type: 'Map', Next: 'P' }, P: { Type: 'Parallel', Next: 'T' }, T: { Type: 'Task', End: true } }));
    expect(r.diagnostics.map((d) => `${d.location} ${d.message}`)).toEqual([
      '/States/M These fields are required: [ItemProcessor]',
      '/States/P These fields are required: [Branches]',
      '/States/T These fields are required: [Resource]',
    ]);
  });

  it('invalid JSONPath and intrinsic syntax', () => {
    const r = validateDefinition(
      machine({ A: { Type: 'Pass', InputPath: 'foo', ResultPath: '$.a[*]', Parameters: { 'x.$': "States.Format('{}'", 'y.$': 'States.Nope(1)' }, End: true } }),
    );
    expect(r.diagnostics.map((d) => `${d.location} ${d.message}`)).toEqual([
      "/States/A/InputPath The value for the field 'InputPath' must be a valid JSONPath",
      "/States/A/ResultPath The value for the field 'ResultPath' must be a valid ReferencePath",
      "/States/A/Parameters The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call",
      "/States/A/Parameters The value for the field 'y.$' must be a valid JSONPath or a valid intrinsic function call",
    ]);
  });

  it('invalid JSONata', () => {
    const r = validateDefinition(machine({ A: { Type: 'Pass', Output: { v: '{% $foo( %}' }, End: true } }, { QueryLanguage: 'JSONata' }));
    expect(codes(r.diagnostics)).toEqual(['INVALID_JSONATA_EXPRESSION /States/A/Output/v']);
  });

  it('validates nested branches and processors with their locations', () => {
    const r = validateDefinition(
      machine({
        Par: { Type: 'Parallel', Branches: [machine({ X: { Type: 'Pass', Next: 'Nowhere' } })], Next: 'M' },
        M: { Type: 'Map', ItemProcessor: machine({ Y: { Type: 'Pass', End: true }, Z: { Type: 'Pass', End: true } }), End: true },
      }),
    );
    expect(codes(r.diagnostics)).toEqual([
      'MISSING_TRANSITION_TARGET /States/Par/Branches[0]/States/X/Next',
      'MISSING_TRANSITION_TARGET /States/M/ItemProcessor/States/Z',
    ]);
  });

  it('state names are unique across the whole machine', () => {
    const r = validateDefinition(machine({ A: { Type: 'Parallel', Branches: [machine({ A: { Type: 'Pass', End: true } })], End: true } }));
    expect(codes(r.diagnostics)).toEqual(['DUPLICATE_STATE_NAME /States/A/Branches[0]/States/A']);
  });

  it("a Wait of more than 99999999 Seconds (AWS's documented range) is refused; 30 days is accepted", () => {
    expect(validateDefinition(machine({ W: { Type: 'Wait', Seconds: 2_592_000, End: true } })).diagnostics).toEqual([]);
    for (const seconds of [100_000_000, 3_153_600_000, 1e20]) {
      const r = validateDefinition(machine({ W: { Type: 'Wait', Seconds: seconds, End: true } }));
      expect(codes(r.diagnostics)).toEqual(['SCHEMA_VALIDATION_FAILED /States/W/Seconds']);
      expect(r.diagnostics[0]!.message).toBe('Expected value of type [INTEGER] less than or equal to 99999999');
    }
  });
});
