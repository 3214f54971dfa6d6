/**
 * Runs a block of states (the machine, a Parallel branch, a Map iteration) from `StartAt` to an
 * end: enters each state (history event, top-level checkpoint), runs it, applies its variables,
 * records its exit and follows `Next`. Synchronous states (JSONPath Pass) cost no promise.
 */
import { recordEntered, recordExited } from '../history.js';
import { StatesError } from '../types.js';
import {
  inState,
  queryLanguageOf,
  reportEvaluationFailure,
  stateContext,
  throwIfStopped,
  type Frame,
  type StateCall,
  type StatesBlock,
  type StepResult,
} from './frame.js';
import { runChoice } from './choiceState.js';
// eslint-disable-next-line import-x/no-cycle -- Map and Parallel run nested blocks (recursion by design); used only inside functions.
import { runMap } from './map.js';
// eslint-disable-next-line import-x/no-cycle -- as above.
import { runParallel } from './parallel.js';
import { runPass } from './pass.js';
import { runTask } from './task.js';
import { runFail, runSucceed } from './terminal.js';
import { runWait } from './wait.js';

export type Runner = (call: StateCall) => StepResult | Promise<StepResult>;

/** The runner of each state type (also used by TestState). */
export const RUNNERS: Record<string, Runner> = {
  Pass: runPass,
  Task: runTask,
  Choice: runChoice,
  Wait: runWait,
  Succeed: runSucceed,
  Fail: runFail,
  Parallel: runParallel,
  Map: runMap,
};

/**
 * Runs `block` with `input` on the line `frame` and resolves with the output of its last state;
 * rejects with a {@link StatesError} (failure) or a `Stop` (abort, timeout, failed sibling).
 * @param start the state to begin with (a resumed execution's checkpoint), default `StartAt`.
 */
export async function runBlock(block: StatesBlock, input: unknown, frame: Frame, start?: string): Promise<unknown> {
  const rt = frame.rt;
  let name = start ?? block.StartAt;
  for (;;) {
    // A loop of synchronous states (Pass → Choice → Pass …) must not starve the server.
    if ((++rt.transitions & 255) === 0) await new Promise((resolve) => setImmediate(resolve));
    throwIfStopped(frame.signal);
    const state = block.States[name];
    if (state === undefined) throw new StatesError('States.Runtime', `The state '${name}' does not exist in the state machine.`);
    const type = state.Type as string;
    const runner = RUNNERS[type];
    if (runner === undefined) throw new StatesError('States.Runtime', `The state '${name}' has an unknown type '${String(type)}'.`);

    // A Wait or callback Task in progress when the checkpoint was taken resumes without
    // re-recording what already happened.
    let resume = undefined;
    if (frame.top && rt.resume !== undefined && rt.resume.stateName === name) {
      resume = rt.resume;
      rt.resume = undefined;
      if (resume.waitUntil === undefined && resume.taskToken === undefined) resume = undefined;
    }
    let enteredId: number;
    const enteredAt = rt.now();
    if (resume !== undefined) {
      enteredId = resume.enteredEventId ?? resume.lastEventId;
    } else {
      if (frame.top && rt.host.checkpoint) {
        const pending = rt.host.checkpoint({ stateName: name, input, variables: frame.variables, lastEventId: frame.last });
        if (pending) await pending;
      }
      enteredId = recordEntered(frame, type, name, input);
    }
    const call: StateCall = {
      name,
      state,
      input,
      frame,
      ql: queryLanguageOf(state, rt),
      context: stateContext(frame, name, enteredAt),
      enteredId,
    };
    if (resume !== undefined) call.resume = resume;
    frame.current = type;

    let result: StepResult;
    try {
      const pending = runner(call);
      result = pending instanceof Promise ? await pending : pending;
    } catch (e) {
      const err = inState(e, call);
      if (err instanceof StatesError) reportEvaluationFailure(call, err);
      throw err;
    }
    if (result.fail !== undefined) throw result.fail;
    if (result.assigned !== undefined) frame.variables = { ...frame.variables, ...result.assigned };
    recordExited(frame, type, name, result.output, result.assigned);
    frame.current = undefined;
    if (result.next === undefined) return result.output;
    name = result.next;
    input = result.output;
  }
}
