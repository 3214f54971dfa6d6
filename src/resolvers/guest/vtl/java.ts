/**
 * The Java-ish value layer of VTL templates (docs/resolvers.md#vtl-mapping-templates): AppSync's
 * templates call Java methods on strings, lists and maps (`$s.contains(…)`, `$list.add(…)`,
 * `$map.put(…)`), and Velocity renders a `void` method as nothing but a `null` result as the
 * reference's own text. Values stay plain JSON values; only method calls go through this table.
 *
 * Hand-written: no npm package maps Java's String/List/Map methods onto JS values.
 */
import { javaRegexToJs } from '../util/javaRegex.js';

// Inside the sandbox's vm context every global name read goes through node:vm's interceptors on
// the contextified global (~0.1 µs each, see prelude.ts); the render path reads these copies.
const isArray = Array.isArray;
const objectHasOwn = Object.prototype.hasOwnProperty;
const objectKeys = Object.keys;
const objectValues = Object.values;
const toText = String;

/** Returned when the value has no such Java method. */
export const NO_METHOD: unique symbol = Symbol('no method');
/** Velocity renders a void method's call as nothing. */
export const VOID = '';

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !isArray(v);

/** Java's `equals`: structural for lists and maps. */
export function javaEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (isArray(a)) return isArray(b) && a.length === b.length && a.every((x, i) => javaEquals(x, b[i]));
  if (isArray(b)) return false;
  const ka = objectKeys(a);
  const kb = objectKeys(b);
  return (
    ka.length === kb.length && ka.every((k) => objectHasOwn.call(b, k) && javaEquals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}

const regex = (pattern: unknown, flags = ''): RegExp => {
  const js = javaRegexToJs(toText(pattern));
  return new RegExp(js.source, js.flags + flags);
};

/** Java's replacement syntax (`$1`, `\$`) as JS's. */
const replacement = (text: unknown): string => toText(text).replace(/\\(.)|\$\$/g, (m, c: string | undefined) => (c === '$' ? '$$' : c === undefined ? m : c));

/** `String.split(regex, limit)`: trailing empty strings dropped when limit is 0. */
function split(s: string, pattern: unknown, limit: unknown): string[] {
  const n = typeof limit === 'number' ? limit : 0;
  let parts = s.split(regex(pattern));
  if (n > 0 && parts.length > n) {
    const re = regex(pattern, 'g');
    let cut = 0;
    for (let i = 0; i < n - 1; i++) {
      const m = re.exec(s);
      if (!m) break;
      cut = m.index + m[0].length;
    }
    parts = [...parts.slice(0, n - 1), s.slice(cut)];
  }
  if (n === 0) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

type Method = (self: never, args: unknown[]) => unknown;

const STRING: Record<string, Method> = {
  contains: (s: string, [x]) => s.includes(toText(x)),
  startsWith: (s: string, [x, from]) => s.startsWith(toText(x), typeof from === 'number' ? from : 0),
  endsWith: (s: string, [x]) => s.endsWith(toText(x)),
  indexOf: (s: string, [x, from]) => s.indexOf(toText(x), typeof from === 'number' ? from : 0),
  lastIndexOf: (s: string, [x]) => s.lastIndexOf(toText(x)),
  charAt: (s: string, [i]) => s.charAt(Number(i)),
  substring: (s: string, [b, e]) => (e === undefined ? s.substring(Number(b)) : s.substring(Number(b), Number(e))),
  trim: (s: string) => s.trim(),
  toLowerCase: (s: string) => s.toLowerCase(),
  toUpperCase: (s: string) => s.toUpperCase(),
  length: (s: string) => s.length,
  isEmpty: (s: string) => s.length === 0,
  equals: (s: string, [x]) => s === x,
  equalsIgnoreCase: (s: string, [x]) => typeof x === 'string' && s.toLowerCase() === x.toLowerCase(),
  concat: (s: string, [x]) => s + toText(x),
  matches: (s: string, [p]) => new RegExp(`^(?:${javaRegexToJs(toText(p)).source})$`, javaRegexToJs(toText(p)).flags).test(s),
  replace: (s: string, [a, b]) => s.split(toText(a)).join(toText(b)),
  replaceAll: (s: string, [p, r]) => s.replace(regex(p, 'g'), replacement(r)),
  replaceFirst: (s: string, [p, r]) => s.replace(regex(p), replacement(r)),
  split: (s: string, [p, limit]) => split(s, p, limit),
  toString: (s: string) => s,
  hashCode: (s: string) => {
    let h = 0;
    for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
    return h;
  },
};

const LIST: Record<string, Method> = {
  add: (l: unknown[], args) => {
    if (args.length >= 2) {
      l.splice(Number(args[0]), 0, args[1]);
      return VOID;
    }
    l.push(args[0]);
    return true;
  },
  addAll: (l: unknown[], [x]) => {
    if (isArray(x)) l.push(...x);
    return true;
  },
  get: (l: unknown[], [i]) => l[Number(i)],
  set: (l: unknown[], [i, x]) => {
    const old = l[Number(i)];
    l[Number(i)] = x;
    return old;
  },
  remove: (l: unknown[], [x]) => {
    if (typeof x === 'number' && Number.isInteger(x)) return l.splice(x, 1)[0];
    const at = l.findIndex((y) => javaEquals(y, x));
    if (at < 0) return false;
    l.splice(at, 1);
    return true;
  },
  size: (l: unknown[]) => l.length,
  isEmpty: (l: unknown[]) => l.length === 0,
  contains: (l: unknown[], [x]) => l.some((y) => javaEquals(y, x)),
  indexOf: (l: unknown[], [x]) => l.findIndex((y) => javaEquals(y, x)),
  clear: (l: unknown[]) => {
    l.length = 0;
    return VOID;
  },
  subList: (l: unknown[], [b, e]) => l.slice(Number(b), Number(e)),
  equals: (l: unknown[], [x]) => javaEquals(l, x),
};

const MAP: Record<string, Method> = {
  put: (m: Record<string, unknown>, [k, v]) => {
    const key = toText(k);
    const old = objectHasOwn.call(m, key) ? m[key] : null;
    m[key] = v;
    return old;
  },
  putAll: (m: Record<string, unknown>, [x]) => {
    if (isMap(x)) Object.assign(m, x);
    return VOID;
  },
  get: (m: Record<string, unknown>, [k]) => (objectHasOwn.call(m, toText(k)) ? m[toText(k)] : null),
  remove: (m: Record<string, unknown>, [k]) => {
    const key = toText(k);
    if (!objectHasOwn.call(m, key)) return null;
    const old = m[key];
    delete m[key];
    return old;
  },
  containsKey: (m: Record<string, unknown>, [k]) => objectHasOwn.call(m, toText(k)),
  containsValue: (m: Record<string, unknown>, [x]) => objectValues(m).some((y) => javaEquals(y, x)),
  keySet: (m: Record<string, unknown>) => objectKeys(m),
  values: (m: Record<string, unknown>) => objectValues(m),
  entrySet: (m: Record<string, unknown>) => objectKeys(m).map((key) => ({ key, value: m[key] })),
  size: (m: Record<string, unknown>) => objectKeys(m).length,
  isEmpty: (m: Record<string, unknown>) => objectKeys(m).length === 0,
  clear: (m: Record<string, unknown>) => {
    for (const k of objectKeys(m)) delete m[k];
    return VOID;
  },
  equals: (m: Record<string, unknown>, [x]) => javaEquals(m, x),
  // Map.Entry, as entrySet() hands them out.
  getKey: (m: Record<string, unknown>) => m.key,
  getValue: (m: Record<string, unknown>) => m.value,
};

const NUMBER: Record<string, Method> = {
  intValue: (n: number) => Math.trunc(n),
  longValue: (n: number) => Math.trunc(n),
  doubleValue: (n: number) => n,
  floatValue: (n: number) => n,
  toString: (n: number) => toText(n),
  equals: (n: number, [x]) => n === x,
};

const BOOLEAN: Record<string, Method> = {
  booleanValue: (b: boolean) => b,
  toString: (b: boolean) => toText(b),
  equals: (b: boolean, [x]) => b === x,
};

const own = (table: Record<string, Method>, name: string): Method | undefined => (objectHasOwn.call(table, name) ? table[name] : undefined);

/** Calls Java method `name` on a JSON value; NO_METHOD when the value's Java type has none. */
export function callJavaMethod(self: unknown, name: string, args: unknown[]): unknown {
  let method: Method | undefined;
  if (typeof self === 'string') method = own(STRING, name);
  else if (isArray(self)) method = own(LIST, name);
  else if (typeof self === 'number') method = own(NUMBER, name);
  else if (typeof self === 'boolean') method = own(BOOLEAN, name);
  else if (isMap(self)) method = own(MAP, name);
  return method ? method(self as never, args) : NO_METHOD;
}
