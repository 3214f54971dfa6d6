/**
 * JSONata in the Amazon States Language: strings of the form `{% expression %}` anywhere in a
 * field's value (`Arguments`, `Output`, `Assign`, `Condition`, `Items`, ...) are evaluated with
 * the `jsonata` package; other strings are literals. `$states` is
 * `{ input, result, errorOutput, context }`, workflow variables are bound as `$name`, `$` is the
 * state input, and AWS's extra functions (`$partition`, `$range`, `$hash`, `$random(seed)`,
 * `$uuid`, `$parse`) are available.
 *
 * Errors are `StatesError('States.QueryEvaluationError', inner)` with AWS's wording; the
 * engine adds the state prefix with `stateCause` (jsonpath.ts):
 * - `The JSONata expression '<expr>' specified for the field '<field>' returned nothing (undefined).`
 * - `The JSONata expression '<expr>' specified for the field '<field>' threw an error during evaluation. <code>: <message>`
 * Nested fields are named like AWS does: `Arguments/Input/pushLocation`, `Output/list[0]`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { StatesError, type ContextObject } from './types.js';
import { FALLBACK, compileFast, type FastFn } from './lang/jsonataFast.js';

/** What a JSONata expression can see. */
export interface JsonataScope {
  input: unknown;
  context: ContextObject;
  variables: Record<string, unknown>;
  result?: unknown;
  errorOutput?: unknown;
}

type Jsonata = typeof import('jsonata');
type Compiled = ReturnType<Jsonata>;

/**
 * The jsonata package, loaded on the first expression compiled (by the check of a definition at
 * start-up or by a run): most APIs hold no JSONata state machine, and its loading cost ~10 ms of
 * CPU before the example API's first answer. Synchronously, as the checks that compile are.
 */
function jsonataPackage(): Jsonata {
  return (loaded ??= createRequire(import.meta.url)('jsonata') as Jsonata);
}
let loaded: Jsonata | undefined;

interface CacheEntry {
  /** The compiled expression, or the compile error. */
  compiled?: Compiled;
  error?: { code?: string; message?: string };
  /** The synchronous fast path, when the expression has one (lang/jsonataFast.ts). */
  fast?: FastFn;
}

const cache = new Map<string, CacheEntry>();

const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** The expression inside `{% … %}`, or undefined when `text` is a literal string. */
export function jsonataExpression(text: string): string | undefined {
  const m = EXPRESSION.exec(text);
  return m ? m[1]!.trim() : undefined;
}

function compile(expr: string): CacheEntry {
  let entry = cache.get(expr);
  if (entry) return entry;
  entry = {};
  try {
    const compiled = jsonataPackage()(expr);
    registerAwsFunctions(compiled);
    entry.compiled = compiled;
    entry.fast = compileFast(compiled.ast() as Parameters<typeof compileFast>[0]);
  } catch (e) {
    entry.error = e as { code?: string; message?: string };
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(expr, entry);
  return entry;
}

/**
 * Checks that `expr` compiles (validation); returns the JSONata error text or undefined.
 */
export function checkJsonata(expr: string): string | undefined {
  const e = compile(expr).error;
  return e ? errorText(e) : undefined;
}

function errorText(e: unknown): string {
  const err = e as { code?: string; message?: string };
  if (err && typeof err === 'object' && err.code) return `${err.code}: ${err.message ?? ''}`;
  return err instanceof Error ? err.message : String(e);
}

/** Plain arrays for JSONata sequences (they carry extra properties). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) {
    const seq = (value as { sequence?: boolean }).sequence !== undefined;
    let changed = seq;
    const out = value.map((v) => {
      const p = plain(v);
      if (p !== v) changed = true;
      return p;
    });
    return changed ? out : value;
  }
  if (typeof value === 'function') return undefined;
  if (typeof value === 'object' && value !== null) {
    let out: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(value)) {
      const p = plain(v);
      if (p !== v) {
        out ??= { ...(value as Record<string, unknown>) };
        out[k] = p;
      }
    }
    return out ?? value;
  }
  return value;
}

function statesBinding(scope: JsonataScope): Record<string, unknown> {
  const states: Record<string, unknown> = { input: scope.input, context: scope.context };
  if (scope.result !== undefined) states.result = scope.result;
  if (scope.errorOutput !== undefined) states.errorOutput = scope.errorOutput;
  return { ...scope.variables, states };
}

/** Evaluates one expression (without `{% %}`) for `field`. */
export async function evaluateJsonataExpression(expr: string, scope: JsonataScope, field: string, bindings = statesBinding(scope)): Promise<unknown> {
  const entry = compile(expr);
  if (entry.error) {
    throw new StatesError(
      'States.QueryEvaluationError',
      `The JSONata expression '${expr}' specified for the field '${field}' threw an error during evaluation. ${errorText(entry.error)}`,
    );
  }
  let value: unknown = entry.fast ? entry.fast(bindings, scope.input) : FALLBACK;
  if (value === FALLBACK) {
    try {
      value = plain(await entry.compiled!.evaluate(scope.input, bindings));
    } catch (e) {
      throw new StatesError(
        'States.QueryEvaluationError',
        `The JSONata expression '${expr}' specified for the field '${field}' threw an error during evaluation. ${errorText(e)}`,
      );
    }
  }
  if (value === undefined) {
    throw new StatesError('States.QueryEvaluationError', `The JSONata expression '${expr}' specified for the field '${field}' returned nothing (undefined).`);
  }
  return value;
}

/**
 * Evaluates every `{% … %}` string inside `template` (objects and arrays walked recursively);
 * other values are copied as they are.
 * @param field the ASL field (`Arguments`, `Output`, `Assign`, ...), used in error causes.
 */
export async function evaluateJsonataTemplate(template: unknown, scope: JsonataScope, field: string): Promise<unknown> {
  const plan = planOf(template);
  if (plan === LITERAL) return template;
  const bindings = statesBinding(scope);
  // Most templates are answered by the synchronous fast path; only if some expression needs
  // the jsonata evaluator is the (pure) walk redone asynchronously.
  const quick = plan === ASYNC ? FALLBACK : plan(bindings, scope.input, field);
  return quick !== FALLBACK ? quick : walk(template, scope, field, bindings);
}

/**
 * A template compiled once: answers the evaluated template, or {@link FALLBACK} when an
 * expression needs the asynchronous `jsonata` evaluator. `field` names the template's field in
 * error causes (the plan adds the nested part, `/key` and `[i]`).
 */
type Plan = (bindings: Record<string, unknown>, input: unknown, field: string) => unknown;

/** The plan of a template without any `{% %}` string: the template itself is the value. */
const LITERAL: unique symbol = Symbol('literal');
/** The plan of a template with an expression the fast path cannot compile: always the async walk. */
const ASYNC: unique symbol = Symbol('async');
type PlanOrMark = Plan | typeof LITERAL | typeof ASYNC;

// Plans are kept per template object (the definition's own objects, alive as long as the
// machine is) and per string for templates that are a bare `{% %}` string.
const objectPlans = new WeakMap<object, PlanOrMark>();
const stringPlans = new Map<string, PlanOrMark>();

function planOf(template: unknown): PlanOrMark {
  if (typeof template === 'string') {
    let plan = stringPlans.get(template);
    if (plan === undefined) {
      plan = buildPlan(template, '');
      if (stringPlans.size > 10_000) stringPlans.clear();
      stringPlans.set(template, plan);
    }
    return plan;
  }
  if (typeof template !== 'object' || template === null) return LITERAL;
  let plan = objectPlans.get(template);
  if (plan === undefined) {
    plan = buildPlan(template, '');
    objectPlans.set(template, plan);
  }
  return plan;
}

/** Compiles the plan of `template`, found at `suffix` (`/key`, `[i]`) inside the field. */
function buildPlan(template: unknown, suffix: string): PlanOrMark {
  if (typeof template === 'string') {
    const expr = jsonataExpression(template);
    if (expr === undefined) return LITERAL;
    const entry = compile(expr);
    const fast = entry.fast;
    if (!fast) return ASYNC;
    return (bindings, input, field) => {
      const value = fast(bindings, input);
      if (value === undefined) {
        throw new StatesError(
          'States.QueryEvaluationError',
          `The JSONata expression '${expr}' specified for the field '${field}${suffix}' returned nothing (undefined).`,
        );
      }
      return value;
    };
  }
  if (typeof template !== 'object' || template === null) return LITERAL;
  if (Array.isArray(template)) {
    const parts = template.map((item, i) => buildPlan(item, `${suffix}[${i}]`));
    if (parts.every((p) => p === LITERAL)) return LITERAL;
    if (parts.some((p) => p === ASYNC)) return ASYNC;
    const items = template as unknown[];
    return (bindings, input, field) => {
      const out: unknown[] = new Array(parts.length);
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i]!;
        if (p === LITERAL) out[i] = items[i];
        else {
          const v = (p as Plan)(bindings, input, field);
          if (v === FALLBACK) return FALLBACK;
          out[i] = v;
        }
      }
      return out;
    };
  }
  const keys = Object.keys(template);
  const values = keys.map((k) => (template as Record<string, unknown>)[k]);
  const parts = keys.map((k, i) => buildPlan(values[i], `${suffix}/${k}`));
  if (parts.every((p) => p === LITERAL)) return LITERAL;
  if (parts.some((p) => p === ASYNC)) return ASYNC;
  return (bindings, input, field) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < keys.length; i++) {
      const p = parts[i]!;
      if (p === LITERAL) out[keys[i]!] = values[i];
      else {
        const v = (p as Plan)(bindings, input, field);
        if (v === FALLBACK) return FALLBACK;
        out[keys[i]!] = v;
      }
    }
    return out;
  };
}

async function walk(template: unknown, scope: JsonataScope, field: string, bindings: Record<string, unknown>): Promise<unknown> {
  if (typeof template === 'string') {
    const expr = jsonataExpression(template);
    return expr === undefined ? template : evaluateJsonataExpression(expr, scope, field, bindings);
  }
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (let i = 0; i < template.length; i++) out.push(await walk(template[i], scope, `${field}[${i}]`, bindings));
    return out;
  }
  if (typeof template === 'object' && template !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) out[key] = await walk(value, scope, `${field}/${key}`, bindings);
    return out;
  }
  return template;
}

const containsCache = new WeakMap<object, boolean>();

/** True when a `{% %}` string occurs anywhere in `template` (memoised per template object). */
function containsExpression(template: unknown): boolean {
  if (typeof template === 'string') return EXPRESSION.test(template);
  if (typeof template !== 'object' || template === null) return false;
  const known = containsCache.get(template);
  if (known !== undefined) return known;
  const values = Array.isArray(template) ? template : Object.values(template);
  const result = values.some(containsExpression);
  containsCache.set(template, result);
  return result;
}

// ---- AWS's additional JSONata functions (developer guide, "Transforming data with JSONata") ----

function fnError(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: 'D3140' }) as Error & { code: string };
}

function registerAwsFunctions(expr: Compiled): void {
  expr.registerFunction(
    'partition',
    (array: unknown, size: unknown) => {
      if (!Array.isArray(array)) throw fnError('The first argument of $partition must be an array');
      if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0) throw fnError('The chunk size of $partition must be a positive integer');
      const out: unknown[][] = [];
      for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
      return out;
    },
    '<an:a>',
  );
  expr.registerFunction(
    'range',
    (start: number, end: number, step: number) => {
      if (step === 0 || (step > 0 && start > end) || (step < 0 && start < end)) return undefined;
      const out: number[] = [];
      for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
        out.push(v);
        if (out.length > 1000) throw fnError('$range cannot create more than 1000 items');
      }
      return out.length === 1 ? out[0] : out;
    },
    '<nnn:(an)>',
  );
  expr.registerFunction(
    'hash',
    (data: unknown, algorithm: string) => {
      const algorithms: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };
      const node = algorithms[algorithm];
      if (!node) throw fnError(`The hash algorithm '${algorithm}' is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512`);
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      return createHash(node).update(text, 'utf8').digest('hex');
    },
    '<xs:s>',
  );
  expr.registerFunction(
    'random',
    (seed?: number) => {
      if (seed === undefined) return Math.random();
      let t = (seed + 0x6d2b79f5) | 0;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    '<n?:n>',
  );
  expr.registerFunction('uuid', () => randomUUID(), '<:s>');
  expr.registerFunction(
    'parse',
    (text: string) => {
      try {
        return JSON.parse(text);
      } catch {
        throw fnError(`The argument of $parse is not valid JSON: ${text}`);
      }
    },
    '<s:x>',
  );
}
