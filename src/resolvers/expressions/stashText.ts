/**
 * The stash a hand-over gives the sandbox (docs/resolvers.md#handlers-the-gateway-evaluates): once a
 * data source other than NONE has been called, a run that falls back cannot be restarted, so the
 * sandbox run opened there starts from the stash as it stood before the handler that fell back. It
 * crosses as JSON text, so it is taken only when JSON gives back exactly the same values: a tree of
 * JSON's values, every object in it made by this run (no object reached twice, none shared with an
 * input, where the sandbox's run would keep the sharing), no undefined, no -0, no hole. Anything else
 * is a Fallback at that point.
 */
import { Fallback } from './evaluate.js';
import type { RunInputs } from './context.js';

const MAX_DEPTH = 200;
const getPrototypeOf = Object.getPrototypeOf;
const hasOwn = Object.hasOwn;

/** The run's stash as JSON text, or a thrown Fallback when that text would not give back the same stash. */
export function stashText(inputs: RunInputs): string {
  const stash = inputs.get('stash') as Record<string, unknown>;
  const seen = new Set<object>();
  check(inputs.writable, stash, seen, 0);
  return JSON.stringify(stash);
}

function check(writable: WeakSet<object>, value: unknown, seen: Set<object>, depth: number): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value) || Object.is(value, -0)) throw new Fallback('a number JSON would change in the stash');
      return;
    case 'object':
      break;
    default:
      throw new Fallback(value === undefined ? 'undefined in the stash' : `a ${typeof value} in the stash`);
  }
  if (value === null) return;
  if (!writable.has(value) || seen.has(value)) throw new Fallback('an object in the stash that the run did not make, or reached twice');
  if (depth > MAX_DEPTH) throw new Fallback('a stash nested deeper than the limit');
  seen.add(value);
  const proto = getPrototypeOf(value);
  if (Array.isArray(value)) {
    if (proto !== Array.prototype) throw new Fallback('an array of another class in the stash');
    for (let i = 0; i < value.length; i++) {
      if (!hasOwn(value, i)) throw new Fallback('an array with holes in the stash');
      check(writable, value[i], seen, depth + 1);
    }
    return;
  }
  if (proto !== Object.prototype) throw new Fallback('an object of a class in the stash');
  for (const key of Object.keys(value)) {
    if (key === '__proto__') throw new Fallback('a __proto__ key in the stash');
    check(writable, (value as Record<string, unknown>)[key], seen, depth + 1);
  }
}
