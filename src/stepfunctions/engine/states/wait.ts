/** The Wait state: `Seconds`, `Timestamp`, `SecondsPath`, `TimestampPath` (or JSONata forms). */
import { selectPath } from '../jsonpath.js';
import { evaluateJsonataTemplate } from '../jsonata.js';
import { StatesError } from '../types.js';
import { pathScope, sleepFor, type StateCall, type StepResult } from './frame.js';
import { effectiveInput, finishJsonata, finishJsonPathPassThrough, jsonataScope, nextOf } from './io.js';

/**
 * Runs a Wait state: computes the wake-up time, checkpoints it (top level) so a restarted
 * gateway sleeps only what is left, sleeps through the host, then passes its input on.
 */
export async function runWait(call: StateCall): Promise<StepResult> {
  const { state, frame } = call;
  const jsonata = call.ql === 'JSONata';
  const effective = jsonata ? call.input : effectiveInput(call);
  let until = call.resume?.waitUntil;
  if (until === undefined) {
    const now = frame.rt.now();
    if (state.Seconds !== undefined) {
      let seconds: unknown = state.Seconds;
      if (jsonata && typeof seconds === 'string') seconds = await evaluateJsonataTemplate(seconds, jsonataScope(call), 'Seconds');
      until = now + secondsOf(seconds, 'Seconds') * 1000;
    } else if (state.Timestamp !== undefined) {
      let stamp: unknown = state.Timestamp;
      if (jsonata && typeof stamp === 'string') stamp = await evaluateJsonataTemplate(stamp, jsonataScope(call), 'Timestamp');
      until = timestampOf(stamp, 'Timestamp');
    } else if (typeof state.SecondsPath === 'string') {
      until = now + secondsOf(selectPath(state.SecondsPath, effective, pathScope(call), 'SecondsPath'), 'SecondsPath') * 1000;
    } else if (typeof state.TimestampPath === 'string') {
      until = timestampOf(selectPath(state.TimestampPath, effective, pathScope(call), 'TimestampPath'), 'TimestampPath');
    } else {
      until = now;
    }
    if (frame.top && frame.rt.host.checkpoint) {
      await frame.rt.host.checkpoint({
        stateName: call.name,
        input: call.input,
        variables: frame.variables,
        waitUntil: until,
        lastEventId: frame.last,
        enteredEventId: call.enteredId,
      });
    }
  }
  await sleepFor(frame, until - frame.rt.now());
  return jsonata ? finishJsonata(call, undefined) : finishJsonPathPassThrough(call, effective, nextOf(call));
}

function secondsOf(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new StatesError('States.Runtime', `The ${field} field must be a positive integer, but was ${JSON.stringify(value)}`);
  }
  return value;
}

function timestampOf(value: unknown, field: string): number {
  const ms = typeof value === 'string' ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new StatesError('States.Runtime', `The ${field} field must be a valid ISO-8601 timestamp, but was ${JSON.stringify(value)}`);
  }
  return ms;
}
