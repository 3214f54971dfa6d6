/** The Succeed and Fail states. */
import { filterPath, selectPath } from '../jsonpath.js';
import { evaluateIntrinsic, isIntrinsic } from '../intrinsics.js';
import { evaluateJsonataTemplate } from '../jsonata.js';
import { StatesError } from '../types.js';
import { pathScope, type StateCall, type StepResult } from './frame.js';
import { effectiveInput, finishJsonata, jsonataScope } from './io.js';

/** Succeed: ends the line with its (filtered) input. */
export function runSucceed(call: StateCall): StepResult | Promise<StepResult> {
  if (call.ql === 'JSONata') return finishJsonata(call, undefined, undefined);
  const effective = effectiveInput(call);
  return { output: filterPath(call.state.OutputPath as string | null | undefined, effective, pathScope(call), 'OutputPath') };
}

/**
 * Fail: ends the line with `Error` / `Cause`, given directly, by `ErrorPath` / `CausePath` (a path
 * or an intrinsic function, JSONPath) or as JSONata expressions.
 */
export async function runFail(call: StateCall): Promise<StepResult> {
  const state = call.state;
  let error: unknown = state.Error;
  let cause: unknown = state.Cause;
  if (call.ql === 'JSONata') {
    const scope = jsonataScope(call);
    if (typeof error === 'string') error = await evaluateJsonataTemplate(error, scope, 'Error');
    if (typeof cause === 'string') cause = await evaluateJsonataTemplate(cause, scope, 'Cause');
  } else {
    const scope = pathScope(call);
    if (typeof state.ErrorPath === 'string') {
      error = isIntrinsic(state.ErrorPath) ? evaluateIntrinsic(state.ErrorPath, call.input, scope) : selectPath(state.ErrorPath, call.input, scope, 'ErrorPath');
    }
    if (typeof state.CausePath === 'string') {
      cause = isIntrinsic(state.CausePath) ? evaluateIntrinsic(state.CausePath, call.input, scope) : selectPath(state.CausePath, call.input, scope, 'CausePath');
    }
  }
  return { output: undefined, fail: new StatesError(asText(error), asText(cause)) };
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
