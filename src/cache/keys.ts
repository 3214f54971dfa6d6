/**
 * Caching keys (docs/caching.md#caching-keys): which values of a resolver's context name its cache
 * entry, and whether an `evictFromApiCache` call names an entry.
 */
import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import { stableJson } from './stableJson.js';
import type { CacheKey, CacheTag, KeyValues } from './types.js';

/**
 * A key's SHA-256 digest, base64url: the name Redis keeps the entry under and what the debug log
 * says (the key itself holds identities and arguments). A key in two parts digests as its joined text.
 */
export function keyDigest(key: CacheKey): string {
  const hash = createHash('sha256');
  if (typeof key === 'string') hash.update(key);
  else hash.update(key.head).update(key.tail);
  return hash.digest('base64url');
}

/** A caching key split into its map (`arguments`, `source`, `identity`) and the path below it. */
export interface KeyPath {
  map: keyof KeyValues;
  path: readonly string[];
}

/** `context.arguments.id` (normalised by config/caching.ts) → `{ map: 'arguments', path: ['id'] }`. */
export function parseKeyPath(key: string): KeyPath {
  const [, map, ...path] = key.split('.');
  return { map: map as keyof KeyValues, path };
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * How the JSON text of a resolver run's key values (in `ctx`'s shape) is put together from the text
 * of each key's value: literal text and key indexes, alternating, starting and ending with text.
 * Undefined when one key lies within another's value (`context.arguments` and
 * `context.arguments.id`) or a key comes twice: those values are serialised whole.
 */
export type ValuesLayout = ReadonlyArray<string | number>;

type LayoutNode = Map<string, LayoutNode | number>;

export function valuesLayout(keys: readonly KeyPath[]): ValuesLayout | undefined {
  const root: LayoutNode = new Map();
  for (let i = 0; i < keys.length; i++) {
    const names = [keys[i]!.map, ...keys[i]!.path];
    let node = root;
    for (const name of names.slice(0, -1)) {
      const next = node.get(name) ?? new Map();
      if (typeof next === 'number') return undefined;
      node.set(name, next);
      node = next;
    }
    const last = names.at(-1)!;
    if (node.has(last)) return undefined;
    node.set(last, i);
  }
  const layout: Array<string | number> = [];
  let literal = '';
  const write = (node: LayoutNode) => {
    literal += '{';
    let first = true;
    for (const [name, child] of node) {
      literal += `${first ? '' : ','}${JSON.stringify(name)}:`;
      first = false;
      if (typeof child !== 'number') write(child);
      else {
        layout.push(literal, child);
        literal = '';
      }
    }
    literal += '}';
  };
  write(root);
  layout.push(literal);
  return layout;
}

/**
 * The JSON text of a resolver run's key values in `ctx`'s shape, put together with `layout` (from
 * {@link valuesLayout} of the same keys) from each value's text: each value is serialised once and
 * no object is built. It is the entry key's part and its tag's values alike. A key naming a value
 * the run does not have (an argument left out) reads null.
 */
export function keyValuesJson(keys: readonly KeyPath[], context: KeyValues, layout: ValuesLayout): string {
  let json = layout[0] as string;
  for (let i = 1; i < layout.length; i += 2) {
    const { map, path } = keys[layout[i] as number]!;
    json += stableJson((path.length === 0 ? context[map] : valueAt(context[map], path)) ?? null) + (layout[i + 1] as string);
  }
  return json;
}

/**
 * The key values of a resolver run whose keys have no layout (one within another's value): the
 * values gathered in `ctx`'s shape (only the named parts; a missing one reads null), and the entry
 * key's part, the array of the values' stable JSON in the order of the keys.
 */
export function keyValuesOf(keys: readonly KeyPath[], context: KeyValues): { text: string; values: KeyValues } {
  const values: KeyValues = {};
  const texts: string[] = [];
  for (const { map, path } of keys) {
    const value = valueAt(context[map], path) ?? null;
    texts.push(stableJson(value));
    if (path.length === 0) {
      values[map] = value;
      continue;
    }
    let node = (values[map] ??= {}) as Record<string, unknown>;
    for (let i = 0; i < path.length - 1; i++) node = (node[path[i]!] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]!] = value;
  }
  return { text: `[${texts.join(',')}]`, values };
}

/** A tag's key values as JSON text: the text it was made with, else its values serialised. */
export function tagValuesJson(tag: CacheTag): string {
  return tag.valuesJson ?? JSON.stringify(tag.values ?? {});
}

/** Equal as key values: a number argument and the same number written as a string match (AWS passes keys as strings). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a !== 'object' && typeof b !== 'object') return String(a) === String(b);
  return stableStringify(a) === stableStringify(b);
}

/**
 * Whether an entry's key values hold every `key: value` an eviction names. Gateway choice: the
 * pairs may come in any order (AWS asks for the order of the resolver's caching keys).
 */
export function matchesEviction(wanted: ReadonlyArray<[KeyPath, unknown]>, values: KeyValues): boolean {
  for (const [{ map, path }, value] of wanted) {
    if (!sameValue(valueAt(values[map], path), value)) return false;
  }
  return true;
}
