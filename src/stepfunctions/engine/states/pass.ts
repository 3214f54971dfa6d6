/** The Pass state: passes its input on, or a fixed `Result`, shaped by the usual fields. */
import type { StateCall, StepResult } from './frame.js';
import { effectiveInput, finishJsonata, finishJsonPath, parametersOf } from './io.js';

/** Runs a Pass state (synchronous in JSONPath, so Pass chains cost no promise per state). */
export function runPass(call: StateCall): StepResult | Promise<StepResult> {
  if (call.ql === 'JSONata') return finishJsonata(call, undefined);
  const effective = effectiveInput(call);
  const result = call.state.Result !== undefined ? call.state.Result : parametersOf(call, effective);
  return finishJsonPath(call, result);
}
