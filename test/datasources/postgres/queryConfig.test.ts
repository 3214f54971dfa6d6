/**
 * The query configs handed to `pg` (src/datasources/postgres/queryConfig.ts): empty objects whose
 * prototype, made once per SQL text, holds what `pg` reads, so its copy of the config is cheap.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { statementName } from '../../../src/datasources/postgres/preparedStatements.js';
import { queryConfig, RAW_TEXT } from '../../../src/datasources/postgres/queryConfig.js';

describe('queryConfig', () => {
  it('a named config has no members of its own; pg reads text, name, row mode and types through it, and the values from the second argument', () => {
    const config = queryConfig('SELECT $1::int AS v', true);
    expect(Object.getOwnPropertyNames(config)).toEqual([]);
    const query = new pg.Query(config, [7]) as unknown as Record<string, unknown>;
    expect([query.text, query.name, query.queryMode, query.types, query.values]).toEqual([
      'SELECT $1::int AS v',
      statementName('SELECT $1::int AS v'),
      undefined,
      RAW_TEXT,
      [7],
    ]);
    expect(query._rowMode).toBe('array');
    // The caller's object is left as it was: the values went on pg's copy.
    expect(Object.getOwnPropertyNames(config)).toEqual([]);
  });

  it('an unnamed config is sent with the extended protocol, and each call gives a new object on one prototype per text', () => {
    const a = queryConfig('SELECT 1', false);
    const b = queryConfig('SELECT 1', false);
    expect(a).not.toBe(b);
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
    expect(Object.getPrototypeOf(a)).not.toBe(Object.getPrototypeOf(queryConfig('SELECT 1', true)));
    const query = new pg.Query(a, []) as unknown as Record<string, unknown>;
    expect([query.text, query.name, query.queryMode]).toEqual(['SELECT 1', undefined, 'extended']);
  });
});
