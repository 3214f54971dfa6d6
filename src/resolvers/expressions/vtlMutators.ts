/**
 * What the gateway's VTL subset (vtlSubset.ts) pays for and changes: the text bound and price of a
 * value a helper or method is given, and the Java mutators (`$map.put`, `$list.add`…), which run only
 * on a list or map the run made and are checked and paid for before the engine's own table runs them.
 */
import { MAX_STRING, Fallback, ON_OBJECT, protoMask, spend, weightOf, type Frame } from './evaluate.js';

/**
 * Java methods that change the list or map they are called on (guest/vtl/java.ts), called through
 * the engine's own table only on a value the run made (CtxSource.writable: the stash, a literal of
 * a template that writes, the response's own ctx.result); on any other value they fall back.
 */
export const MUTATORS = new Set(['put', 'putAll', 'add', 'addAll', 'set', 'remove', 'clear']);

/** Elements or keys a `$util.list`/`$util.map` copy compares (each against each: its cost is their product). */
export const sizeOf = (value: unknown): number =>
  Array.isArray(value) ? value.length : typeof value === 'object' && value !== null ? Object.keys(value).length : 0;
export const PAIRWISE_HELPERS = new Set([
  'util.list.copyAndRetainAll',
  'util.list.copyAndRemoveAll',
  'util.map.copyAndRetainAllKeys',
  'util.map.copyAndRemoveAllKeys',
]);

/** Whether `f`'s run made `value` (the stash, a literal of a template that writes, a response's ctx.result): the only values a Java mutator may change. */
export function writable(f: Frame, value: object): boolean {
  return f.ctx.writable?.has(value) === true;
}

/**
 * The text bound of what a value prints or serialises as (keys and strings by their length,
 * 24 per other leaf), walking shared subtrees each time they are reached: at most `limit`, or
 * Infinity. Called after weightOf paid for the walk (its expanded size is within the budget).
 */
function textBound(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') total += v.length + 2;
    else if (typeof v !== 'object' || v === null) total += 24;
    else if (Array.isArray(v)) {
      total += 2 + 2 * v.length;
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else {
      for (const key of Object.keys(v)) {
        total += key.length + 4;
        stack.push((v as Record<string, unknown>)[key]);
      }
    }
    if (total > limit) return Infinity;
  }
  return total;
}

/** Pays for a value a helper or method is given or a reference prints, and refuses one whose text would pass the engine's limit. */
export function payFor(f: Frame, value: unknown): void {
  if (typeof value === 'string') {
    if (value.length > 64) spend(f, value.length >> 6);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  spend(f, weightOf(f, value));
  if (textBound(value, MAX_STRING) === Infinity) throw new Fallback('a value whose text would be longer than the limit');
}

/** A key a map may be given here: a primitive's text that no built-in prototype has (the sandbox's frozen prototypes decide the rest). */
function mapKey(key: unknown): string {
  if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'boolean') throw new Fallback('a map key that is not a string');
  const text = String(key);
  if (text === '__proto__' || (protoMask(text) & ON_OBJECT) !== 0) throw new Fallback(`the map key ${text}`);
  return text;
}

/** Checks and pays for a list mutator's call (java.ts LIST) before it runs. */
export function checkListCall(f: Frame, name: string, list: unknown[], args: unknown[]): void {
  const index = (at: unknown, end: number): void => {
    if (typeof at !== 'number' || !Number.isInteger(at) || at < 0 || at > end) throw new Fallback(`${name}() at an index outside the list`);
  };
  switch (name) {
    case 'add':
      if (args.length >= 2) index(args[0], list.length);
      return;
    case 'set':
      index(args[0], list.length - 1);
      return;
    case 'addAll':
      if (Array.isArray(args[0])) spend(f, args[0].length);
      return;
    case 'remove':
      spend(f, list.length);
      if (typeof args[0] === 'object' && args[0] !== null) payFor(f, args[0]);
      return;
    case 'clear':
      spend(f, list.length);
  }
}

/** Checks and pays for a map mutator's call (java.ts MAP) before it runs. */
export function checkMapCall(f: Frame, name: string, map: Record<string, unknown>, args: unknown[]): void {
  switch (name) {
    case 'put':
      mapKey(args[0]);
      return;
    case 'putAll': {
      const from = args[0];
      if (typeof from !== 'object' || from === null || Array.isArray(from)) return;
      const keys = Object.keys(from);
      spend(f, keys.length);
      for (const key of keys) mapKey(key);
      return;
    }
    case 'remove':
      mapKey(args[0]);
      return;
    case 'clear':
      spend(f, Object.keys(map).length);
  }
}
