/** The Choice state: picks the next state with A1's `chooseNext`, then applies Assign / Output. */
import { chooseNext } from '../choice.js';
import { pathScope, type StateCall, type StepResult } from './frame.js';
import { effectiveInput, finishJsonata, finishJsonPathPassThrough } from './io.js';

/**
 * Runs a Choice state. A matching rule's own `Assign` / `Output` win; otherwise (Default taken)
 * the state's own fields apply.
 */
export async function runChoice(call: StateCall): Promise<StepResult> {
  const state = call.state;
  if (call.ql === 'JSONata') {
    const picked = await chooseNext(state, call.input, pathScope(call), 'JSONata');
    return finishJsonata(call, undefined, picked.next, picked.output ?? state.Output, picked.assign ?? state.Assign);
  }
  const effective = effectiveInput(call);
  const picked = await chooseNext(state, effective, pathScope(call), 'JSONPath');
  return finishJsonPathPassThrough(call, effective, picked.next, picked.assign ?? state.Assign);
}
