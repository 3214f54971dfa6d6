/**
 * Caching keys (docs/caching.md#caching-keys): which values of a resolver's context name its cache
 * entry, and whether an `evictFromApiCache` call names an entry.
 */
import stableStringify from 'fast-json-stable-stringify';
import type { KeyValues } from './types.js';

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
 * The key values of one resolver run, in `ctx`'s shape (only the named parts), and their text for
 * the entry's key. A key naming a value the run does not have (an argument left out) reads null.
 */
export function keyValuesOf(keys: readonly KeyPath[], context: KeyValues): { values: KeyValues; text: string } {
  const values: KeyValues = {};
  const parts: unknown[] = [];
  for (const { map, path } of keys) {
    const value = valueAt(context[map], path) ?? null;
    parts.push(value);
    if (path.length === 0) {
      values[map] = value;
      continue;
    }
    let node = (values[map] ??= {}) as Record<string, unknown>;
    for (let i = 0; i < path.length - 1; i++) node = (node[path[i]!] ??= {}) as Record<string, unknown>;
    node[path[path.length - 1]!] = value;
  }
  return { values, text: stableStringify(parts) };
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
