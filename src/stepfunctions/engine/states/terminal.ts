/** The Succeed and Fail states. */
import { filterPath, trySelectPath } from '../jsonpath.js';
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
    if (typeof state.ErrorPath === 'string') error = fromPath(call, state.ErrorPath, 'ErrorPath');
    if (typeof state.CausePath === 'string') cause = fromPath(call, state.CausePath, 'CausePath');
  }
  return { output: undefined, fail: new StatesError(asText(error), asText(cause)) };
}

/** `ErrorPath` / `CausePath`: a reference path or an intrinsic function that yields a string. */
function fromPath(call: StateCall, path: string, field: string): string {
  const scope = pathScope(call);
  const value = isIntrinsic(path) ? evaluateIntrinsic(path, call.input, scope) : trySelectPath(path, call.input, scope);
  if (value === undefined) {
    throw new StatesError(
      'States.Runtime',
      `The JSONPath '${path}' specified for the field '${field}' could not be found in the input '${JSON.stringify(call.input) ?? 'null'}'`,
    );
  }
  if (typeof value !== 'string') throw new StatesError('States.Runtime', `${field} must resolve to a string`);
  return value;
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
