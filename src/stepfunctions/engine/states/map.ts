/**
 * The Map state (inline mode; a DISTRIBUTED processor without ItemReader/ResultWriter runs the
 * same way): runs `ItemProcessor` (or the older `Iterator`) once per item, at most
 * `MaxConcurrency` at a time, and outputs the results in item order.
 *
 * Failures: without `ToleratedFailureCount` / `ToleratedFailurePercentage` the first failing
 * iteration fails the state with its own error and stops the others. With them, the state fails
 * with `States.ExceedToleratedFailureThreshold` once the failures exceed the threshold; a
 * tolerated failed iteration leaves its `{ Error, Cause }` object at its place in the output
 * (Gateway choice: AWS only allows tolerance in distributed mode, where results go elsewhere).
 */
import { applyPayloadTemplate, selectPath } from '../jsonpath.js';
import { evaluateJsonataTemplate } from '../jsonata.js';
import { record, recordPassing } from '../history.js';
import { StatesError, type ContextObject } from '../types.js';
import {
  childController,
  errorOutput,
  inState,
  pathScope,
  Stop,
  throwIfStopped,
  toStatesError,
  type Frame,
  type StateCall,
  type StatesBlock,
  type StepResult,
} from './frame.js';
import { effectiveInput, finishJsonata, finishJsonPath, jsonataScope } from './io.js';
import { withRetryAndCatch } from './retrying.js';
// eslint-disable-next-line import-x/no-cycle -- an iteration is a nested block (recursion by design, see block.ts).
import { runBlock } from './block.js';

/** Iterations of an inline Map running at once at most (AWS's documented limit). */
const INLINE_CONCURRENCY = 40;

/** Runs a Map state with its Retry and Catch. */
export function runMap(call: StateCall): Promise<StepResult> {
  return withRetryAndCatch(call, () => attempt(call), {
    onFinalFailure: (err) => {
      if (err.error !== 'States.Runtime') record(call.frame, 'MapStateFailed');
    },
  });
}

interface Settings {
  items: unknown[];
  /** Data ItemSelector reads in JSONPath (the effective input). */
  effective: unknown;
  maxConcurrency: number;
  toleratedCount?: number;
  toleratedPercentage?: number;
}

async function settings(call: StateCall): Promise<Settings> {
  const { state } = call;
  if (state.ItemReader !== undefined || state.ResultWriter !== undefined) {
    throw new StatesError('States.Runtime', 'appsync-gateway does not support ItemReader or ResultWriter (distributed Map reading from or writing to S3).');
  }
  let items: unknown;
  let effective: unknown = call.input;
  let maxConcurrency: unknown = state.MaxConcurrency;
  let toleratedCount: unknown = state.ToleratedFailureCount;
  let toleratedPercentage: unknown = state.ToleratedFailurePercentage;
  if (call.ql === 'JSONata') {
    const scope = jsonataScope(call);
    items = state.Items === undefined ? call.input : await evaluateJsonataTemplate(state.Items, scope, 'Items');
    if (typeof maxConcurrency === 'string') maxConcurrency = await evaluateJsonataTemplate(maxConcurrency, scope, 'MaxConcurrency');
    if (typeof toleratedCount === 'string') toleratedCount = await evaluateJsonataTemplate(toleratedCount, scope, 'ToleratedFailureCount');
    if (typeof toleratedPercentage === 'string') {
      toleratedPercentage = await evaluateJsonataTemplate(toleratedPercentage, scope, 'ToleratedFailurePercentage');
    }
  } else {
    effective = effectiveInput(call);
    const scope = pathScope(call);
    items = typeof state.ItemsPath === 'string' ? selectPath(state.ItemsPath, effective, scope, 'ItemsPath') : effective;
    if (typeof state.MaxConcurrencyPath === 'string') {
      maxConcurrency = selectPath(state.MaxConcurrencyPath, effective, scope, 'MaxConcurrencyPath');
    }
    if (typeof state.ToleratedFailureCountPath === 'string') {
      toleratedCount = selectPath(state.ToleratedFailureCountPath, effective, scope, 'ToleratedFailureCountPath');
    }
    if (typeof state.ToleratedFailurePercentagePath === 'string') {
      toleratedPercentage = selectPath(state.ToleratedFailurePercentagePath, effective, scope, 'ToleratedFailurePercentagePath');
    }
  }
  if (!Array.isArray(items)) {
    const field = call.ql === 'JSONata' ? 'Items' : 'ItemsPath';
    throw new StatesError(
      'States.Runtime',
      `Item selection with the field '${field}' returned a value that is not an array: '${JSON.stringify(items) ?? 'null'}'`,
    );
  }
  if (state.ItemBatcher !== undefined) items = await batches(call, items, effective);
  const out: Settings = { items: items as unknown[], effective, maxConcurrency: wholeNumber(maxConcurrency, 'MaxConcurrency') ?? 0 };
  const count = wholeNumber(toleratedCount, 'ToleratedFailureCount');
  if (count !== undefined) out.toleratedCount = count;
  if (toleratedPercentage !== undefined) {
    if (typeof toleratedPercentage !== 'number' || toleratedPercentage < 0 || toleratedPercentage > 100) {
      throw new StatesError(
        'States.Runtime',
        `The value of the field 'ToleratedFailurePercentage' must be a number between 0 and 100, but was ${JSON.stringify(toleratedPercentage)}.`,
      );
    }
    out.toleratedPercentage = toleratedPercentage;
  }
  return out;
}

/** `ItemBatcher`: groups items into `{ Items: [...], BatchInput? }` objects. */
async function batches(call: StateCall, items: unknown[], effective: unknown): Promise<unknown[]> {
  const batcher = call.state.ItemBatcher as Record<string, unknown>;
  let maxItems: unknown = batcher.MaxItemsPerBatch;
  let batchInput: unknown = batcher.BatchInput;
  if (call.ql === 'JSONata') {
    const scope = jsonataScope(call);
    if (typeof maxItems === 'string') maxItems = await evaluateJsonataTemplate(maxItems, scope, 'MaxItemsPerBatch');
    if (batchInput !== undefined) batchInput = await evaluateJsonataTemplate(batchInput, scope, 'BatchInput');
  } else {
    if (typeof batcher.MaxItemsPerBatchPath === 'string')
      maxItems = selectPath(batcher.MaxItemsPerBatchPath, effective, pathScope(call), 'MaxItemsPerBatchPath');
    if (batchInput !== undefined) batchInput = applyPayloadTemplate(batchInput, effective, pathScope(call), 'BatchInput');
  }
  const size = wholeNumber(maxItems, 'MaxItemsPerBatch') || items.length || 1;
  const out: unknown[] = [];
  for (let i = 0; i < items.length; i += size) {
    const batch: Record<string, unknown> = { Items: items.slice(i, i + size) };
    if (batchInput !== undefined) batch.BatchInput = batchInput;
    out.push(batch);
  }
  return out;
}

function wholeNumber(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StatesError('States.Runtime', `The value of the field '${field}' must be a positive integer, but was ${JSON.stringify(value)}.`);
  }
  return value;
}

async function attempt(call: StateCall): Promise<StepResult> {
  const { state, frame } = call;
  const s = await settings(call);
  const processor = (state.ItemProcessor ?? state.Iterator) as StatesBlock;
  const selector = state.ItemSelector ?? state.Parameters;
  const n = s.items.length;
  record(frame, 'MapStateStarted', { mapStateStartedEventDetails: { length: n } });

  const results = new Array<unknown>(n);
  const { controller, dispose } = childController(frame.signal);
  const startedAt = frame.last;
  const tolerance = s.toleratedCount !== undefined || s.toleratedPercentage !== undefined;
  let failures = 0;
  let error: unknown;
  let failedLine: Frame | undefined;
  let nextIndex = 0;
  const frames: Frame[] = [];

  const exceeded = () =>
    (s.toleratedCount !== undefined && failures > s.toleratedCount) || (s.toleratedPercentage !== undefined && (failures / n) * 100 > s.toleratedPercentage);

  let failedIndex = -1;
  let failedEvent = false;
  const lines = new Map<number, Frame>();
  /** Ends the Map; `iterationEvent`: the failing iteration records MapIterationFailed. */
  const fail = (line: Frame, index: number, e: unknown, iterationEvent: boolean) => {
    if (error !== undefined) return;
    error = e;
    failedLine = line;
    failedIndex = index;
    failedEvent = iterationEvent;
    controller.abort(new Stop('SIBLING'));
  };
  const exceededError = () => new StatesError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');

  const runOne = async (index: number) => {
    const line: Frame = { rt: frame.rt, signal: controller.signal, last: startedAt, variables: frame.variables, top: false };
    frames.push(line);
    const details = { name: call.name, index };
    // The ItemSelector is applied before the iteration starts: when it fails there is no
    // iteration to record, the Map fails with its error.
    const value = s.items[index];
    let itemInput = value;
    if (selector !== undefined) {
      try {
        const context: ContextObject = { ...call.context, Map: { Item: { Index: index, Value: value } } };
        itemInput =
          call.ql === 'JSONata'
            ? await evaluateJsonataTemplate(selector, { input: call.input, context, variables: frame.variables }, 'ItemSelector')
            : applyPayloadTemplate(selector, s.effective, { context, variables: frame.variables }, 'ItemSelector');
      } catch (e) {
        return fail(line, index, inState(e, call), false);
      }
    }
    if (controller.signal.aborted) return;
    lines.set(index, line);
    record(line, 'MapIterationStarted', { mapIterationStartedEventDetails: details });
    try {
      results[index] = await runBlock(processor, itemInput, line);
      record(line, 'MapIterationSucceeded', { mapIterationSucceededEventDetails: details });
    } catch (e) {
      if (e instanceof Stop) {
        if (e.kind === 'SIBLING') line.cut = true;
        return;
      }
      const err = toStatesError(e);
      const runtime = err.error === 'States.Runtime';
      // Without a tolerance, States.Runtime ends the execution at once, recording nothing more;
      // with one it counts as a failure but records no MapIterationFailed of its own.
      if (!tolerance) return fail(line, index, runtime ? inState(err, call) : err, !runtime);
      failures++;
      results[index] = errorOutput(err);
      if (exceeded()) return fail(line, index, exceededError(), !runtime);
      if (!runtime) recordPassing(line, 'MapIterationFailed', { mapIterationFailedEventDetails: details });
    }
  };

  // AWS runs at most 40 iterations of an inline Map at once, whatever MaxConcurrency says.
  const mode = (processor as { ProcessorConfig?: { Mode?: string } }).ProcessorConfig?.Mode;
  const ceiling = mode === 'DISTRIBUTED' ? 1000 : INLINE_CONCURRENCY;
  const workers = Math.min(s.maxConcurrency > 0 ? Math.min(s.maxConcurrency, ceiling) : ceiling, n);
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (nextIndex < n && !controller.signal.aborted) await runOne(nextIndex++);
    }),
  );
  dispose();
  throwIfStopped(frame.signal);
  if (failedLine !== undefined) {
    // AWS: every cut iteration records MapIterationAborted and the state it was in as aborted,
    // then the failing iteration its MapIterationFailed, all chained to the failing iteration's
    // last event (as the MapStateFailed that follows). A States.Runtime failure records none.
    frame.last = failedLine.last;
    if ((error as StatesError).error !== 'States.Runtime') {
      for (const [index, line] of [...lines].sort((a, b) => a[0] - b[0])) {
        if (!line.cut) continue;
        recordPassing(frame, 'MapIterationAborted', { mapIterationAbortedEventDetails: { name: call.name, index } });
        if (line.current !== undefined) recordPassing(frame, `${line.current}StateAborted`);
      }
      if (failedEvent) recordPassing(frame, 'MapIterationFailed', { mapIterationFailedEventDetails: { name: call.name, index: failedIndex } });
    }
    throw error;
  }
  for (const line of frames) if (line.last > frame.last) frame.last = line.last;
  recordPassing(frame, 'MapStateSucceeded');
  return call.ql === 'JSONata' ? finishJsonata(call, results) : finishJsonPath(call, results);
}
