/**
 * Input and output processing shared by the state runners, in both query languages.
 *
 * JSONPath: InputPath → Parameters → (work) → ResultSelector → ResultPath → OutputPath, with
 * `Assign` evaluated on the state's raw result (before ResultSelector), or on the effective
 * input for states without a result.
 * JSONata: `Arguments` / `Output` / `Assign` evaluated with `$states.input`, `$states.result`,
 * `$states.errorOutput` and `$states.context`; Output and Assign both see the variables as they
 * were when the state was entered (AWS: new values take effect from the next state).
 */
import { applyPayloadTemplate, applyResultPath, filterPath } from '../jsonpath.js';
import { evaluateJsonataTemplate, type JsonataScope } from '../jsonata.js';
import type { Catcher } from '../retry.js';
import { errorOutput, pathScope, type StateCall, type StepResult } from './frame.js';
import type { StatesError } from '../types.js';

/** JSONPath effective input: `InputPath` applied. */
export function effectiveInput(call: StateCall): unknown {
  return filterPath(call.state.InputPath as string | null | undefined, call.input, pathScope(call), 'InputPath');
}

/** JSONPath: `Parameters` (or another template field) applied to the effective input. */
export function parametersOf(call: StateCall, effective: unknown, field = 'Parameters'): unknown {
  const template = call.state[field];
  return template === undefined ? effective : applyPayloadTemplate(template, effective, pathScope(call), field);
}

/** The JSONata scope of a state. */
export function jsonataScope(call: StateCall, extra?: { result?: unknown; errorOutput?: unknown }): JsonataScope {
  const scope: JsonataScope = { input: call.input, context: call.context, variables: call.frame.variables };
  if (extra) {
    if ('result' in extra) scope.result = extra.result;
    if ('errorOutput' in extra) scope.errorOutput = extra.errorOutput;
  }
  return scope;
}

/** The step result of a state with a result (Pass, Task, Parallel, Map) in JSONPath. */
export function finishJsonPath(call: StateCall, result: unknown): StepResult {
  const state = call.state;
  const scope = pathScope(call);
  // Assign reads the raw result (before ResultSelector), as AWS evaluates it.
  const assigned = state.Assign === undefined ? undefined : (applyPayloadTemplate(state.Assign, result, scope, 'Assign') as Record<string, unknown>);
  let effective = result;
  if (state.ResultSelector !== undefined) effective = applyPayloadTemplate(state.ResultSelector, result, scope, 'ResultSelector');
  const combined = applyResultPath(call.input, effective, state.ResultPath as string | null | undefined);
  const output = filterPath(state.OutputPath as string | null | undefined, combined, scope, 'OutputPath');
  return { output, next: nextOf(call), assigned };
}

/** The step result of a state without a result (Choice, Wait, Succeed) in JSONPath. */
export function finishJsonPathPassThrough(call: StateCall, effective: unknown, next: string | undefined, assignTemplate = call.state.Assign): StepResult {
  const scope = pathScope(call);
  const assigned = assignTemplate === undefined ? undefined : (applyPayloadTemplate(assignTemplate, effective, scope, 'Assign') as Record<string, unknown>);
  const output = filterPath(call.state.OutputPath as string | null | undefined, effective, scope, 'OutputPath');
  return { output, next, assigned };
}

/**
 * The step result in JSONata: `Output` (default: the result, or the input when `result` is
 * `undefined`) and `Assign`.
 */
export async function finishJsonata(
  call: StateCall,
  result: unknown,
  next: string | undefined = nextOf(call),
  outputTemplate: unknown = call.state.Output,
  assignTemplate: unknown = call.state.Assign,
): Promise<StepResult> {
  const scope = jsonataScope(call, result === undefined ? undefined : { result });
  const assigned = assignTemplate === undefined ? undefined : ((await evaluateJsonataTemplate(assignTemplate, scope, 'Assign')) as Record<string, unknown>);
  const output = outputTemplate === undefined ? (result === undefined ? call.input : result) : await evaluateJsonataTemplate(outputTemplate, scope, 'Output');
  return { output, next, assigned };
}

/** The step result when a Catcher took an error. */
export async function caughtResult(call: StateCall, catcher: Catcher, err: StatesError): Promise<StepResult> {
  const errOut = errorOutput(err);
  if (call.ql === 'JSONata') {
    const scope = jsonataScope(call, { errorOutput: errOut });
    // AWS names the clause in causes: `Catch[1]/Output/v`.
    const where = `Catch[${(call.state.Catch as Catcher[]).indexOf(catcher)}]`;
    const assigned =
      catcher.Assign === undefined ? undefined : ((await evaluateJsonataTemplate(catcher.Assign, scope, `${where}/Assign`)) as Record<string, unknown>);
    const output = catcher.Output === undefined ? errOut : await evaluateJsonataTemplate(catcher.Output, scope, `${where}/Output`);
    return { output, next: catcher.Next, assigned };
  }
  const scope = pathScope(call);
  const assigned = catcher.Assign === undefined ? undefined : (applyPayloadTemplate(catcher.Assign, errOut, scope, 'Assign') as Record<string, unknown>);
  // Catch's ResultPath places the error output into the state's raw input; OutputPath is not applied.
  const output = applyResultPath(call.input, errOut, catcher.ResultPath);
  return { output, next: catcher.Next, assigned };
}

/** `Next`, or `undefined` for `End: true`. */
export function nextOf(call: StateCall): string | undefined {
  return call.state.End === true ? undefined : (call.state.Next as string | undefined);
}
