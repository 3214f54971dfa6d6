/**
 * The run-time side of handlers the gateway evaluates (docs/resolvers.md#handlers-the-gateway-evaluates):
 * the frame one handler call works in, its budget, the operations the compiled closure tree
 * (subset.ts) performs, and the walks that turn values into what the sandbox's JSON crossing gives.
 *
 * Every operation either gives exactly the value the same code gives in the sandbox, or throws
 * `Fallback`: the caller then runs the resolver in the sandbox as if this path did not exist. The
 * subset's only side effects are on the run's stash and values the run made, so abandoning an
 * evaluation half way changes nothing the sandbox would see: before a data source was called the
 * whole run goes to the sandbox, after it the stash as it stood before the handler (stashText.ts).
 */
import type { Helper } from './hostHelpers.js';
import { setAuthMode } from './hostHelpers.js';

/** Thrown to abandon an evaluation; `reason` goes to the debug log. Not an Error: no stack is captured. */
export class Fallback {
  constructor(readonly reason: string) {}
}

/**
 * Work units one handler call may spend: one per node evaluated, per property or element copied,
 * per node a helper or the result walk is given (its expanded size: shared subtrees count each
 * time they are reached), per 64 characters of a string made or compared, and for each call of
 * one of the file's functions one plus its number of syntax nodes (calls can multiply where
 * nothing else does). A call that would exceed it falls back before the work is done.
 */
export const MAX_UNITS = 200_000;
/** Longest string an evaluation makes (concatenation, templates, a helper's result). */
export const MAX_STRING = 5 * 1024 * 1024;
/** Deepest value the walks follow (deeper ones fall back: the sandbox decides). */
const MAX_DEPTH = 200;

/** The short-circuit of an optional chain (`a?.b.c` with `a` nullish), passed up to the chain's end. */
export const SHORT: unique symbol = Symbol('short-circuit');

/** What the `ctx` of one handler call reads from (built lazily: most handlers read one or two members). */
export interface CtxSource {
  /** `ctx.<name>` as the sandbox's ctx has it; undefined for names it does not have. */
  root(name: string): unknown;
  /** The whole ctx object (a handler that uses `ctx` as a value). */
  whole(): Record<string, unknown>;
  readonly authMode: string;
  /**
   * The objects this run made that a VTL template may change with a Java mutator (`$map.put`…):
   * the stash, literals of templates that write, each response handler's own ctx.result
   * (docs/resolvers.md#handlers-the-gateway-evaluates). Absent: nothing is.
   */
  readonly writable?: WeakSet<object>;
}

/** One handler call's state. */
export interface Frame {
  /** Top-level constants then the handler's locals. */
  slots: unknown[];
  ctx: CtxSource;
  units: number;
  /** Expanded sizes of objects already measured in this call. */
  weights: Map<object, number> | undefined;
  /** A VTL `#break` was met: lists stop up to their loop's. */
  broke?: boolean;
}

export type Node = (f: Frame) => unknown;

const hasOwn = Object.hasOwn;
const getPrototypeOf = Object.getPrototypeOf;
const objectKeys = Object.keys;
const isArray = Array.isArray;
const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const defineProperty = Object.defineProperty;
/** An array of Array.prototype, whose iteration and methods are the frozen built-ins the sandbox has too. */
const isPlainArray = (value: unknown): value is unknown[] => isArray(value) && getPrototypeOf(value) === ARRAY_PROTO;

export function spend(f: Frame, units: number): void {
  if ((f.units -= units) < 0) throw new Fallback('the evaluation budget is spent');
}

/** Sets `key` with define semantics (an own `__proto__` key stays one, as JSON.parse and spread make it). */
export function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** Which built-in prototypes have a key (worked out at load for each key a handler reads). */
export const ON_OBJECT = 1;
export const ON_ARRAY = 2;
export const ON_STRING = 4;
export const ON_NUMBER = 8;
const namesOf = (...protos: object[]) => new Set(protos.flatMap((p) => Object.getOwnPropertyNames(p)));
const OBJECT_NAMES = namesOf(Object.prototype);
const ARRAY_NAMES = namesOf(Array.prototype);
const STRING_NAMES = namesOf(String.prototype);
const NUMBER_NAMES = namesOf(Number.prototype, Boolean.prototype);

/** The prototypes `key` is found on (ON_* bits); `length` counts as own where it is read (arrays, strings). */
export function protoMask(key: string): number {
  return (
    (OBJECT_NAMES.has(key) ? ON_OBJECT : 0) |
    (ARRAY_NAMES.has(key) && key !== 'length' ? ON_ARRAY : 0) |
    (STRING_NAMES.has(key) && key !== 'length' ? ON_STRING : 0) |
    (NUMBER_NAMES.has(key) ? ON_NUMBER : 0)
  );
}

/**
 * `object[key]`, as JavaScript reads it, for the values a handler holds: own properties of plain
 * objects and arrays (a missing key is undefined unless a built-in prototype has it), `length` and
 * indexes of strings. Whatever would reach a prototype member or a class's member falls back, as do
 * `null` and `undefined` (the sandbox throws a TypeError). `mask` is `protoMask(key)`.
 */
export function readMember(object: unknown, key: string, mask: number): unknown {
  if (typeof object === 'object') {
    if (object === null) throw new Fallback(`reading ${key} of null`);
    if (hasOwn(object, key)) return (object as Record<string, unknown>)[key];
    const proto = getPrototypeOf(object);
    if (proto === null) return undefined;
    if (proto === OBJECT_PROTO ? (mask & ON_OBJECT) === 0 : proto === ARRAY_PROTO && (mask & (ON_OBJECT | ON_ARRAY)) === 0) return undefined;
    throw new Fallback(`reading ${key}, which is not an own property`);
  }
  if (typeof object === 'string') {
    if ((mask & (ON_OBJECT | ON_STRING)) !== 0) throw new Fallback(`reading ${key} of a string`);
    return (object as unknown as Record<string, unknown>)[key];
  }
  if (typeof object === 'number' || typeof object === 'boolean') {
    if ((mask & (ON_OBJECT | ON_NUMBER)) !== 0) throw new Fallback(`reading ${key} of a ${typeof object}`);
    return undefined;
  }
  throw new Fallback(`reading ${key} of ${object === undefined ? 'undefined' : typeof object}`);
}

/** A made string: bounded in length, and paid for by its size. */
export function madeString(f: Frame, s: string): string {
  if (s.length > MAX_STRING) throw new Fallback('a string longer than the limit');
  if (s.length > 64) spend(f, s.length >> 6);
  return s;
}

/** The text a template literal gives a substitution: only primitives (an object's text would run its toString). */
export function templateText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'object':
      if (value === null) return 'null';
  }
  throw new Fallback('a template substitution that is not a primitive');
}

const concatenable = (v: unknown): boolean => {
  const t = typeof v;
  return t === 'string' || t === 'number' || t === 'boolean' || v === null || v === undefined;
};

export function add(f: Frame, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if ((typeof a === 'string' || typeof b === 'string') && concatenable(a) && concatenable(b)) {
    return madeString(f, (a as string) + (b as string));
  }
  throw new Fallback('+ on values that are neither two numbers nor a string and a primitive');
}

export function arithmetic(op: string, a: unknown, b: unknown): number {
  if (typeof a !== 'number' || typeof b !== 'number') throw new Fallback(`${op} on values that are not numbers`);
  switch (op) {
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    default:
      return a % b;
  }
}

export function compare(f: Frame, op: string, a: unknown, b: unknown): boolean {
  const ta = typeof a;
  if (!((ta === 'number' || ta === 'string') && ta === typeof b)) throw new Fallback(`${op} on values that are not two numbers or two strings`);
  if (ta === 'string') spend(f, Math.min((a as string).length, (b as string).length) >> 6);
  switch (op) {
    case '<':
      return (a as number) < (b as number);
    case '>':
      return (a as number) > (b as number);
    case '<=':
      return (a as number) <= (b as number);
    default:
      return (a as number) >= (b as number);
  }
}

export function strictEquals(f: Frame, a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string' && a.length === b.length) spend(f, a.length >> 6);
  return a === b;
}

/** `{ ...value }`: own enumerable properties, as spread copies them; strings (their characters) fall back. */
export function spreadInto(f: Frame, target: Record<string, unknown>, value: unknown): void {
  if (value === null || value === undefined || typeof value === 'number' || typeof value === 'boolean') return;
  if (typeof value !== 'object') throw new Fallback(`spreading a ${typeof value} into an object`);
  const keys = objectKeys(value);
  spend(f, keys.length);
  for (let i = 0; i < keys.length; i++) put(target, keys[i]!, (value as Record<string, unknown>)[keys[i]!]);
}

/** `[...value]` for arrays (anything else iterates through code the subset does not follow: falls back). */
export function spreadArray(f: Frame, target: unknown[], value: unknown): void {
  if (!isPlainArray(value)) throw new Fallback('spreading a value that is not an array');
  spend(f, value.length);
  if (target.length + value.length > MAX_STRING) throw new Fallback('an array longer than the limit');
  for (let i = 0; i < value.length; i++) target.push(value[i]);
}

/**
 * The expanded size of a value (shared subtrees counted each time they are reached), measured
 * once per object per call: each distinct node costs a unit to measure, so the measure itself is
 * bounded by the budget.
 */
export function weightOf(f: Frame, value: unknown, depth = 0): number {
  if (typeof value !== 'object' || value === null) return typeof value === 'string' ? 1 + (value.length >> 6) : 1;
  const weights = (f.weights ??= new Map());
  const known = weights.get(value);
  if (known !== undefined) return known;
  if (depth > MAX_DEPTH) throw new Fallback('a value nested deeper than the limit');
  let total = 1;
  if (isArray(value)) {
    spend(f, 1 + value.length);
    for (let i = 0; i < value.length; i++) total += weightOf(f, value[i], depth + 1);
  } else {
    const keys = objectKeys(value);
    spend(f, 1 + keys.length);
    for (let i = 0; i < keys.length; i++) total += 1 + weightOf(f, (value as Record<string, unknown>)[keys[i]!], depth + 1);
  }
  weights.set(value, total);
  return total;
}

/** Calls a listed helper: its arguments are paid for by their expanded size first; whatever it throws falls back. */
export function callHelper(f: Frame, helper: Helper, args: unknown[]): unknown {
  let weight = 0;
  for (let i = 0; i < args.length; i++) weight += weightOf(f, args[i]);
  spend(f, weight);
  let result: unknown;
  setAuthMode(f.ctx.authMode);
  try {
    result = helper.fn.apply(helper.self, args);
  } catch (error) {
    throw new Fallback(`${helper.path} threw: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof result === 'string') madeString(f, result);
  return result;
}

// ---------------------------------------------------------------------------------------------
// JSON: what crossing to the sandbox and back makes of a value

/** Thrown inside `jsonCopy`'s fast walk: the value needs JSON's own rules (toJSON, a class, undefined...). */
const SLOW = new Fallback('slow');

/**
 * What `JSON.parse(JSON.stringify(value))` gives (how an input reaches the sandbox), as a fresh
 * tree: a walk for plain data, JSON itself for anything else. A value JSON cannot take (a cycle, a
 * BigInt) falls back, so the sandbox path reports it.
 */
export function jsonCopy(value: unknown): unknown {
  try {
    return copyPlain(value, 0);
  } catch (error) {
    if (error !== SLOW) throw error;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new Fallback(`an input JSON cannot take: ${(error as Error).message}`);
  }
  return text === undefined ? undefined : JSON.parse(text);
}

function copyPlain(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (value === 0) return 0;
      if (value - value !== 0) throw SLOW;
      return value;
    case 'object':
      break;
    default:
      throw SLOW;
  }
  if (value === null) return null;
  if (depth > MAX_DEPTH) throw SLOW;
  const proto = getPrototypeOf(value);
  if (isArray(value)) {
    if (proto !== ARRAY_PROTO) throw SLOW;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyPlain(value[i], depth + 1);
    return out;
  }
  if (proto !== OBJECT_PROTO && proto !== null) throw SLOW;
  const out: Record<string, unknown> = {};
  const keys = objectKeys(value);
  for (let i = 0; i < keys.length; i++) {
    put(out, keys[i]!, copyPlain((value as Record<string, unknown>)[keys[i]!], depth + 1));
  }
  return out;
}

/** Deep-freezes a copy shared between runs (identity, headers, variables, env): a helper writing into it falls back. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of objectKeys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** Characters that make a string's JSON longer than its length + 2. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;
const jsonLengthBound = (s: string): number => (s.length > 0 && NEEDS_ESCAPE.test(s) ? 6 * s.length + 2 : s.length + 2);

/**
 * A handler's value as the sandbox hands it back: a fresh tree made by JSON's rules (undefined
 * and function members dropped, in arrays null; NaN and ±Infinity null; -0 is 0). Paid for node by
 * node, so a shared subtree reached many times spends the budget before it is copied many times.
 * A value JSON would render through code (toJSON, a class) falls back, as does one whose JSON
 * would exceed `maxChars` (the sandbox reports ResultTooLarge).
 */
export function toResult(f: Frame, value: unknown, maxChars: number): unknown {
  const state = { chars: 0 };
  if (typeof value === 'function' || typeof value === 'symbol') throw new Fallback(`a ${typeof value} as the result`);
  const out = normalise(f, value, 0, state, maxChars);
  if (state.chars + OUTCOME_FRAME > maxChars) {
    // The count is an upper bound: the exact length, in the sandbox's answer frame, decides.
    if ((JSON.stringify(out) ?? '').length + OUTCOME_FRAME > maxChars) throw new Fallback('a result longer than the limit');
  }
  return out === undefined ? null : out;
}

/** `{"k":"ok","v":` and `}` around a value in the sandbox's answer, which its limit counts. */
const OUTCOME_FRAME = 15;

function normalise(f: Frame, value: unknown, depth: number, state: { chars: number }, maxChars: number): unknown {
  switch (typeof value) {
    case 'string':
      state.chars += jsonLengthBound(value);
      if (value.length > 64) spend(f, value.length >> 6);
      return value;
    case 'number':
      state.chars += 24;
      return value - value === 0 ? value + 0 : null;
    case 'boolean':
      state.chars += 5;
      return value;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'bigint':
      throw new Fallback('a BigInt in the result');
  }
  if (value === null) {
    state.chars += 4;
    return null;
  }
  if (depth > MAX_DEPTH) throw new Fallback('a result nested deeper than the limit');
  if (state.chars > 2 * maxChars + 1024) throw new Fallback('a result longer than the limit');
  const proto = getPrototypeOf(value);
  if (isArray(value)) {
    if (proto !== ARRAY_PROTO) throw new Fallback('an array of another class in the result');
    spend(f, 1 + value.length);
    state.chars += 1 + value.length;
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const item = normalise(f, value[i], depth + 1, state, maxChars);
      if (item === undefined) state.chars += 4;
      out[i] = item === undefined ? null : item;
    }
    return out;
  }
  if (proto !== OBJECT_PROTO && proto !== null) throw new Fallback('an object of a class in the result');
  const keys = objectKeys(value as object);
  spend(f, 1 + keys.length);
  state.chars += 2;
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'function' && key === 'toJSON') throw new Fallback('a toJSON member in the result');
    const copied = normalise(f, item, depth + 1, state, maxChars);
    if (copied === undefined) continue;
    state.chars += jsonLengthBound(key) + 2;
    put(out, key, copied);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pure built-ins: Number(x), String(x) and a few string methods, on the values whose result is
// certain without running user code (JSON's primitives). Each checks its inputs before calling the
// built-in itself: a value outside these falls back, so an object's valueOf/toString never runs.

/** Whether `value` is a primitive JSON gives (string, number, boolean, null). */
const isJsonPrimitive = (value: unknown): boolean => value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

/** `Number(value)` for JSON's primitives (parsing a string is paid for by its length). */
export function toNumber(f: Frame, value: unknown): number {
  if (!isJsonPrimitive(value)) throw new Fallback('Number() of a value that is not a JSON primitive');
  if (typeof value === 'string') spend(f, value.length >> 6);
  return Number(value);
}

/** `String(value)` for JSON's primitives. */
export function toText(value: unknown): string {
  if (!isJsonPrimitive(value)) throw new Fallback('String() of a value that is not a JSON primitive');
  return String(value);
}

/** The string methods the subset calls, with how many arguments each takes (fewer or more are refused at load). */
export const STRING_METHODS: ReadonlyMap<string, { min: number; max: number }> = new Map([
  ['replace', { min: 2, max: 2 }],
  ['toUpperCase', { min: 0, max: 0 }],
  ['toLowerCase', { min: 0, max: 0 }],
  ['trim', { min: 0, max: 0 }],
  ['startsWith', { min: 1, max: 2 }],
  ['endsWith', { min: 1, max: 2 }],
  ['includes', { min: 1, max: 2 }],
  ['slice', { min: 0, max: 2 }],
  ['split', { min: 1, max: 1 }],
]);

const needString = (method: string, value: unknown): string => {
  if (typeof value !== 'string') throw new Fallback(`${method} given a value that is not a string`);
  return value;
};
/** A position argument: a number or undefined (anything else would be converted by code the subset does not follow). */
const needPosition = (method: string, value: unknown): number | undefined => {
  if (value !== undefined && typeof value !== 'number') throw new Fallback(`${method} given a position that is not a number`);
  return value;
};

/**
 * `receiver.method(...args)` for the methods of STRING_METHODS on a string receiver, as
 * String.prototype gives it; a receiver that is not a string (an array's `includes`, `slice`…)
 * falls back. Each is paid for by the length it reads and what it makes before making it.
 */
export function callStringMethod(f: Frame, method: string, receiver: unknown, args: unknown[]): unknown {
  if (typeof receiver !== 'string') throw new Fallback(`${method} called on a value that is not a string`);
  const s = receiver;
  spend(f, 1 + (s.length >> 6));
  switch (method) {
    case 'replace': {
      const pattern = needString(method, args[0]);
      const replacement = needString(method, args[1]);
      // `$&`, `$1`, `$<name>`… are patterns in a replacement: only a replacement without `$` is taken.
      if (replacement.includes('$')) throw new Fallback('replace with a $ in the replacement');
      const at = s.indexOf(pattern);
      if (at < 0) return s;
      if (s.length - pattern.length + replacement.length > MAX_STRING) throw new Fallback('a string longer than the limit');
      return madeString(f, s.slice(0, at) + replacement + s.slice(at + pattern.length));
    }
    case 'toUpperCase':
      return madeString(f, s.toUpperCase());
    case 'toLowerCase':
      return madeString(f, s.toLowerCase());
    case 'trim':
      return s.trim();
    case 'startsWith':
      return s.startsWith(needString(method, args[0]), needPosition(method, args[1]));
    case 'endsWith':
      return s.endsWith(needString(method, args[0]), needPosition(method, args[1]));
    case 'includes':
      return s.includes(needString(method, args[0]), needPosition(method, args[1]));
    case 'slice':
      return madeString(f, s.slice(needPosition(method, args[0]), needPosition(method, args[1])));
    case 'split': {
      const separator = needString(method, args[0]);
      // The pieces are counted (and paid for) before the array is made.
      if (separator.length === 0) spend(f, s.length);
      else for (let at = s.indexOf(separator); at >= 0; at = s.indexOf(separator, at + separator.length)) spend(f, 1);
      return s.split(separator);
    }
  }
  throw new Fallback(`the string method ${method}`);
}

/**
 * `array.map(fn)` with `fn` one of the file's functions taking at most one parameter (map passes
 * value, index and array; a function that reads only the first cannot tell). `each` runs the
 * function on one element, paying for its call. A receiver that is not a plain array falls back.
 */
export function mapArray(f: Frame, receiver: unknown, each: (f: Frame, value: unknown) => unknown): unknown[] {
  if (!isPlainArray(receiver)) throw new Fallback('map called on a value that is not an array');
  spend(f, 1 + receiver.length);
  const out = new Array<unknown>(receiver.length);
  for (let i = 0; i < receiver.length; i++) {
    // map skips holes (no JSON value has them; a helper's array might).
    if (!hasOwn(receiver, i)) throw new Fallback('map over an array with holes');
    out[i] = each(f, receiver[i]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Object.keys/values/entries and JSON.stringify/parse: the same built-ins the sandbox's code calls,
// called here only on values whose answer is certain without running user code (plain objects and
// arrays of JSON's values), each paid for by the size it reads or makes before it does the work.

/** Whether `value` is a plain object (of Object.prototype or none) or a plain array: what JSON and the subset make. */
const isPlainContainer = (value: unknown): value is object => {
  if (typeof value !== 'object' || value === null) return false;
  const proto = getPrototypeOf(value);
  return isArray(value) ? proto === ARRAY_PROTO : proto === OBJECT_PROTO || proto === null;
};

/**
 * `Object.keys(value)`, `Object.values(value)` or `Object.entries(value)` of a plain object or
 * array (own enumerable string keys, in the order JavaScript gives them). A string, number or any
 * other receiver falls back (the sandbox converts or throws).
 */
export function objectMembers(f: Frame, which: 'keys' | 'values' | 'entries', value: unknown): unknown[] {
  if (!isPlainContainer(value)) throw new Fallback(`Object.${which} of a value that is not a plain object or array`);
  const keys = objectKeys(value);
  // entries makes a pair per key: twice the work of keys or values.
  spend(f, 1 + (which === 'entries' ? 2 : 1) * keys.length);
  if (which === 'keys') return keys;
  const record = value as Record<string, unknown>;
  const out = new Array<unknown>(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = which === 'values' ? record[keys[i]!] : [keys[i]!, record[keys[i]!]];
  return out;
}

/**
 * Walks what `JSON.stringify` will read, checking that it renders without running code (no
 * toJSON, class, BigInt, function) and bounding its text: each node reached is paid for (a shared
 * subtree each time, as stringify renders it each time), and the bound is the longest text it can
 * make. Gives that bound.
 */
function jsonTextBound(f: Frame, value: unknown, depth: number, inArray: boolean): number {
  switch (typeof value) {
    case 'string':
      if (value.length > 64) spend(f, value.length >> 6);
      return jsonLengthBound(value);
    case 'number':
      return 24;
    case 'boolean':
      return 5;
    case 'undefined':
      return inArray ? 4 : 0;
    case 'object':
      break;
    default:
      throw new Fallback(`JSON.stringify of a ${typeof value}`);
  }
  if (value === null) return 4;
  if (!isPlainContainer(value)) throw new Fallback('JSON.stringify of an object of a class');
  if (depth > MAX_DEPTH) throw new Fallback('JSON.stringify of a value nested deeper than the limit');
  let total = 2;
  if (isArray(value)) {
    spend(f, 1 + value.length);
    for (let i = 0; i < value.length; i++) {
      total += 1 + jsonTextBound(f, value[i], depth + 1, true);
      if (total > MAX_STRING) throw new Fallback('a string longer than the limit');
    }
    return total;
  }
  const keys = objectKeys(value);
  spend(f, 1 + keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const item = (value as Record<string, unknown>)[key];
    if (key === 'toJSON' && typeof item === 'function') throw new Fallback('JSON.stringify of a value with toJSON');
    total += 2 + jsonLengthBound(key) + jsonTextBound(f, item, depth + 1, false);
    if (total > MAX_STRING) throw new Fallback('a string longer than the limit');
  }
  return total;
}

/**
 * `JSON.stringify(value)` with one argument, of JSON's values: the text, or undefined for
 * undefined (as JavaScript gives it). The whole value is walked and paid for first, so a shared
 * subtree rendered many times meets the budget before its text is made.
 */
export function jsonStringify(f: Frame, value: unknown): string | undefined {
  jsonTextBound(f, value, 0, false);
  return JSON.stringify(value);
}

/**
 * `JSON.parse(text)` with one argument as the sandbox gives it: the value, or `""` when the text
 * is not JSON (guest/prelude.ts replaces JSON.parse so; AppSync's runtime does the same). Only a
 * string is taken (anything else would be converted to text by code the subset does not follow);
 * the parse is paid for by the text's length.
 */
export function jsonParse(f: Frame, text: unknown): unknown {
  if (typeof text !== 'string') throw new Fallback('JSON.parse of a value that is not a string');
  spend(f, 1 + (text.length >> 6));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not a failure of ours: invalid JSON answers "" in the sandbox, and so here.
    return '';
  }
}

/**
 * The values `const [a, , b = 1, ...rest] = value` binds, for a plain array (whose iteration is
 * Array.prototype's, frozen in the sandbox): element `i` for each of `count` names, then the rest
 * when `rest` is set. Anything else (a string iterates by code points, an object may not iterate)
 * falls back.
 */
export function destructureArray(f: Frame, value: unknown, count: number, rest: boolean): unknown[] {
  if (!isPlainArray(value)) throw new Fallback('an array pattern of a value that is not an array');
  spend(f, 1 + count + (rest ? Math.max(0, value.length - count) : 0));
  const out = new Array<unknown>(count + (rest ? 1 : 0));
  for (let i = 0; i < count; i++) out[i] = value[i];
  if (rest) {
    // Iteration reads every index (a hole gives undefined): the rest is dense, unlike slice's copy.
    const tail = new Array<unknown>(Math.max(0, value.length - count));
    for (let i = count; i < value.length; i++) tail[i - count] = value[i];
    out[count] = tail;
  }
  return out;
}
