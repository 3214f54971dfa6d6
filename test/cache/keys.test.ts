/**
 * Caching keys' texts (src/cache/keys.ts): the entry key's text is the stable JSON of the values in
 * key order, and the key values' JSON put together from the key's texts reads back as the values.
 */
import stableStringify from 'fast-json-stable-stringify';
import { describe, expect, it } from 'vitest';
import { keyValuesOf, parseKeyPath, valuesLayout } from '../../src/cache/keys.js';

describe('keyValuesOf', () => {
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

  it.each(KEY_SETS.map((keys) => [keys]))('puts together the JSON of the values for %j from the texts of the key', (names) => {
    const keys = names.map(parseKeyPath);
    const layout = valuesLayout(keys);
    const { values, text, valuesJson } = keyValuesOf(keys, context, layout);
    expect(text).toBe(stableStringify(keys.map(({ map, path }) => path.reduce<unknown>((v, p) => (v as Record<string, unknown>)?.[p], context[map]) ?? null)));
    if (layout === undefined) {
      // A key within another's value: the values are serialised whole instead.
      expect(names.some((name, i) => names.some((other, j) => i !== j && (other === name || other.startsWith(`${name}.`))))).toBe(true);
      expect(valuesJson).toBeUndefined();
    } else expect(JSON.parse(valuesJson!)).toEqual(JSON.parse(JSON.stringify(values)));
  });
});
