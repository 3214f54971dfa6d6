import jsonata from 'jsonata';
import { describe, expect, it } from 'vitest';
import { FALLBACK, compileFast } from '../../../../src/stepfunctions/engine/lang/jsonataFast.js';

// Differential test: wherever the fast path answers, it must answer exactly what jsonata does.
const expressions = [
  '$states.input.a.b',
  '$states.input.a.b + 1',
  '$states.input.n * 2 - 1',
  '$states.input.n / 4',
  '$states.input.n % 3',
  '-$states.input.n',
  '$states.input.missing + 1',
  '$states.input.s + 1',
  '"a" + $states.input.missing',
  '$states.input.missing + $states.input.missing',
  '$states.input.n = 5',
  '$states.input.n != 5',
  '$states.input.s = "hello"',
  '$states.input.n = "5"',
  '$states.input.missing = 1',
  '$states.input.a = 1',
  '$states.input.n > 1',
  '$states.input.n <= 5',
  '$states.input.s < "z"',
  '$states.input.n > $states.input.missing',
  '$states.input.s > $states.input.missing',
  '$states.input.missing > $states.input.missing',
  '$states.input.n > "a"',
  '$states.input.f and true',
  '$states.input.f or false',
  '$states.input.missing and true',
  '$states.input.missing or true',
  '$states.input.missing or $states.input.missing',
  '$states.input.n and true',
  '$states.input.s & "!"',
  '$states.input.s & $states.input.n',
  '$states.input.s & $states.input.missing',
  '$states.input.s & 1.5',
  '$states.input.s & true',
  '$states.input.f ? "yes" : "no"',
  '$states.input.missing ? 1 : 2',
  '$states.input.n ? 1 : 2',
  '$states.input.f ? 1',
  '{"x": $states.input.n, "y": $states.input.missing, "z": [1, 2]}',
  '{"k": $states.input.items}',
  '[$states.input.n, $states.input.missing, "x"]',
  '[$states.input.items, 1]',
  '[[1], 2]',
  '$states.input.items',
  '$states.input.items.x',
  '$states.input.objs.k',
  '$states.input.e',
  '$total',
  '$total + $states.input.n',
  '$user.name',
  '$count',
  '$count($states.input.items)',
  '$',
  '$.n',
  'n',
  'a.b',
  'items',
  '$states.context.Execution.Name',
  'true',
  'null',
  '3.5',
  '"str"',
  '$states.input.`with space`',
  '$states.input.big + 1',
  '1 / 0',
  '$states.input.n / 0',
  '0.1 + 0.2',
  '$count($states.input.items)',
  '$count($states.input.missing)',
  '$count($states.input.s)',
  '$count($states.input.objs)',
  '$count($states.input.e)',
  '$exists($states.input.n)',
  '$exists($states.input.missing)',
  '$exists($states.input.e)',
  '$exists(null)',
  '$uppercase($states.input.s)',
  '$lowercase("ABC")',
  '$uppercase($states.input.n)',
  '$length($states.input.s)',
  '$length("héllo😀")',
  '$length($states.input.n)',
  '$string($states.input.s)',
  '$string($states.input.n)',
  '$number($states.input.n)',
  '$number($states.input.s)',
  '$not($states.input.f)',
  '$not($states.input.n)',
  '$uppercase($states.input.missing)',
  '$count($states.input.items) > 2 and $exists($total)',
];
const inputs = [
  { a: { b: 1 }, n: 5, s: 'hello', f: true, items: [1, 2, 3], objs: [{ k: 1 }, { k: 2 }], e: [], 'with space': 'ws', big: 1e300 },
  { a: 'scalar', n: 0, s: '', f: false, items: [], objs: [], e: [[]] },
  [1, 2, 3],
  'text',
];

describe('JSONata fast path agrees with jsonata', () => {
  for (const expr of expressions) {
    it(expr, async () => {
      const compiled = jsonata(expr);
      const fast = compileFast(compiled.ast() as never);
      for (const input of inputs) {
        const bindings = { states: { input, context: { Execution: { Name: 'ex' } } }, total: 10, user: { name: 'Ann' } };
        let expected: unknown;
        let threw = false;
        try {
          expected = await compiled.evaluate(input, bindings);
        } catch {
          threw = true;
        }
        if (!fast) continue;
        const got = fast(bindings, input);
        if (got === FALLBACK) continue;
        expect(threw, `fast path answered where jsonata throws (input ${JSON.stringify(input)})`).toBe(false);
        expect(JSON.stringify(got), `input ${JSON.stringify(input)}`).toBe(JSON.stringify(expected));
        expect(got === undefined).toBe(expected === undefined);
      }
    });
  }

  it('covers the common shapes (they must not all fall back)', () => {
    const bindings = { states: { input: inputs[0] }, total: 10 };
    for (const expr of [
      '$states.input.a.b + 1',
      '$states.input.n > 1 and $total = 10',
      '{"x": $states.input.s & "!"}',
      '$states.input.f ? 1 : 2',
      '$count($states.input.items)',
      '$uppercase($states.input.s)',
    ]) {
      const fast = compileFast(jsonata(expr).ast() as never);
      expect(fast, expr).toBeDefined();
      expect(fast!(bindings, inputs[0]), expr).not.toBe(FALLBACK);
    }
  });
});
