/**
 * `testState`: runs ONE state definition on an input, as the TestState API does, and answers in
 * its response shape: `output` (JSON text), `error` / `cause`, `nextState`, `status`
 * (`SUCCEEDED`, `FAILED`, `RETRIABLE` when a Retrier would retry the error, `CAUGHT_ERROR` when
 * a Catcher took it) and, at `DEBUG` / `TRACE`, `inspectionData` with the data after each
 * processing step (JSON texts).
 *
 * Gateway choices: no retry is performed (AWS answers RETRIABLE too); a Wait state does not
 * actually wait; no history is recorded; the context object names a synthetic execution of a
 * machine called `TestStateMachine` unless `context` is given.
 */
import { applyPayloadTemplate, applyResultPath, filterPath } from './jsonpath.js';
import { evaluateJsonataTemplate } from './jsonata.js';
import { json } from './history.js';
import { aliasOf, findCatcher, findRetrier, retriersOf, retryDelayMs, type Catcher } from './retry.js';
import { defaultSleep, inState, queryLanguageOf, Stop, toStatesError, type Frame, type Runtime, type StateCall } from './states/frame.js';
import { RUNNERS } from './states/block.js';
import { caughtResult } from './states/io.js';
import { StatesError as StatesErrorClass, type ContextObject, type EngineHost, type StatesError } from './types.js';
import { DEFAULT_REGION, DEFAULT_ACCOUNT_ID } from '../../config/awsDefaults.js';

/** The TestState API's response (fields as the API names them; JSON values as text). */
export interface TestStateOutput {
  output?: string;
  error?: string;
  cause?: string;
  inspectionData?: Record<string, unknown>;
  nextState?: string;
  status: 'SUCCEEDED' | 'FAILED' | 'RETRIABLE' | 'CAUGHT_ERROR';
}

/** What `testState` takes. */
export interface TestStateInput {
  /** The state's definition (one state, not a machine). */
  definition: Record<string, unknown>;
  input: unknown;
  /** @default 'INFO' */
  inspectionLevel?: 'INFO' | 'DEBUG' | 'TRACE';
  /** Workflow variables visible to the state. */
  variables?: Record<string, unknown>;
  host: EngineHost;
  /** The state's name (`$$.State.Name`). @default 'TestState' */
  stateName?: string;
  /** Execution and machine parts of the context object. */
  context?: Pick<ContextObject, 'Execution' | 'StateMachine'>;
  /** Aborts a running Task. */
  signal?: AbortSignal;
  /**
   * The TestState API's `mock`: the Task's resource is not called; its result is `result`, or it
   * fails with `errorOutput`.
   */
  mock?: { result?: unknown; errorOutput?: { error: string; cause?: string } };
}

/** Runs one state as the TestState API does. */
export async function testState(request: TestStateInput): Promise<TestStateOutput> {
  const state = request.definition;
  const name = request.stateName ?? 'TestState';
  const host = request.host;
  const now = host.now ? () => host.now!() : Date.now;
  const context = request.context ?? syntheticContext(request.input, now());
  const debug = request.inspectionLevel === 'DEBUG' || request.inspectionLevel === 'TRACE';
  const type = String(state.Type);
  const runner = RUNNERS[type];
  if (runner === undefined) {
    return { status: 'FAILED', error: 'States.Runtime', cause: `The state type '${type}' is not supported.` };
  }

  // The state runs without its Retry (answered as RETRIABLE) and Catch (applied here).
  const bare: Record<string, unknown> = { ...state };
  delete bare.Retry;
  delete bare.Catch;
  let rawResult: unknown;
  let haveResult = false;
  const rt: Runtime = {
    host: {
      ...host,
      recordsHistory: false,
      checkpoint: undefined,
      invokeTask: async (req, signal) => {
        const mock = request.mock;
        if (mock?.errorOutput) throw new StatesErrorClass(mock.errorOutput.error, mock.errorOutput.cause ?? '');
        rawResult = mock ? (mock.result ?? null) : await host.invokeTask(req, signal);
        haveResult = true;
        return rawResult;
      },
    },
    now,
    sleep: type === 'Wait' ? async () => {} : host.sleep ? (ms, signal) => host.sleep!(ms, signal) : defaultSleep,
    history: false,
    execution: context,
    region: context.Execution.Id.split(':')[3] || DEFAULT_REGION,
    queryLanguage: 'JSONPath',
    seq: 0,
    eventCount: 0,
    transitions: 0,
  };
  const frame: Frame = { rt, signal: request.signal ?? new AbortController().signal, last: 0, variables: request.variables ?? {}, top: false };
  const call: StateCall = {
    name,
    state: bare,
    input: request.input,
    frame,
    ql: queryLanguageOf(state, rt),
    context: { ...context, State: { Name: name, EnteredTime: new Date(now()).toISOString(), RetryCount: 0 } },
    enteredId: 0,
  };

  const inspection: Record<string, unknown> = {};
  if (debug) inspection.input = json(request.input);
  const answer = async (out: TestStateOutput): Promise<TestStateOutput> => {
    if (debug) {
      inspectInputs(call, inspection);
      if (call.ql === 'JSONata' && state.Arguments !== undefined) {
        try {
          inspection.afterArguments = json(await argumentsOf(call));
        } catch {
          // Reported in error/cause.
        }
      }
      if (haveResult) inspectResult(call, rawResult, inspection);
      inspection.variables = json(frame.variables);
      out.inspectionData = inspection;
    }
    return out;
  };

  try {
    const pending = runner(call);
    const result = pending instanceof Promise ? await pending : pending;
    if (result.fail !== undefined) throw result.fail;
    if (result.assigned !== undefined) frame.variables = { ...frame.variables, ...result.assigned };
    const out: TestStateOutput = { output: json(result.output), status: 'SUCCEEDED' };
    if (result.next !== undefined) out.nextState = result.next;
    return answer(out);
  } catch (e) {
    if (e instanceof Stop) return answer({ status: 'FAILED', error: 'States.Runtime', cause: 'The test was stopped.' });
    const err = inState(e, call) as StatesError;
    const retriers = retriersOf(state);
    const retryIndex = findRetrier(retriers, err.error, aliasOf(err));
    if (retryIndex >= 0 && retriers[retryIndex].MaxAttempts > 0) {
      inspection.errorDetails = { retryIndex, retryBackoffIntervalSeconds: retryDelayMs(retriers[retryIndex], 0) / 1000 };
      return answer({ status: 'RETRIABLE', error: err.error, cause: err.cause });
    }
    const catcher = findCatcher(state, err.error, aliasOf(err));
    if (catcher !== undefined && (type === 'Task' || type === 'Parallel' || type === 'Map')) {
      try {
        const caught = await caughtResult({ ...call, state }, catcher, err);
        if (caught.assigned !== undefined) frame.variables = { ...frame.variables, ...caught.assigned };
        inspection.errorDetails = { catchIndex: (state.Catch as Catcher[]).indexOf(catcher) };
        return answer({ status: 'CAUGHT_ERROR', output: json(caught.output), error: err.error, cause: err.cause, nextState: catcher.Next });
      } catch (e2) {
        const err2 = toStatesError(inState(e2, call));
        return answer({ status: 'FAILED', error: err2.error, cause: err2.cause });
      }
    }
    const out: TestStateOutput = { status: 'FAILED' };
    if (err.error !== '') out.error = err.error;
    if (err.cause !== '') out.cause = err.cause;
    return answer(out);
  }
}

/** `afterInputPath` / `afterParameters` (JSONPath) or `afterArguments` (JSONata), best effort. */
function inspectInputs(call: StateCall, inspection: Record<string, unknown>): void {
  const { state } = call;
  const scope = { context: call.context, variables: call.frame.variables };
  try {
    if (call.ql === 'JSONPath') {
      const effective = filterPath(state.InputPath as string | null | undefined, call.input, scope, 'InputPath');
      inspection.afterInputPath = json(effective);
      const template = state.Type === 'Map' ? undefined : state.Parameters;
      inspection.afterParameters = json(template === undefined ? effective : applyPayloadTemplate(template, effective, scope, 'Parameters'));
    }
  } catch {
    // The failure itself is reported in error/cause.
  }
}

/** `result` / `afterResultSelector` / `afterResultPath` of a Task that returned. */
function inspectResult(call: StateCall, raw: unknown, inspection: Record<string, unknown>): void {
  const { state } = call;
  inspection.result = json(raw);
  if (call.ql !== 'JSONPath') return;
  const scope = { context: call.context, variables: call.frame.variables };
  try {
    const selected = state.ResultSelector === undefined ? raw : applyPayloadTemplate(state.ResultSelector, raw, scope, 'ResultSelector');
    inspection.afterResultSelector = json(selected);
    inspection.afterResultPath = json(applyResultPath(call.input, selected, state.ResultPath as string | null | undefined));
  } catch {
    // Reported in error/cause.
  }
}

/** The JSONata `Arguments` a Task was called with, for inspection. */
async function argumentsOf(call: StateCall): Promise<unknown> {
  const args = call.state.Arguments;
  if (args === undefined) return call.input;
  return evaluateJsonataTemplate(args, { input: call.input, context: call.context, variables: call.frame.variables }, 'Arguments');
}

function syntheticContext(input: unknown, now: number): Pick<ContextObject, 'Execution' | 'StateMachine'> {
  const id = `${now.toString(36)}-test`;
  return {
    Execution: {
      Id: `arn:aws:states:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}:execution:TestStateMachine:${id}`,
      Input: input,
      Name: id,
      RoleArn: `arn:aws:iam::${DEFAULT_ACCOUNT_ID}:role/TestState`,
      StartTime: new Date(now).toISOString(),
      RedriveCount: 0,
    },
    StateMachine: { Id: `arn:aws:states:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}:stateMachine:TestStateMachine`, Name: 'TestStateMachine' },
  };
}
