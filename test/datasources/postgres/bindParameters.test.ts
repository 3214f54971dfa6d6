/**
 * `bindParameters`: `:name` → `$n` outside literals, comments, dollar quotes and casts, with the
 * text's cut kept per SQL text; the same text with other variables binds only what each request names.
 */
import { describe, expect, it } from 'vitest';
import { BindError, bindParameters } from '../../../src/datasources/postgres/bindParameters.js';

describe('bindParameters', () => {
  it.each([
    ['SELECT * FROM t WHERE id = :P0', { ':P0': 1 }, {}, 'SELECT * FROM t WHERE id = $1', ['1']],
    ['SELECT :a, :a, :b', { ':a': 'x', b: true }, {}, 'SELECT $1, $2, $3', ['x', 'x', 'true']],
    [
      `SELECT ':a', ":a", E'\\':a', $$ :a $$, $q$:a$q$ -- :a\n, /* :a /* :a */ */ :a`,
      { ':a': 1 },
      {},
      `SELECT ':a', ":a", E'\\':a', $$ :a $$, $q$:a$q$ -- :a\n, /* :a /* :a */ */ $1`,
      ['1'],
    ],
    ['SELECT :a::int, x::text, :missing', { ':a': 5 }, {}, 'SELECT $1::int, x::text, :missing', ['5']],
    ['SELECT :d, :j, :arr', { ':d': '1.5', ':j': { k: 1 }, ':arr': [1, 2] }, { ':d': 'DECIMAL' }, 'SELECT $1::numeric, $2, $3', ['1.5', '{"k":1}', [1, 2]]],
    ['SELECT :n', { ':n': null }, {}, 'SELECT $1', [null]],
    ['SELECT 1', {}, {}, 'SELECT 1', []],
    ['SELECT :a$b', { ':a': 1 }, {}, 'SELECT $1$b', ['1']],
  ])('%j', (sql, variables, hints, text, values) => {
    // Twice: the second call reads the kept cut of the text.
    for (let i = 0; i < 2; i++) expect(bindParameters(sql, variables, hints)).toEqual({ text, values });
  });

  it('binds what each request names, for one text', () => {
    const sql = 'SELECT :a, :b';
    expect(bindParameters(sql, { ':a': 1 })).toEqual({ text: 'SELECT $1, :b', values: ['1'] });
    expect(bindParameters(sql, { ':b': 2 })).toEqual({ text: 'SELECT :a, $1', values: ['2'] });
    expect(bindParameters(sql, { ':a': 1, ':b': 2 }, { ':b': 'UUID' })).toEqual({ text: 'SELECT $1, $2::uuid', values: ['1', '2'] });
  });

  it('refuses an unknown type hint', () => {
    expect(() => bindParameters('SELECT :a', { ':a': 1 }, { ':a': 'BLOB' })).toThrow(BindError);
  });
});
