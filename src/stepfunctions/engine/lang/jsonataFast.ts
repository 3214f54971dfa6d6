/**
 * A synchronous fast path for the common JSONata expressions of state machines
 * (`$states.input.a.b + 1`, `$x = "done"`, `{"id": $states.input.id, "n": $count}`), compiled
 * from the `jsonata` package's own AST. The `jsonata` evaluator is asynchronous and costs tens
 * of microseconds per call; these closures cost nanoseconds.
 *
 * Gateway choice: the fast path only answers when its answer is certainly the one `jsonata`
 * gives; whenever a value falls outside what it models (an array crossed by a path, a
 * non-number in arithmetic, anything that would raise a JSONata error) it returns
 * {@link FALLBACK} and the caller evaluates the expression with `jsonata` itself. A
 * differential test (test/stepfunctions/lang/jsonataFast.test.ts) runs both on a corpus.
 */

/** Returned when the fast path cannot answer with certainty. */
export const FALLBACK: unique symbol = Symbol('fallback');

/** A compiled expression: bindings (`states`, variables) and the context value (`$`). */
export type FastFn = (bindings: Record<string, unknown>, input: unknown) => unknown;

// The AST node shape jsonata produces (only what we read).
interface Node {
  type: string;
  value?: unknown;
  steps?: Node[];
  lhs?: Node | Node[][];
  rhs?: Node;
  expressions?: Node[];
  expression?: Node;
  condition?: Node;
  then?: Node;
  else?: Node;
  [extra: string]: unknown;
}

// Step properties that change a path step's meaning (predicates, focus/index binding, grouping, ...).
const STEP_EXTRAS = ['stages', 'predicate', 'focus', 'index', 'tuple', 'group', 'keepArray', 'ancestor', 'consarray', 'keepSingletonArray'];

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Compiles `ast` or answers undefined when the expression uses anything not modelled. */
export function compileFast(ast: Node): FastFn | undefined {
  try {
    return compile(ast);
  } catch (e) {
    if (e === UNSUPPORTED) return undefined;
    throw e;
  }
}

const UNSUPPORTED = Symbol('unsupported');

function unsupported(): never {
  throw UNSUPPORTED;
}

function hasExtras(n: Node): boolean {
  return STEP_EXTRAS.some((k) => n[k] !== undefined);
}

function compile(n: Node): FastFn {
  if (hasExtras(n)) unsupported();
  switch (n.type) {
    case 'number':
    case 'string':
    case 'value': {
      const v = n.value;
      return () => v;
    }
    case 'variable':
      return variable(String(n.value));
    case 'path':
      return path(n.steps ?? []);
    case 'name': {
      const name = String(n.value);
      return (_b, input) => prop(input, name);
    }
    case 'unary':
      return unary(n);
    case 'binary':
      return binary(n);
    case 'function':
      return call(n);
    case 'condition': {
      const c = compile(n.condition!);
      const t = compile(n.then!);
      const e = n.else ? compile(n.else) : () => undefined;
      return (b, i) => {
        const v = c(b, i);
        if (v === FALLBACK) return FALLBACK;
        if (v === undefined || v === false) return e(b, i);
        if (v === true) return t(b, i);
        return FALLBACK;
      };
    }
    default:
      return unsupported();
  }
}

function variable(name: string): FastFn {
  if (name === '') return (_b, input) => (Array.isArray(input) ? FALLBACK : input);
  return (b) => {
    if (!Object.prototype.hasOwnProperty.call(b, name)) return FALLBACK; // a built-in function, or unbound
    const v = b[name];
    return typeof v === 'function' ? FALLBACK : v;
  };
}

function prop(node: unknown, name: string): unknown {
  if (node === undefined) return undefined;
  if (!isPlainObject(node)) return Array.isArray(node) ? FALLBACK : undefined;
  return Object.prototype.hasOwnProperty.call(node, name) ? node[name] : undefined;
}

function path(steps: Node[]): FastFn {
  if (steps.length === 0) unsupported();
  for (const s of steps) if (hasExtras(s)) unsupported();
  const [first, ...rest] = steps;
  const head = first!.type === 'variable' ? variable(String(first!.value)) : first!.type === 'name' ? compile(first!) : unsupported();
  const names = rest.map((s) => (s.type === 'name' ? String(s.value) : unsupported()));
  return (b, input) => {
    let v = head(b, input);
    if (v === FALLBACK) return FALLBACK;
    // A path over a value that is an array maps and flattens in JSONata; not modelled.
    if (names.length > 0 && Array.isArray(v)) return FALLBACK;
    for (const name of names) {
      v = prop(v, name);
      if (v === FALLBACK) return FALLBACK;
      if (v === undefined) return undefined;
    }
    return v;
  };
}

function unary(n: Node): FastFn {
  if (n.value === '-') {
    const e = compile(n.expression!);
    return (b, i) => {
      const v = e(b, i);
      if (v === undefined) return undefined;
      return typeof v === 'number' ? -v : FALLBACK;
    };
  }
  if (n.value === '{') {
    const pairs = (n.lhs as Node[][]).map(([k, v]) => {
      if (!k || k.type !== 'string') unsupported();
      return [String(k.value), compile(v!)] as const;
    });
    if (new Set(pairs.map((p) => p[0])).size !== pairs.length) unsupported(); // D1009 in JSONata
    return (b, i) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of pairs) {
        const v = f(b, i);
        if (v === FALLBACK) return FALLBACK;
        if (v !== undefined) out[k] = v;
      }
      return out;
    };
  }
  if (n.value === '[') {
    const items = (n.expressions ?? []).map((e) => ({ nested: e.type === 'unary' && e.value === '[', fn: compile(e) }));
    return (b, i) => {
      const out: unknown[] = [];
      for (const { nested, fn } of items) {
        const v = fn(b, i);
        if (v === FALLBACK) return FALLBACK;
        if (v === undefined) continue;
        // JSONata flattens arrays that come from paths into the constructed array.
        if (Array.isArray(v) && !nested) return FALLBACK;
        out.push(v);
      }
      return out;
    };
  }
  return unsupported();
}

/** Built-in functions modelled for the arguments whose result is certain; anything else falls back. */
const BUILTINS: Record<string, (args: unknown[]) => unknown> = {
  count: ([a]) => (a === undefined ? 0 : Array.isArray(a) ? (a.every((x) => !Array.isArray(x)) ? a.length : FALLBACK) : 1),
  exists: ([a]) => (typeof a === 'function' ? FALLBACK : a !== undefined),
  uppercase: ([a]) => (a === undefined ? undefined : typeof a === 'string' ? a.toUpperCase() : FALLBACK),
  lowercase: ([a]) => (a === undefined ? undefined : typeof a === 'string' ? a.toLowerCase() : FALLBACK),
  length: ([a]) => (a === undefined ? undefined : typeof a === 'string' ? Array.from(a).length : FALLBACK),
  string: ([a]) => (a === undefined ? undefined : typeof a === 'string' ? a : FALLBACK),
  number: ([a]) => (a === undefined ? undefined : typeof a === 'number' ? a : FALLBACK),
  not: ([a]) => (a === undefined ? undefined : typeof a === 'boolean' ? !a : FALLBACK),
};

function call(n: Node): FastFn {
  const proc = n.procedure as Node | undefined;
  if (!proc || proc.type !== 'variable') unsupported();
  const name = String(proc.value);
  const impl = BUILTINS[name];
  const argNodes = (n.arguments as Node[] | undefined) ?? [];
  if (!impl || argNodes.length !== 1) unsupported();
  const args = argNodes.map(compile);
  return (b, i) => {
    // A workflow variable of the same name shadows the built-in.
    if (Object.prototype.hasOwnProperty.call(b, name)) return FALLBACK;
    const values: unknown[] = [];
    for (const a of args) {
      const v = a(b, i);
      if (v === FALLBACK) return FALLBACK;
      values.push(v);
    }
    return impl(values);
  };
}

const isPrimitive = (v: unknown) => v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

function binary(n: Node): FastFn {
  const op = String(n.value);
  const l = compile(n.lhs as Node);
  const r = compile(n.rhs!);
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return (b, i) => {
        const a = l(b, i);
        const c = r(b, i);
        if (a === FALLBACK || c === FALLBACK) return FALLBACK;
        if (a === undefined || c === undefined)
          return typeof a === 'number' || typeof c === 'number' || (a === undefined && c === undefined) ? undefined : FALLBACK;
        if (typeof a !== 'number' || typeof c !== 'number') return FALLBACK;
        const v = op === '+' ? a + c : op === '-' ? a - c : op === '*' ? a * c : op === '/' ? a / c : a % c;
        return Number.isFinite(v) ? v : FALLBACK;
      };
    case '=':
    case '!=':
      return (b, i) => {
        const a = l(b, i);
        const c = r(b, i);
        if (a === FALLBACK || c === FALLBACK) return FALLBACK;
        if (a === undefined || c === undefined) return false;
        if (!isPrimitive(a) || !isPrimitive(c)) return FALLBACK;
        return op === '=' ? a === c : a !== c;
      };
    case '<':
    case '<=':
    case '>':
    case '>=':
      return (b, i) => {
        const a = l(b, i);
        const c = r(b, i);
        if (a === FALLBACK || c === FALLBACK) return FALLBACK;
        if (a === undefined || c === undefined)
          return (a === undefined || typeof a === 'number' || typeof a === 'string') && (c === undefined || typeof c === 'number' || typeof c === 'string')
            ? undefined
            : FALLBACK;
        if (!((typeof a === 'number' && typeof c === 'number') || (typeof a === 'string' && typeof c === 'string'))) return FALLBACK;
        return op === '<' ? a < c : op === '<=' ? a <= c : op === '>' ? a > c : a >= c;
      };
    case 'and':
    case 'or':
      return (b, i) => {
        const a = l(b, i);
        if (a === FALLBACK || (a !== undefined && typeof a !== 'boolean')) return FALLBACK;
        const av = a === true;
        if (op === 'and' && !av) return false;
        if (op === 'or' && av) return true;
        const c = r(b, i);
        if (c === FALLBACK || (c !== undefined && typeof c !== 'boolean')) return FALLBACK;
        return c === true;
      };
    case '&':
      return (b, i) => {
        const a = stringPart(l(b, i));
        const c = stringPart(r(b, i));
        if (a === FALLBACK || c === FALLBACK) return FALLBACK;
        return a + c;
      };
    default:
      return unsupported();
  }
}

/** `$string` of a `&` operand, for the values whose text is certain. */
function stringPart(v: unknown): string | typeof FALLBACK {
  if (v === FALLBACK) return FALLBACK;
  if (v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return FALLBACK;
}
