/**
 * Stable JSON for cache keys: the text fast-json-stable-stringify writes (every object's keys
 * sorted), made faster two ways the library cannot be asked for, which is why it is written here:
 *
 * - A value whose objects are all plain and already in key order (arguments usually are: one
 *   argument, or declared in order) is written by the engine's own JSON.stringify.
 * - The text of an object that is frozen all the way down is remembered (a WeakMap on the object):
 *   it cannot change. The claims of a verified token are kept frozen and shared by every request
 *   with that token (src/auth/verified-tokens.ts), and an identity holds them: its text is then
 *   put together from the claims' text instead of serialising them again on every request.
 *
 * Objects made with `toJSON` are written through it and never remembered, nor is anything that
 * holds them.
 */
const frozenTexts = new WeakMap<object, string>();
/** While writing: whether everything written since the enclosing object began is immutable. */
let frozenSoFar = true;

export function stableJson(value: unknown): string {
  // Key values are often null (a root field's source, an API key's identity).
  if (value === null) return 'null';
  if (keysInOrder(value, 0)) return JSON.stringify(value);
  frozenSoFar = true;
  return writeStable(value, []) ?? 'null';
}

/** Whether every object within `value` is plain, without `toJSON`, and has its keys in sorted order (deeper than 32: not checked, no). */
function keysInOrder(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (depth > 32) return false;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (!keysInOrder(item, depth + 1)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  let previous: string | undefined;
  for (const key in value) {
    // for…in gives integer-like keys first, in numeric order: "10" after "9" is out of order here, as a sort puts it first.
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!keysInOrder((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** One value's stable JSON (undefined for what JSON leaves out), as the library writes it; see the module comment. */
function writeStable(node: unknown, seen: object[]): string | undefined {
  if (node !== null && node !== undefined && typeof (node as { toJSON?: unknown }).toJSON === 'function') {
    node = (node as { toJSON(): unknown }).toJSON();
    frozenSoFar = false;
  }
  if (node === undefined) return undefined;
  if (typeof node === 'number') return Number.isFinite(node) ? String(node) : 'null';
  if (node === null || typeof node !== 'object') return JSON.stringify(node);
  const remembered = frozenTexts.get(node);
  if (remembered !== undefined) return remembered;
  if (seen.includes(node)) throw new TypeError('Converting circular structure to JSON');
  seen.push(node);
  const outer = frozenSoFar;
  frozenSoFar = Object.isFrozen(node);
  let text: string;
  if (Array.isArray(node)) {
    text = '[';
    for (let i = 0; i < node.length; i++) text += (i === 0 ? '' : ',') + (writeStable(node[i], seen) ?? 'null');
    text += ']';
  } else {
    text = '';
    for (const key of Object.keys(node).sort()) {
      const value = writeStable((node as Record<string, unknown>)[key], seen);
      if (value === undefined) continue;
      text += `${text === '' ? '' : ','}${JSON.stringify(key)}:${value}`;
    }
    text = `{${text}}`;
  }
  seen.pop();
  if (frozenSoFar) frozenTexts.set(node, text);
  frozenSoFar = outer && frozenSoFar;
  return text;
}
