/** The Choice state: picks the next state with A1's `chooseNext`, then applies Assign / Output. */
import { chooseNext, type ChoiceOutcome } from '../choice.js';
import { pathScope, type StateCall, type StepResult } from './frame.js';
import { effectiveInput, finishJsonata, finishJsonPathPassThrough } from './io.js';

/**
 * Runs a Choice state. A matching rule applies its own `Assign` / `Output` only; the state's
 * top-level `Assign` / `Output` apply when the Default is taken.
 */
export async function runChoice(call: StateCall): Promise<StepResult> {
  const state = call.state;
  if (call.ql === 'JSONata') {
    const picked = await chooseNext(state, call.input, pathScope(call), 'JSONata');
    const byDefault = tookDefault(state, picked);
    return finishJsonata(call, undefined, picked.next, byDefault ? state.Output : picked.output, byDefault ? state.Assign : picked.assign);
  }
  const effective = effectiveInput(call);
  const picked = await chooseNext(state, effective, pathScope(call), 'JSONPath');
  return finishJsonPathPassThrough(call, effective, picked.next, tookDefault(state, picked) ? state.Assign : picked.assign);
}

/**
 * `chooseNext` answers `{ next: Default }` when no rule matched. A rule that matched and names
 * the Default state without its own Assign/Output reads the same; both then behave alike.
 */
function tookDefault(state: Record<string, unknown>, picked: ChoiceOutcome): boolean {
  return picked.assign === undefined && picked.output === undefined && picked.next === state.Default;
}
