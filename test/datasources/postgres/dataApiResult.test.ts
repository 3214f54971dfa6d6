/**
 * `sqlStatementResultsJson` (the text `ctx.result` holds) against `JSON.stringify` of the
 * `toSqlStatementResult` objects, on results a real PostgreSQL server returns: the same text for
 * every column type, for statements without columns and for two statements, from the metadata
 * cache too; and a column whose catalog facts are not known yet is not cached with defaults.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ColumnCatalog } from '../../../src/datasources/postgres/columnCatalog.js';
import { sqlStatementResultsJson, toSqlStatementResult } from '../../../src/datasources/postgres/dataApiResult.js';
import { createTestDatabase } from './helpers.js';

const url = inject('postgresUrl');
const RAW_TEXT = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

describe.skipIf(!url)(`sqlStatementResultsJson on a PostgreSQL server${url ? '' : ` (skipped: ${inject('postgresSkipReason')})`}`, () => {
  let client: pg.Client;
  const query = (text: string) => client.query<unknown[]>({ text, rowMode: 'array', types: RAW_TEXT } as pg.QueryConfig<unknown[]>);
  const stringified = (results: Array<pg.QueryResult<unknown[]>>, catalog: ColumnCatalog) =>
    JSON.stringify({ sqlStatementResults: results.map((r) => toSqlStatementResult(r, catalog)) });

  beforeAll(async () => {
    client = new pg.Client(await createTestDatabase(url));
    await client.connect();
    await client.query(`CREATE TABLE typed (
      id serial PRIMARY KEY, i8 bigint, f8 double precision, num numeric(10,2), b boolean, vc varchar(20), jb jsonb,
      tstz timestamptz, bin bytea, ints int[], note text)`);
    await client.query(`INSERT INTO typed (i8, f8, num, b, vc, jb, tstz, bin, ints, note)
      VALUES (9007199254740993, 1.5, 12.34, true, 'a "quoted" \\ text', '{"k": [1, 2]}', '2024-01-02 03:04:05.123+02', '\\x0102', '{1,NULL,3}', NULL),
             (-1, 'NaN', NULL, false, NULL, 'null', NULL, '', '{}', E'line\\nbreak \\u2028 tab\\t ü'),
             (0, '-Infinity', -0.5, NULL, '', '[]', '1999-12-31 23:59:59+00', NULL, NULL, '')`);
  });
  afterAll(async () => {
    await client?.end();
  });

  it('gives the text JSON.stringify gives, for each column type, a computed column, no columns and two statements', async () => {
    const catalog = new ColumnCatalog();
    const texts = new Map<string, string>();
    const selected = await query(`SELECT *, id * 2 AS doubled, 'Infinity'::float8 AS inf, -0.0::float8 AS negzero FROM typed ORDER BY id`);
    const updated = await query(`UPDATE typed SET note = 'n' WHERE id = 1`);
    await catalog.learn(client as unknown as pg.PoolClient, selected.fields);
    for (const results of [[selected], [updated], [updated, selected]]) {
      expect(sqlStatementResultsJson(results, catalog, texts)).toBe(stringified(results, catalog));
    }
    // The select's metadata text is cached now; the cached text is the same.
    expect(texts.size).toBe(1);
    expect(sqlStatementResultsJson([selected], catalog, texts)).toBe(stringified([selected], catalog));
  });

  it('keeps no metadata text while a column has no catalog facts yet', async () => {
    const catalog = new ColumnCatalog();
    const texts = new Map<string, string>();
    const selected = await query(`SELECT id, vc FROM typed`);
    const early = sqlStatementResultsJson([selected], catalog, texts);
    expect(texts.size).toBe(0);
    expect(JSON.parse(early).sqlStatementResults[0].columnMetadata[0].tableName).toBe('');
    await catalog.learn(client as unknown as pg.PoolClient, selected.fields);
    const later = sqlStatementResultsJson([selected], catalog, texts);
    expect(JSON.parse(later).sqlStatementResults[0].columnMetadata[0].tableName).toBe('typed');
    expect(texts.size).toBe(1);
  });
});
