/**
 * stableJson (src/cache/stableJson.ts) writes what fast-json-stable-stringify writes, through the
 * engine's JSON.stringify when keys are in order and from remembered texts for objects frozen all
 * the way down; a text is never remembered for anything that can still change.
 */
import stableStringify from 'fast-json-stable-stringify';
import { describe, expect, it } from 'vitest';
import { stableJson } from '../../src/cache/stableJson.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('stableJson', () => {
  const nullPrototype = Object.assign(Object.create(null) as object, { b: 1, a: 2 });
  const VALUES: Array<[string, unknown]> = [
    ['a string', 'x"\u2028'],
    ['a number', 1e21],
    ['NaN', NaN],
    ['keys in order', { a: 1, b: { c: [1, { d: 2, e: null }] } }],
    ['keys out of order', { b: 1, a: 2 }],
    ['keys out of order deep within an array', [{ a: [{ z: 1, y: 2 }] }]],
    ['integer-like keys', { 10: 'x', 9: 'y', a: 1 }],
    ['an undefined property and array element', { b: [undefined, 1], a: undefined }],
    ['a null-prototype object out of order', nullPrototype],
    ['a Date', { at: new Date(0) }],
    ['toJSON', { b: 1, toJSON: () => ({ z: 1, y: 2 }) }],
    ['nested deeper than the check', JSON.parse('['.repeat(40) + '{"b":1,"a":2}' + ']'.repeat(40)) as unknown],
    ['a frozen object out of order', deepFreeze({ z: { y: [1, { x: 2, w: 3 }] }, a: 'é' })],
  ];
  it.each(VALUES)('writes %s as fast-json-stable-stringify does', (_, value) => {
    expect(stableJson(value)).toBe(stableStringify(value));
    // Again: a text remembered the first time is the same text.
    expect(stableJson(value)).toBe(stableStringify(value));
  });

  it('writes random JSON values, some frozen in part or whole, as the library does', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const make = (depth: number): unknown => {
      const r = random();
      if (depth > 3 || r < 0.3) return [null, true, 0, -1.5, 'é', '', 1e-7, 'a"b'][Math.floor(random() * 8)];
      const value: Record<string, unknown> | unknown[] = r < 0.6 ? [] : {};
      const n = Math.floor(random() * 4);
      for (let i = 0; i < n; i++) {
        if (Array.isArray(value)) value.push(make(depth + 1));
        else value[['b', 'a', '10', '9', 'é', 'A'][Math.floor(random() * 6)]!] = make(depth + 1);
      }
      return random() < 0.5 ? Object.freeze(value) : value;
    };
    for (let i = 0; i < 500; i++) {
      const value = { identity: make(0), claims: deepFreeze(make(0)) };
      expect(stableJson(value)).toBe(stableStringify(value));
      expect(stableJson(value)).toBe(stableStringify(value));
    }
  });

  it('never answers a remembered text for an object that changed: only objects frozen all the way down are remembered', () => {
    const inner = { b: 1, a: 1 };
    const shallow = Object.freeze({ z: inner, y: 0 });
    expect(stableJson(shallow)).toBe('{"y":0,"z":{"a":1,"b":1}}');
    inner.a = 2;
    expect(stableJson(shallow)).toBe('{"y":0,"z":{"a":2,"b":1}}');
    // An identity built per request around shared frozen claims: the request's own parts are read each time.
    const claims = deepFreeze({ sub: 'u-1', 'cognito:groups': ['readers'], exp: 1 });
    const identity = (ip: string) => ({ sub: 'u-1', claims, sourceIp: [ip] });
    expect(stableJson(identity('10.0.0.1'))).toBe(stableStringify(identity('10.0.0.1')));
    expect(stableJson(identity('10.0.0.2'))).toBe(stableStringify(identity('10.0.0.2')));
    // A frozen object written through toJSON answers what toJSON answers each time.
    let n = 0;
    const counting = Object.freeze({ b: 1, toJSON: () => (n += 1) });
    const holder = Object.freeze({ y: counting, x: Object.freeze({ b: 2, a: 1 }) });
    expect(stableJson(holder)).toBe('{"x":{"a":1,"b":2},"y":1}');
    expect(stableJson(holder)).toBe('{"x":{"a":1,"b":2},"y":2}');
  });
});
