/**
 * The 18 intrinsic functions of the Amazon States Language (`States.Format`, `States.Array`, ...),
 * usable in `.$` keys of JSONPath payload templates. Failures throw
 * `StatesError('States.IntrinsicFailure', "The function '<call>' had the following error: <detail>")`
 * (a path argument that selects nothing: `States.Runtime`, detail `The JsonPath argument for the
 * field '$.x' could not be found in the input '{...}'`); like jsonpath.ts, the cause lacks the
 * state prefix the engine adds with `stateCause`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { StatesError } from './types.js';
// Mutual recursion by design: intrinsic arguments are paths and payload templates call intrinsics; both sides are used
// only inside functions, never at module load.
// eslint-disable-next-line import-x/no-cycle -- see above
import { jsonText, trySelectPath, type PathScope } from './jsonpath.js';
import { deepEqual } from './lang/pathEval.js';
import { IntrinsicSyntaxError, parseIntrinsic, type IntrinsicArg, type IntrinsicCall } from './lang/intrinsicParser.js';

export { IntrinsicSyntaxError, parseIntrinsic } from './lang/intrinsicParser.js';

const INTRINSIC_START = /^\s*States\.[A-Za-z0-9]+\s*\(/;

/** True when `text` is an intrinsic function call (starts with `States.<Name>(`). */
export function isIntrinsic(text: string): boolean {
  return INTRINSIC_START.test(text);
}

/** The intrinsic functions AWS offers, with their argument counts (min, max). */
const INTRINSIC_ARITY: Readonly<Record<string, readonly [number, number]>> = {
  'States.Format': [1, Infinity],
  'States.StringToJson': [1, 1],
  'States.JsonToString': [1, 1],
  'States.Array': [0, Infinity],
  'States.ArrayPartition': [2, 2],
  'States.ArrayContains': [2, 2],
  'States.ArrayRange': [3, 3],
  'States.ArrayGetItem': [2, 2],
  'States.ArrayLength': [1, 1],
  'States.ArrayUnique': [1, 1],
  'States.Base64Encode': [1, 1],
  'States.Base64Decode': [1, 1],
  'States.Hash': [2, 2],
  'States.JsonMerge': [3, 3],
  'States.MathRandom': [2, 3],
  'States.MathAdd': [2, 2],
  'States.StringSplit': [2, 2],
  'States.UUID': [0, 0],
};

/**
 * Checks the syntax, function names and argument counts of an intrinsic call without running it
 * (used by validateDefinition); returns an error message or undefined.
 */
export function checkIntrinsic(expression: string): string | undefined {
  let call: IntrinsicCall;
  try {
    call = parseIntrinsic(expression);
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  return checkCall(call);
}

function checkCall(call: IntrinsicCall): string | undefined {
  const arity = INTRINSIC_ARITY[call.name];
  if (!arity) return `Unknown intrinsic function '${call.name}'`;
  const n = call.args.length;
  if (n < arity[0] || n > arity[1]) return argCountMessage(call.name, arity, n);
  for (const a of call.args) {
    if (a.kind === 'call') {
      const inner = checkCall(a.call);
      if (inner) return inner;
    }
  }
  return undefined;
}

function argCountMessage(name: string, arity: readonly [number, number], got: number): string {
  const [min, max] = arity;
  const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
  return `The function '${name}' expects ${expected} argument${min === 1 && max === 1 ? '' : 's'} but received ${got}`;
}

/** A failure inside a call; evaluateIntrinsic turns it into AWS's cause for the whole expression. */
class IntrinsicDetail extends Error {
  constructor(
    readonly error: string,
    readonly detail: string,
  ) {
    super(detail);
  }
}

function fail(detail: string): never {
  throw new IntrinsicDetail('States.IntrinsicFailure', detail);
}

/**
 * Evaluates an intrinsic call against the state's data (`$`), the context object (`$$`) and the
 * variables (`$name`).
 */
export function evaluateIntrinsic(expression: string, data: unknown, scope: PathScope, field?: string): unknown {
  // `field` (the template key) is accepted for symmetry with selectPath; AWS's intrinsic causes
  // name the function call instead: `The function '<call>' had the following error: <detail>`.
  void field;
  try {
    return run(parseIntrinsic(expression), data, scope);
  } catch (e) {
    if (e instanceof IntrinsicDetail) throw new StatesError(e.error, `The function '${expression}' had the following error: ${e.detail}`);
    if (e instanceof IntrinsicSyntaxError)
      throw new StatesError('States.IntrinsicFailure', `The function '${expression}' had the following error: ${e.message}`);
    throw e;
  }
}

type Value = unknown;

function argValue(arg: IntrinsicArg, data: unknown, scope: PathScope): Value {
  switch (arg.kind) {
    case 'string':
    case 'number':
    case 'boolean':
      return arg.value;
    case 'null':
      return null;
    case 'path': {
      let value: unknown;
      try {
        value = trySelectPath(arg.path, data, scope);
      } catch (e) {
        throw new IntrinsicDetail('States.IntrinsicFailure', `Invalid path '${arg.path}': ${e instanceof Error ? e.message : String(e)}`);
      }
      if (value === undefined) {
        const input = arg.path.startsWith('$$') ? scope.context : data;
        throw new IntrinsicDetail('States.Runtime', `The JsonPath argument for the field '${arg.path}' could not be found in the input '${jsonText(input)}'`);
      }
      return value;
    }
    case 'call':
      return run(arg.call, data, scope);
  }
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function expectType<T>(call: IntrinsicCall, index: number, v: unknown, type: 'string' | 'number' | 'boolean' | 'array' | 'object' | 'integer'): T {
  const ok = type === 'integer' ? typeof v === 'number' : type === 'array' ? Array.isArray(v) : typeName(v) === type;
  if (!ok) {
    fail(`The ${ordinal(index)} argument of the function '${call.name}' must be of type ${type === 'integer' ? 'number' : type} but was ${typeName(v)}`);
  }
  // AWS rounds numbers where it wants integers (States.MathAdd(1.5, 1.51) is 4): Java's
  // Math.round, which is JavaScript's too.
  return (type === 'integer' ? Math.round(v as number) : v) as T;
}

function ordinal(i: number): string {
  return ['first', 'second', 'third', 'fourth', 'fifth'][i] ?? `#${i + 1}`;
}

const MAX_STRING_INPUT = 10_000;
const MAX_ARRAY_RANGE = 1000;
const HASH_ALGORITHMS: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

function run(call: IntrinsicCall, data: unknown, scope: PathScope): Value {
  const arity = INTRINSIC_ARITY[call.name];
  if (!arity) fail(`The function '${call.name}' is not supported`);
  if (call.args.length < arity[0] || call.args.length > arity[1]) fail(argCountMessage(call.name, arity, call.args.length));
  const args = call.args.map((a) => argValue(a, data, scope));
  switch (call.name) {
    case 'States.Format':
      return format(call, args);
    case 'States.StringToJson': {
      const s = expectType<string>(call, 0, args[0], 'string');
      // AWS answers null for an empty string rather than failing the parse (issue #26).
      if (s === '') return null;
      try {
        return JSON.parse(s);
      } catch {
        fail(`The function '${call.name}' could not parse its argument as JSON: '${s}'`);
      }
    }
    case 'States.JsonToString':
      return JSON.stringify(args[0] ?? null);
    case 'States.Array':
      return args;
    case 'States.ArrayPartition': {
      const arr = expectType<unknown[]>(call, 0, args[0], 'array');
      const size = expectType<number>(call, 1, args[1], 'integer');
      if (size <= 0) fail(`The chunk size argument of the function '${call.name}' must be greater than 0`);
      const out: unknown[][] = [];
      for (let i = 0; i < arr.length; i += size) out.push(arr.slice(i, i + size));
      return out;
    }
    case 'States.ArrayContains': {
      const arr = expectType<unknown[]>(call, 0, args[0], 'array');
      return arr.some((x) => deepEqual(x, args[1]));
    }
    case 'States.ArrayRange': {
      const start = expectType<number>(call, 0, args[0], 'integer');
      const end = expectType<number>(call, 1, args[1], 'integer');
      const step = expectType<number>(call, 2, args[2], 'integer');
      if (step === 0) fail(`The step argument of the function '${call.name}' must not be 0`);
      const count = Math.floor((end - start) / step) + 1;
      if (count > MAX_ARRAY_RANGE) fail(`The function '${call.name}' cannot create an array of more than ${MAX_ARRAY_RANGE} items`);
      const out: number[] = [];
      for (let i = 0; i < count; i++) out.push(start + i * step);
      return out;
    }
    case 'States.ArrayGetItem': {
      const arr = expectType<unknown[]>(call, 0, args[0], 'array');
      const index = expectType<number>(call, 1, args[1], 'integer');
      if (index < 0 || index >= arr.length)
        fail(`The index ${index} provided to the function '${call.name}' is out of bounds for an array of ${arr.length} items`);
      return arr[index];
    }
    case 'States.ArrayLength':
      return expectType<unknown[]>(call, 0, args[0], 'array').length;
    case 'States.ArrayUnique': {
      const arr = expectType<unknown[]>(call, 0, args[0], 'array');
      const out: unknown[] = [];
      for (const x of arr) if (!out.some((y) => deepEqual(x, y))) out.push(x);
      return out;
    }
    case 'States.Base64Encode': {
      const s = expectType<string>(call, 0, args[0], 'string');
      if (s.length > MAX_STRING_INPUT) fail(`The input to the function '${call.name}' must not exceed ${MAX_STRING_INPUT} characters`);
      return Buffer.from(s, 'utf8').toString('base64');
    }
    case 'States.Base64Decode': {
      const s = expectType<string>(call, 0, args[0], 'string');
      if (s.length > MAX_STRING_INPUT) fail(`The input to the function '${call.name}' must not exceed ${MAX_STRING_INPUT} characters`);
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) fail(`The input to the function '${call.name}' is not valid base64: '${s}'`);
      return Buffer.from(s, 'base64').toString('utf8');
    }
    case 'States.Hash': {
      const value = args[0];
      if (value === null || value === undefined) fail(`The first argument of the function '${call.name}' must not be null`);
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      if (text.length > MAX_STRING_INPUT) fail(`The input to the function '${call.name}' must not exceed ${MAX_STRING_INPUT} characters`);
      const algorithm = expectType<string>(call, 1, args[1], 'string');
      const node = HASH_ALGORITHMS[algorithm];
      if (!node)
        fail(`The hash algorithm '${algorithm}' is not supported by the function '${call.name}'; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
      return createHash(node).update(text, 'utf8').digest('hex');
    }
    case 'States.JsonMerge': {
      const a = expectType<Record<string, unknown>>(call, 0, args[0], 'object');
      const b = expectType<Record<string, unknown>>(call, 1, args[1], 'object');
      const deep = expectType<boolean>(call, 2, args[2], 'boolean');
      // AWS supports only the shallow mode.
      if (deep) fail(`The function '${call.name}' supports only shallow merging; its third argument must be false`);
      return { ...a, ...b };
    }
    case 'States.MathRandom': {
      const start = expectType<number>(call, 0, args[0], 'integer');
      const end = expectType<number>(call, 1, args[1], 'integer');
      if (end <= start) fail(`The end argument of the function '${call.name}' must be greater than its start argument`);
      const rnd = args.length === 3 ? seeded(expectType<number>(call, 2, args[2], 'integer')) : Math.random();
      return start + Math.floor(rnd * (end - start));
    }
    case 'States.MathAdd': {
      const a = expectType<number>(call, 0, args[0], 'integer');
      const b = expectType<number>(call, 1, args[1], 'integer');
      return a + b;
    }
    case 'States.StringSplit': {
      const s = expectType<string>(call, 0, args[0], 'string');
      const delimiters = expectType<string>(call, 1, args[1], 'string');
      // Every character of the second argument is a delimiter and empty pieces are dropped
      // (AWS's example: 'This.is+a,test=string' split by '.+,=').
      const out: string[] = [];
      let piece = '';
      for (const ch of s) {
        if (delimiters.includes(ch)) {
          if (piece) out.push(piece);
          piece = '';
        } else piece += ch;
      }
      if (piece) out.push(piece);
      return out;
    }
    case 'States.UUID':
      return randomUUID();
  }
  return fail(`The function '${call.name}' is not supported`);
}

function format(call: IntrinsicCall, args: unknown[]): string {
  const first = call.args[0]!;
  const template = first.kind === 'string' ? first.raw : expectType<string>(call, 0, args[0], 'string');
  const values = args.slice(1);
  let out = '';
  let used = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && i + 1 < template.length) {
      out += template[i + 1];
      i++;
    } else if (c === '{' && template[i + 1] === '}') {
      if (used >= values.length) fail(`The number of arguments of the function '${call.name}' does not match the number of placeholders in its template`);
      const v = values[used++];
      if (typeof v === 'object' && v !== null) {
        fail(`The function '${call.name}' accepts only string, number, boolean or null values for its placeholders, but received ${typeName(v)}`);
      }
      out += typeof v === 'string' ? v : JSON.stringify(v);
      i++;
    } else out += c;
  }
  if (used !== values.length) fail(`The number of arguments of the function '${call.name}' does not match the number of placeholders in its template`);
  return out;
}

/** A deterministic number in [0, 1) from an integer seed (mulberry32). */
function seeded(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
