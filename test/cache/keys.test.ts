/**
 * Caching keys' texts (src/cache/keys.ts): with a layout, the entry key's text is the key values'
 * JSON in `ctx`'s shape, put together from each value's stable JSON; without one, the stable JSON of
 * the values in key order.
 */
import { createHash } from 'node:crypto';
import stableStringify from 'fast-json-stable-stringify';
import { describe, expect, it } from 'vitest';
import { keyDigest, keyValuesJson, keyValuesOf, parseKeyPath, valuesLayout, type KeyPath } from '../../src/cache/keys.js';

describe('keyValuesJson and keyValuesOf', () => {
  const context = {
    arguments: { id: '1', filter: { b: 1, a: 'x' } },
    source: { id: 'p-1', title: 'é' },
    identity: { sub: 'u-1', claims: { username: 'u' } },
  };
  const KEY_SETS = [
    ['context.arguments', 'context.source', 'context.identity'],
    ['context.arguments.id', 'context.identity.sub'],
    ['context.identity.claims.username', 'context.arguments.filter', 'context.arguments.missing'],
    ['context.arguments', 'context.arguments.id'],
    ['context.arguments.id', 'context.arguments.id'],
  ];
  const valueOf = ({ map, path }: KeyPath) => path.reduce<unknown>((v, p) => (v as Record<string, unknown>)?.[p], context[map]) ?? null;
  /** The key values in `ctx`'s shape, gathered independently of the code under test. */
  const shaped = (keys: KeyPath[]) => {
    const values: Record<string, unknown> = {};
    for (const key of keys) {
      const names = [key.map, ...key.path];
      let node = values;
      for (const name of names.slice(0, -1)) node = (node[name] ??= {}) as Record<string, unknown>;
      node[names.at(-1)!] = valueOf(key);
    }
    return values;
  };

  it.each(KEY_SETS.map((keys) => [keys]))('writes the key text and values for %j', (names) => {
    const keys = names.map(parseKeyPath);
    const layout = valuesLayout(keys);
    if (layout === undefined) {
      // A key within another's value: the values are gathered whole and the key is the array of them.
      expect(names.some((name, i) => names.some((other, j) => i !== j && (other === name || other.startsWith(`${name}.`))))).toBe(true);
      const { values, text } = keyValuesOf(keys, context);
      expect(text).toBe(stableStringify(keys.map(valueOf)));
      expect(values).toEqual(shaped(keys));
    } else {
      const valuesJson = keyValuesJson(keys, context, layout);
      expect(JSON.parse(valuesJson)).toEqual(shaped(keys));
      // Each value is written stably: the same values with their keys in another order make the same text.
      const reordered = { ...context, arguments: { filter: { a: 'x', b: 1 }, id: '1' } };
      expect(keyValuesJson(keys, reordered, layout)).toBe(valuesJson);
    }
  });

  it('gives different values different texts (a number and a string, a missing argument and null)', () => {
    const keys = ['context.arguments.id', 'context.identity.sub'].map(parseKeyPath);
    const layout = valuesLayout(keys);
    const texts = [{ id: '1' }, { id: 1 }, {}, { id: 'null' }, { id: '1', other: 2 }].map((args) =>
      keyValuesJson(keys, { arguments: args, identity: null }, layout!),
    );
    // `{}` and `{ id: null }` read the same (a missing argument reads null); the extra argument is not a key.
    expect(new Set(texts).size).toBe(4);
    expect(texts[4]).toBe(texts[0]);
  });
});

describe('keyDigest', () => {
  it("names a key in two parts as its joined text's SHA-256, the name Redis entries had before keys were split", () => {
    const head = 'a\u0000POST\u0000AMAZON_COGNITO_USER_POOLS\u0000{"sub":"é"}\u0000\u0000';
    const tail = '{"query":"{ getPost(id: \\"1\\") { id } }"}';
    const joined = createHash('sha256')
      .update(head + tail)
      .digest('base64url');
    expect(keyDigest({ head, tail })).toBe(joined);
    expect(keyDigest(head + tail)).toBe(joined);
    expect(keyDigest({ head, tail: tail + ' ' })).not.toBe(joined);
  });
});
