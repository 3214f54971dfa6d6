/**
 * The Parallel state: runs every branch at once on the same input and outputs their outputs in
 * branch order. The first failing branch fails the state with its own error and cause and stops
 * the other branches (AWS: "If any branch fails … the entire Parallel state fails").
 *
 * History (as AWS records it): `ParallelStateStarted` (no details) after the entered event; each
 * branch's first state chains to it; `ParallelStateSucceeded` and then `ParallelStateExited`
 * both point at the latest branch event. A failure records `ParallelStateFailed` (pointing at the
 * failing branch's last event) once no retry is left, except for `States.Runtime` failures,
 * which end the execution at once. A retried Parallel records `ParallelStateStarted` again.
 */
import { evaluateJsonataTemplate } from '../jsonata.js';
import { record, recordPassing } from '../history.js';
import { childController, Stop, throwIfStopped, type Frame, type StateCall, type StatesBlock, type StepResult } from './frame.js';
import { effectiveInput, finishJsonata, finishJsonPath, jsonataScope, parametersOf } from './io.js';
import { withRetryAndCatch } from './retrying.js';
import { StatesError } from '../types.js';
// eslint-disable-next-line import-x/no-cycle -- a branch is a nested block (recursion by design, see block.ts).
import { runBlock } from './block.js';

/** Runs a Parallel state with its Retry and Catch. */
export function runParallel(call: StateCall): Promise<StepResult> {
  return withRetryAndCatch(call, () => attempt(call), {
    onFinalFailure: (err) => {
      if (err.error !== 'States.Runtime') record(call.frame, 'ParallelStateFailed');
    },
  });
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
  const values = await runLines(
    frame,
    branches.map((branch) => (line: Frame) => runBlock(branch, branchInput, line)),
  );
  recordPassing(frame, 'ParallelStateSucceeded');
  return call.ql === 'JSONata' ? finishJsonata(call, values) : finishJsonPath(call, values);
}

/**
 * Runs lines side by side, each on its own {@link Frame} chained after the frame's last event and
 * reading the outer variables (their own assignments stay inside). The first failure stops the
 * others and is thrown, the outer line continuing from the failing line's last event; on success
 * the outer line continues from the latest event of any line.
 */
async function runLines(frame: Frame, lines: ((line: Frame) => Promise<unknown>)[]): Promise<unknown[]> {
  const { controller, dispose } = childController(frame.signal);
  const startedAt = frame.last;
  const frames: Frame[] = [];
  let error: unknown;
  let failedLine: Frame | undefined;
  const values = new Array<unknown>(lines.length);
  await Promise.all(
    lines.map(async (run, index) => {
      const line: Frame = { rt: frame.rt, signal: controller.signal, last: startedAt, variables: frame.variables, top: false };
      frames.push(line);
      try {
        values[index] = await run(line);
      } catch (e) {
        if (e instanceof Stop && e.kind === 'SIBLING') {
          line.cut = true;
          return;
        }
        if (error === undefined) {
          error = e;
          failedLine = line;
          controller.abort(new Stop('SIBLING'));
        }
      }
    }),
  );
  dispose();
  throwIfStopped(frame.signal);
  if (failedLine !== undefined) {
    // AWS: each cut branch records the state it was in as aborted, chained (like the
    // ParallelStateFailed that follows) to the failing branch's last event.
    // A States.Runtime failure ends the execution without recording the branches it cut.
    frame.last = failedLine.last;
    if (!(error instanceof StatesError && error.error === 'States.Runtime')) {
      for (const line of frames) if (line.cut && line.current !== undefined) recordPassing(frame, `${line.current}StateAborted`);
    }
    throw error;
  }
  for (const line of frames) if (line.last > frame.last) frame.last = line.last;
  return values;
}
