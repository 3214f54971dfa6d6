/**
 * The Parallel state: runs every branch at once on the same input and outputs their outputs in
 * branch order. The first failing branch fails the state with its own error and cause and stops
 * the other branches (AWS: "If any branch fails … the entire Parallel state fails").
 */
import { evaluateJsonataTemplate } from '../jsonata.js';
import { record } from '../history.js';
import { childController, Stop, type Frame, type StateCall, type StatesBlock, type StepResult } from './frame.js';
import { effectiveInput, finishJsonata, finishJsonPath, jsonataScope, parametersOf } from './io.js';
import { withRetryAndCatch } from './retrying.js';
import { runBlock } from './block.js';

/** Runs a Parallel state with its Retry and Catch. */
export function runParallel(call: StateCall): Promise<StepResult> {
  return withRetryAndCatch(call, () => attempt(call));
}

async function attempt(call: StateCall): Promise<StepResult> {
  const { state, frame } = call;
  const branchInput =
    call.ql === 'JSONata'
      ? state.Arguments === undefined
        ? call.input
        : await evaluateJsonataTemplate(state.Arguments, jsonataScope(call), 'Arguments')
      : parametersOf(call, effectiveInput(call));
  record(frame, 'ParallelStateStarted');
  const branches = (Array.isArray(state.Branches) ? state.Branches : []) as StatesBlock[];
  const results = await runLines(
    frame,
    branches.map((branch) => (line: Frame) => runBlock(branch, branchInput, line)),
  );
  if (results.error !== undefined) {
    record(frame, 'ParallelStateFailed');
    throw results.error;
  }
  record(frame, 'ParallelStateSucceeded');
  return call.ql === 'JSONata' ? finishJsonata(call, results.values) : finishJsonPath(call, results.values);
}

/**
 * Runs lines side by side, each on its own {@link Frame} starting after the frame's last event
 * and reading the outer variables (their own assignments stay inside). The first failure stops
 * the others. Afterwards the outer line continues from the latest event of any line.
 */
export async function runLines(
  frame: Frame,
  lines: ((line: Frame) => Promise<unknown>)[],
): Promise<{ values: unknown[]; error?: unknown }> {
  const { controller, dispose } = childController(frame.signal);
  const startedAt = frame.last;
  const frames: Frame[] = [];
  let error: unknown;
  const values = new Array<unknown>(lines.length);
  await Promise.all(
    lines.map(async (run, index) => {
      const line: Frame = { rt: frame.rt, signal: controller.signal, last: startedAt, variables: frame.variables, top: false };
      frames.push(line);
      try {
        values[index] = await run(line);
      } catch (e) {
        if (error === undefined || (error instanceof Stop && error.kind === 'SIBLING')) {
          if (!(e instanceof Stop && e.kind === 'SIBLING')) error = e;
        }
        if (!controller.signal.aborted) controller.abort(new Stop('SIBLING'));
      }
    }),
  );
  dispose();
  for (const line of frames) if (line.last > frame.last) frame.last = line.last;
  if (error === undefined && controller.signal.aborted && frame.signal.aborted) error = frame.signal.reason;
  if (frame.signal.aborted) error = frame.signal.reason instanceof Stop ? frame.signal.reason : new Stop('ABORTED', frame.signal.reason);
  return error === undefined ? { values } : { values, error };
}
