/**
 * RELATIONAL_DATABASE data source, invoked directly with the request objects AppSync's rds helpers
 * build (docs/postgres.md). The same case table runs on a real PostgreSQL server and
 * on the embedded PGlite.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from '../../../src/datasources/types.js';
import { postgresKind } from '../../../src/datasources/postgres/index.js';
import { agg, createPgStatement, insert, remove, select, toJsonObject, typeHint, update } from '../../../src/resolvers/guest/modules/rds.js';
import { isPipelinable } from '../../../src/datasources/postgres/pipeline.js';
import { MAX_PER_CONNECTION } from '../../../src/datasources/postgres/preparedStatements.js';
import { backends, createDataSource, run, stmt, values } from './helpers.js';

for (const backend of backends()) {
  describe.skipIf(!!backend.skipReason)(`${backend.name}${backend.skipReason ? ` (skipped: ${backend.skipReason})` : ''}`, () => {
    let ds: DataSource;
    let config: Awaited<ReturnType<typeof backend.config>>;

    beforeAll(async () => {
      config = await backend.config();
      ds = await createDataSource(config);
      const ddl = await run(ds, {
        statements: [
          `CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL, age int, email text UNIQUE)`,
          `CREATE TABLE typed (
             id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, f4 real, f8 double precision, num numeric(10,2),
             b boolean, t text, vc varchar(20), j json, jb jsonb, ts timestamp, tstz timestamptz, d date, tm time,
             u uuid, bin bytea, ints int[], texts text[])`,
        ],
        variableMap: {},
      });
      expect(ddl.error).toBeUndefined();
    });
    afterAll(async () => {
      await ds?.close?.();
    });

    it('returns the Data API shape: records of typed fields, columnMetadata, numberOfRecordsUpdated (§2)', async () => {
      const { result, error } = await run(ds, stmt(`SELECT 1 AS one, 'a' AS "Label", NULL::text AS nothing, true AS yes`));
      expect(error).toBeUndefined();
      expect(result.sqlStatementResults).toHaveLength(1);
      const [r] = result.sqlStatementResults;
      expect(r.numberOfRecordsUpdated).toBe(0);
      expect(r.records).toEqual([[{ longValue: 1 }, { stringValue: 'a' }, { isNull: true }, { booleanValue: true }]]);
      expect(r.columnMetadata.map((c: any) => [c.name, c.label, c.typeName, c.type])).toEqual([
        ['one', 'one', 'int4', 4],
        ['Label', 'Label', 'text', 12],
        ['nothing', 'nothing', 'text', 12],
        ['yes', 'yes', 'bool', -7],
      ]);
    });

    it('binds :name variables as $n parameters and counts updated rows', async () => {
      const insert = await run(
        ds,
        stmt(`INSERT INTO people (name, age, email) VALUES (:NAME, :AGE, :EMAIL), (:NAME2, :AGE, NULL)`, {
          NAME: 'Ann',
          AGE: 31,
          EMAIL: 'ann@x.io',
          NAME2: 'Bob',
        }),
      );
      expect(insert.error).toBeUndefined();
      expect(insert.result.sqlStatementResults).toEqual([{ numberOfRecordsUpdated: 2, generatedFields: [] }]);

      const select = await run(ds, stmt(`SELECT name, age FROM people WHERE age = :AGE ORDER BY name`, { AGE: 31 }));
      expect(values(select.result)).toEqual([
        ['Ann', 31],
        ['Bob', 31],
      ]);
    });

    it('columnMetadata of table columns names the table, nullability, auto-increment, precision and scale', async () => {
      const { result } = await run(ds, stmt(`SELECT p.id, p.name AS "who", p.age, t.num, t.vc FROM people p LEFT JOIN typed t ON false LIMIT 1`));
      const meta = result.sqlStatementResults[0].columnMetadata;
      expect(meta[0]).toEqual({
        arrayBaseColumnType: 0,
        isAutoIncrement: true,
        isCaseSensitive: false,
        isCurrency: false,
        isSigned: true,
        label: 'id',
        name: 'id',
        nullable: 0,
        precision: 4,
        scale: 0,
        schemaName: 'public',
        tableName: 'people',
        type: 4,
        typeName: 'int4',
      });
      expect(meta.map((c: any) => [c.label, c.tableName, c.nullable, c.isAutoIncrement, c.precision, c.scale])).toEqual([
        ['id', 'people', 0, true, 4, 0],
        ['who', 'people', 0, false, 0, 0],
        ['age', 'people', 1, false, 4, 0],
        ['num', 'typed', 1, false, 10, 2],
        ['vc', 'typed', 1, false, 20, 0],
      ]);
    });

    it('leaves string literals, quoted identifiers, comments and :: casts alone', async () => {
      const { result, error } = await run(
        ds,
        stmt(`SELECT ':x' AS lit, 5::text AS cast, :x AS bound /* :x */ -- :x\n, $$ :x $$ AS dollar, :x::int + 1 AS again`, { x: '41' }),
      );
      expect(error).toBeUndefined();
      expect(values(result)).toEqual([[':x', '5', '41', ' :x ', 42]]);
    });

    it('returns RETURNING rows of insert/update/delete with their count', async () => {
      const { result, error } = await run(ds, stmt(`UPDATE people SET age = age + 1 WHERE name = :n RETURNING id, name, age`, { n: 'Bob' }));
      expect(error).toBeUndefined();
      expect(result.sqlStatementResults[0].numberOfRecordsUpdated).toBe(1);
      expect(values(result)).toEqual([[expect.any(Number), 'Bob', 32]]);
    });

    it('round-trips types the way the Data API renders them', async () => {
      const insert = await run(
        ds,
        stmt(
          `INSERT INTO typed VALUES (1, :i2, :i4, :i8, :f4, :f8, :num, :b, :t, :vc, :j, :jb, :ts, :tstz, :d, :tm, :u, decode(:bin, 'base64'), :ints, :texts)`,
          {
            i2: -7,
            i4: 2147483647,
            i8: 9007199254740991,
            f4: 1.5,
            f8: -0.125,
            num: '12345678.90',
            b: false,
            t: 'héllo "world"',
            vc: 'short',
            j: { a: [1, 2], b: null },
            jb: { z: true },
            ts: '2024-02-29 13:14:15.123',
            tstz: '2024-02-29T13:14:15.5+02:00',
            d: '2024-02-29',
            tm: '23:59:58.25',
            u: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
            bin: Buffer.from('bytes!').toString('base64'),
            ints: '{1,2,3}',
            texts: '{"a b",c}',
          },
          { num: 'DECIMAL', j: 'JSON', jb: 'JSON', ts: 'TIMESTAMP', d: 'DATE', tm: 'TIME', u: 'UUID' },
        ),
      );
      expect(insert.error).toBeUndefined();
      const { result } = await run(ds, stmt(`SELECT * FROM typed WHERE id = 1`));
      expect(result.sqlStatementResults[0].records[0]).toEqual([
        { longValue: 1 },
        { longValue: -7 },
        { longValue: 2147483647 },
        { longValue: 9007199254740991 },
        { doubleValue: 1.5 },
        { doubleValue: -0.125 },
        { stringValue: '12345678.90' },
        { booleanValue: false },
        { stringValue: 'héllo "world"' },
        { stringValue: 'short' },
        { stringValue: '{"a":[1,2],"b":null}' },
        { stringValue: '{"z": true}' },
        { stringValue: '2024-02-29 13:14:15.123' },
        { stringValue: '2024-02-29 11:14:15.5' },
        { stringValue: '2024-02-29' },
        { stringValue: '23:59:58.25' },
        { stringValue: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11' },
        { blobValue: Buffer.from('bytes!').toString('base64') },
        { arrayValue: { longValues: [1, 2, 3] } },
        { arrayValue: { stringValues: ['a b', 'c'] } },
      ]);
      const meta = result.sqlStatementResults[0].columnMetadata.map((c: any) => c.typeName);
      expect(meta).toEqual([
        'int4',
        'int2',
        'int4',
        'int8',
        'float4',
        'float8',
        'numeric',
        'bool',
        'text',
        'varchar',
        'json',
        'jsonb',
        'timestamp',
        'timestamptz',
        'date',
        'time',
        'uuid',
        'bytea',
        '_int4',
        '_text',
      ]);
    });

    it('a list value binds as a Postgres array; an object (or the JSON hint) as JSON text', async () => {
      const insert = await run(
        ds,
        stmt(
          `INSERT INTO typed (id, ints, texts, jb, j) VALUES (2, :ints, :texts, :obj, :list) RETURNING ints, texts, jb, j`,
          {
            ints: [4, 5],
            texts: ["it's", 'a "b"', 'c,d'],
            obj: { k: [1] },
            list: [1, 'two'],
          },
          { list: 'JSON' },
        ),
      );
      expect(insert.error).toBeUndefined();
      expect(insert.result.sqlStatementResults[0].records[0]).toEqual([
        { arrayValue: { longValues: [4, 5] } },
        { arrayValue: { stringValues: ["it's", 'a "b"', 'c,d'] } },
        { stringValue: '{"k": [1]}' },
        { stringValue: '[1,"two"]' },
      ]);
    });

    it('SQL injection through a value is stored as text, never run', async () => {
      const evil = `x'); DROP TABLE people; --`;
      const insert = await run(ds, stmt(`INSERT INTO people (name) VALUES (:name) RETURNING name`, { name: evil }));
      expect(insert.error).toBeUndefined();
      expect(values(insert.result)).toEqual([[evil]]);
      const lookup = await run(ds, stmt(`SELECT count(*)::int AS n FROM people WHERE name = :name`, { name: `' OR '1'='1` }));
      expect(values(lookup.result)).toEqual([[0]]);
      // A value meant to widen a numeric filter is a type error, not extra SQL.
      const widen = await run(ds, stmt(`SELECT id FROM people WHERE id = :id`, { id: '1 OR 1=1' }));
      expect(widen.error).toEqual({
        type: 'RDSHttp:BadRequestException',
        message: expect.stringMatching(/^ERROR: invalid input syntax for type integer: "1 OR 1=1"; SQLState: 22P02$/),
      });
      const still = await run(ds, stmt(`SELECT count(*)::int AS n FROM people WHERE name = :name`, { name: evil }));
      expect(values(still.result)).toEqual([[1]]);
    });

    it('an extra statement stacked into one string is refused, not run', async () => {
      const { error } = await run(ds, stmt(`SELECT 1; DELETE FROM people`));
      expect(error?.type).toBe('RDSHttp:BadRequestException');
      const { result } = await run(ds, stmt(`SELECT count(*)::int FROM people`));
      expect((values(result)[0]![0] as number) > 0).toBe(true);
    });

    it('runs two statements in one transaction: a failing second statement commits nothing', async () => {
      const before = values((await run(ds, stmt(`SELECT count(*)::int FROM people`))).result)[0]![0];
      const { result, error } = await run(ds, {
        statements: [`INSERT INTO people (name, email) VALUES (:a, :e)`, `INSERT INTO people (name, email) VALUES (:b, :e)`],
        variableMap: { ':a': 'first', ':b': 'second', ':e': 'dup@x.io' },
      });
      expect(result).toBeUndefined();
      expect(error?.type).toBe('RDSHttp:BadRequestException');
      expect(error?.message).toMatch(/^ERROR: duplicate key value violates unique constraint "people_email_key"; SQLState: 23505$/);
      const after = values((await run(ds, stmt(`SELECT count(*)::int FROM people`))).result)[0]![0];
      expect(after).toBe(before);
      expect(values((await run(ds, stmt(`SELECT count(*)::int FROM people WHERE name = 'first'`))).result)).toEqual([[0]]);
    });

    it('a statement that leaves a transaction open is rolled back and reported', async () => {
      const { error } = await run(ds, stmt('BEGIN'));
      expect(error).toEqual({
        type: 'RDSHttp:BadRequestException',
        message: expect.stringMatching(/^A statement left a transaction open; it was rolled back/),
      });
      // No later request runs inside a leftover transaction: two reads see different now().
      const a = values((await run(ds, stmt('SELECT now()::text'))).result)[0]![0];
      await new Promise((r) => setTimeout(r, 5));
      const b = values((await run(ds, stmt('SELECT now()::text'))).result)[0]![0];
      expect(a).not.toBe(b);
    });

    it('two successful statements both answer, in order (insert then select)', async () => {
      const { result, error } = await run(ds, {
        statements: [`INSERT INTO people (name, age) VALUES (:n, :a)`, `SELECT name, age FROM people WHERE name = :n`],
        variableMap: { ':n': 'Cy', ':a': 5 },
        variableTypeHintMap: {},
      });
      expect(error).toBeUndefined();
      expect(result.sqlStatementResults[0]).toEqual({ numberOfRecordsUpdated: 1, generatedFields: [] });
      expect(values(result, 1)).toEqual([['Cy', 5]]);
    });

    it('an SQL error is a value with the Postgres message, and the pool keeps serving', async () => {
      for (let i = 0; i < 5; i++) {
        const { error } = await run(ds, stmt(`SELECT * FROM no_such_table WHERE x = :x`, { x: i }));
        expect(error).toEqual({ type: 'RDSHttp:BadRequestException', message: 'ERROR: relation "no_such_table" does not exist; SQLState: 42P01' });
      }
      const ok = await run(ds, stmt(`SELECT 2 AS two`));
      expect(values(ok.result)).toEqual([[2]]);
    });

    it('statementTimeout cancels a slow statement as RDSHttp:StatementTimeoutException', async (ctx) => {
      if (backend.name !== 'PostgreSQL server') ctx.skip('runs on a PostgreSQL server only: it cancels a pg_sleep through statement_timeout');
      const slow = await createDataSource({ ...config, statementTimeout: 100 });
      try {
        const { error } = await run(slow, stmt('SELECT pg_sleep(5)'));
        expect(error).toEqual({ type: 'RDSHttp:StatementTimeoutException', message: 'ERROR: canceling statement due to statement timeout; SQLState: 57014' });
        expect(values((await run(slow, stmt('SELECT 1 AS one'))).result)).toEqual([[1]]);
        // SHOW takes a pooled connection (not the pipelined one): its session is set before it is used.
        expect(values((await run(slow, stmt('SHOW statement_timeout'))).result)).toEqual([['100ms']]);
        expect(values((await run(slow, stmt('SHOW TIME ZONE'))).result)).toEqual([['UTC']]);
      } finally {
        await slow.close?.();
      }
    });

    it('serves concurrent requests', async () => {
      const all = await Promise.all(Array.from({ length: 8 }, (_, i) => run(ds, stmt(`SELECT :i::int * 2 AS v`, { i }))));
      expect(all.map((r) => values(r.result)[0]![0])).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    });

    describe.skipIf(backend.name !== 'PostgreSQL server')(
      `the pipelined connection${backend.name === 'PostgreSQL server' ? '' : ' (skipped: only a PostgreSQL server gets a pipelined connection, not embedded PGlite)'}`,
      () => {
        let piped: DataSource;
        const pid = async (request: unknown): Promise<number> => {
          const { result, error } = await run(piped, request);
          expect(error).toBeUndefined();
          return values(result, (result.sqlStatementResults as unknown[]).length - 1)[0]![0] as number;
        };
        beforeAll(async () => {
          piped = await createDataSource({ ...config, maxConnections: 2 });
        });
        afterAll(async () => {
          await piped?.close?.();
        });

        it('carries single statements that cannot touch a transaction; transactions and other statements take the pool', async () => {
          const line = await pid(stmt(`SELECT pg_backend_pid() AS pid`));
          for (let i = 0; i < 3; i++) expect(await pid(stmt(`/* a comment */ WITH x AS (SELECT 1) SELECT pg_backend_pid() AS pid FROM x`))).toBe(line);
          expect(await pid({ statements: ['SELECT 1', 'SELECT pg_backend_pid() AS pid'], variableMap: {} })).not.toBe(line);
          // A statement whose first word is not on the list (here a parenthesis) takes the pool too.
          expect(await pid(stmt(`(SELECT pg_backend_pid() AS pid)`))).not.toBe(line);
        });

        it('a failing statement fails alone among those written with it', async () => {
          const answers = await Promise.all([
            run(piped, stmt(`SELECT :n::int AS v`, { n: 1 })),
            run(piped, stmt(`SELECT 1 / :z::int AS v`, { z: 0 })),
            run(piped, stmt(`SELECT :n::int AS v`, { n: 3 })),
          ]);
          expect(values(answers[0].result)).toEqual([[1]]);
          expect(answers[1].error).toEqual({ type: 'RDSHttp:BadRequestException', message: 'ERROR: division by zero; SQLState: 22012' });
          expect(values(answers[2].result)).toEqual([[3]]);
        });

        it('a statement does not wait behind a slow one: it takes the pool', async () => {
          const finished: string[] = [];
          const slow = run(piped, stmt(`SELECT pg_sleep(1) AS slept`)).then(() => finished.push('slow'));
          await new Promise((resolve) => setTimeout(resolve, 50));
          const fast = await run(piped, stmt(`SELECT 2 AS two`));
          finished.push('fast');
          expect(values(fast.result)).toEqual([[2]]);
          await slow;
          expect(finished).toEqual(['fast', 'slow']);
        });

        it('keeps at most MAX_PER_CONNECTION statements prepared there, deallocating in line with the statements in flight', async () => {
          const answers = await Promise.all(Array.from({ length: MAX_PER_CONNECTION + 20 }, (_, i) => run(piped, stmt(`SELECT ${i} AS v /* piped lru */`))));
          expect(answers.map((a) => values(a.result)[0]![0])).toEqual(Array.from({ length: MAX_PER_CONNECTION + 20 }, (_, i) => i));
          const prepared = await run(piped, stmt(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'agw\\_%'`));
          expect(values(prepared.result)[0]![0]).toBeLessThanOrEqual(MAX_PER_CONNECTION + 1);
        });

        it('a statement prepared there before its table gained a column answers with the new columns', async () => {
          expect((await run(piped, stmt(`CREATE TABLE widening_piped (a int)`))).error).toBeUndefined();
          expect((await run(piped, stmt(`INSERT INTO widening_piped VALUES (1)`))).error).toBeUndefined();
          const read = stmt(`SELECT * FROM widening_piped`);
          expect(values((await run(piped, read)).result)).toEqual([[1]]);
          expect((await run(piped, stmt(`ALTER TABLE widening_piped ADD COLUMN b text DEFAULT 'x'`))).error).toBeUndefined();
          for (let i = 0; i < 2; i++) {
            const after = await run(piped, read);
            expect(after.error).toBeUndefined();
            expect(values(after.result)).toEqual([[1, 'x']]);
          }
        });
      },
    );

    describe('prepared statements (one connection)', () => {
      let one: DataSource;
      /** The SQL texts prepared on the data source's connection. */
      const preparedTexts = async (on: DataSource): Promise<string[]> =>
        values((await run(on, stmt(`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'agw\\_%' ORDER BY statement`))).result).map(
          (r) => r[0] as string,
        );
      beforeAll(async () => {
        one = await createDataSource({ ...config, ...(backend.name === 'PostgreSQL server' ? { maxConnections: 1 } : {}) });
      });
      afterAll(async () => {
        await one?.close?.();
      });

      it('a repeated SQL text is parsed once per connection, under one name for every value', async () => {
        const text = `SELECT :n::int + 1 AS next /* prepared-once */`;
        for (const n of [1, 2, 3]) expect(values((await run(one, stmt(text, { n }))).result)).toEqual([[n + 1]]);
        expect((await preparedTexts(one)).filter((t) => t.includes('prepared-once'))).toEqual([`SELECT $1::int + 1 AS next /* prepared-once */`]);
      });

      it('keeps at most MAX_PER_CONNECTION statements on a connection, deallocating the least recently used', async () => {
        for (let i = 0; i < MAX_PER_CONNECTION + 10; i++) expect((await run(one, stmt(`SELECT ${i} AS v /* lru */`))).error).toBeUndefined();
        const texts = await preparedTexts(one);
        expect(texts.length).toBeLessThanOrEqual(MAX_PER_CONNECTION + 1);
        expect(texts).toContain(`SELECT ${MAX_PER_CONNECTION + 9} AS v /* lru */`);
        expect(texts).not.toContain(`SELECT 0 AS v /* lru */`);
        // A deallocated text is prepared again when it comes back.
        expect(values((await run(one, stmt(`SELECT 0 AS v /* lru */`))).result)).toEqual([[0]]);
      });

      it('a statement prepared before its table gained a column answers with the new columns', async () => {
        expect((await run(one, stmt(`CREATE TABLE widening (a int)`))).error).toBeUndefined();
        expect((await run(one, stmt(`INSERT INTO widening VALUES (1)`))).error).toBeUndefined();
        const read = stmt(`SELECT * FROM widening`);
        expect(values((await run(one, read)).result)).toEqual([[1]]);
        expect((await run(one, stmt(`ALTER TABLE widening ADD COLUMN b text DEFAULT 'x'`))).error).toBeUndefined();
        const after = await run(one, read);
        expect(after.error).toBeUndefined();
        expect(values(after.result)).toEqual([[1, 'x']]);
      });

      it('preparedStatements: false sends every statement unnamed', async () => {
        const unnamed = await createDataSource({
          ...config,
          preparedStatements: false,
          ...(backend.name === 'PostgreSQL server' ? { maxConnections: 1 } : {}),
        });
        try {
          expect(values((await run(unnamed, stmt(`SELECT 7 AS v /* never-named */`))).result)).toEqual([[7]]);
          expect((await preparedTexts(unnamed)).filter((t) => t.includes('never-named'))).toEqual([]);
        } finally {
          await unnamed.close?.();
        }
      });

      it('trimming a statement already deallocated on the server does not fail or repeat the request whose statements ran', async (ctx) => {
        if (backend.name !== 'PostgreSQL server') ctx.skip('runs on a PostgreSQL server only: it needs a connection of its own');
        const own = await createDataSource({ ...config, maxConnections: 1 });
        try {
          expect((await run(own, stmt(`CREATE TABLE trimmed_once (n int)`))).error).toBeUndefined();
          for (let i = 0; i < MAX_PER_CONNECTION - 2; i++) expect((await run(own, stmt(`SELECT ${i} AS v /* trim fails */`))).error).toBeUndefined();
          // A resolver's DEALLOCATE ALL empties the connection behind the data source's back.
          expect((await run(own, stmt(`DEALLOCATE ALL`))).error).toBeUndefined();
          // The statement past the limit runs, then the oldest name's DEALLOCATE finds it gone (26000).
          const insert = await run(own, stmt(`INSERT INTO trimmed_once VALUES (1)`));
          expect(insert.error).toBeUndefined();
          expect(values((await run(own, stmt(`SELECT count(*)::int AS n FROM trimmed_once`))).result)).toEqual([[1]]);
        } finally {
          await own.close?.();
        }
      });
    });

    it('runs what the rds module builds: joins, aggregates, group by, having, every where operator', async () => {
      const setup = await run(ds, {
        statements: [
          `CREATE TABLE shop_orders (id serial PRIMARY KEY, customer text NOT NULL, status text, total numeric(8,2), note text)`,
          `INSERT INTO shop_orders (customer, status, total, note) VALUES
             ('ann', 'PAID', 10, 'gift wrap'), ('ann', 'PAID', 5.5, NULL), ('bob', 'PENDING', 99, 'rush'), ('cy', 'PAID', 1, 'x')`,
        ],
        variableMap: {},
      });
      expect(setup.error).toBeUndefined();
      const rows = async (request: unknown) => {
        const { result, error } = await run(ds, request);
        expect(error).toBeUndefined();
        return toJsonObject(JSON.stringify(result));
      };

      const grouped = await rows(
        createPgStatement(
          select({
            table: 'shop_orders',
            columns: ['customer', { orders: agg.count('id') }, { spent: agg.sum('total') }],
            where: { status: { eq: 'PAID' } },
            groupBy: ['customer'],
            having: { id: { count: { gt: 1 } } },
            orderBy: [{ column: 'customer', dir: 'DESC' }],
          }),
        ),
      );
      expect(grouped).toEqual([[{ customer: 'ann', orders: 2, spent: '15.50' }]]);

      const filtered = await rows(
        createPgStatement(
          select({
            table: 'shop_orders',
            columns: ['id'],
            where: {
              customer: { beginsWith: 'a', notContains: 'zz' },
              total: { between: [typeHint.DECIMAL('5'), typeHint.DECIMAL('10.00')] },
              note: { attributeExists: true, size: { gt: 3 }, contains: 'wrap' },
              not: [{ status: { eq: 'PENDING' } }],
              or: [{ id: { le: 1 } }, { id: { ge: 100 } }],
            },
            limit: 5,
            offset: 0,
          }),
        ),
      );
      expect(filtered).toEqual([[{ id: 1 }]]);

      const joined = await rows(
        createPgStatement(
          select({
            from: { o: 'shop_orders' },
            columns: ['o.id', { who: 'p.name' }],
            leftJoin: [{ table: { p: 'people' }, on: { 'p.name': { eq: 'o.customer' } } }],
            where: { 'o.customer': { eq: 'bob' } },
          }),
        ),
      );
      expect(joined).toEqual([[{ id: 3, who: null }]]);

      const written = await rows(
        createPgStatement(
          insert({ table: 'shop_orders', values: { customer: 'dee', status: 'NEW', total: typeHint.DECIMAL(3) }, returning: ['id', 'customer'] }),
          update({ table: 'shop_orders', values: { status: 'DONE', note: null }, where: { customer: { eq: 'dee' } }, returning: '*' }),
        ),
      );
      expect(written).toEqual([[{ id: 5, customer: 'dee' }], [{ id: 5, customer: 'dee', status: 'DONE', total: '3.00', note: null }]]);
      const removed = await rows(createPgStatement(remove({ table: 'shop_orders', where: { id: { eq: 5 } }, returning: ['id'] })));
      expect(removed).toEqual([[{ id: 5 }]]);
    });

    it.each([
      ['not an object', 'select 1', /must be an object/],
      ['no statements', { variableMap: {} }, /statements must be a list/],
      ['three statements (AppSync allows two)', { statements: ['select 1', 'select 2', 'select 3'], variableMap: {} }, /At most 2 statements/],
      ['unknown type hint', { statements: ['select :a'], variableMap: { ':a': 1 }, variableTypeHintMap: { ':a': 'BLOB' } }, /Unsupported type hint BLOB/],
    ])('rejects a malformed request: %s', async (_name, request, message) => {
      const { error } = await run(ds, request);
      expect(error?.type).toBe('RDSHttp:BadRequestException');
      expect(error?.message).toMatch(message);
    });

    it('applies a migrations folder in order, once, recorded in _appsync_gateway_migrations', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'pg-migrations-'));
      try {
        await writeFile(join(dir, '002_seed.sql'), `INSERT INTO mig_things (name) VALUES ('seeded');`);
        await writeFile(join(dir, '001_create.sql'), `CREATE TABLE mig_things (id serial PRIMARY KEY, name text);\nCREATE INDEX ON mig_things (name);`);
        await writeFile(join(dir, 'README.txt'), 'not sql');
        const first = await createDataSource({ ...config, migrations: dir });
        await first.close?.();
        const second = await createDataSource({ ...config, migrations: 'migrations-relative' }, '/nonexistent').catch((e: Error) => e);
        expect(second).toBeInstanceOf(Error);
        expect((second as Error).message).toMatch(/^dataSources\.pg\.config\.migrations: /);
        const again = await createDataSource({ ...config, migrations: dir });
        await again.close?.();
        const { result } = await run(ds, stmt(`SELECT name FROM mig_things`));
        expect(values(result)).toEqual([['seeded']]);
        const recorded = await run(ds, stmt(`SELECT name FROM _appsync_gateway_migrations ORDER BY name`));
        expect(values(recorded.result)).toEqual([['001_create.sql'], ['002_seed.sql']]);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

describe('isPipelinable', () => {
  it.each([
    ['SELECT 1', true],
    ['  with x as (select 1) select * from x', true],
    ['-- note\nINSERT INTO t VALUES (1)', true],
    ['/* a */ /* b */ update t set a = 1', true],
    ['DELETE FROM t', true],
    ['VALUES (1)', true],
    ['TABLE t', true],
    ['BEGIN', false],
    ['COMMIT', false],
    ['START TRANSACTION', false],
    ['SET TRANSACTION ISOLATION LEVEL SERIALIZABLE', false],
    ['CALL p()', false],
    ['LOCK TABLE t', false],
    ['SAVEPOINT s', false],
    ['selectivity', false],
    ['(SELECT 1)', false],
    ['/* unclosed SELECT 1', false],
    ['-- SELECT\nBEGIN', false],
  ])('%j → %s', (text, expected) => {
    expect(isPipelinable(text)).toBe(expected);
  });
});

describe('config validation', () => {
  it('names the offending key', () => {
    const errors = postgresKind.validate!({ connectionString: 5, maxConnections: 0, bogus: true }, 'dataSources.db.config');
    expect(errors.map((e) => e.message)).toEqual([
      'dataSources.db.config.connectionString: expected string, got number',
      'dataSources.db.config.maxConnections: expected a positive integer, got 0',
      'dataSources.db.config.bogus: unknown key; expected one of connectionString, maxConnections, migrations, statementTimeout, preparedStatements, pipelining, dataDir, inMemory, region, dbClusterIdentifier, databaseName, awsSecretStoreArn, schema, serviceRoleArn, iamRoleStatements, relationalDatabaseSourceType',
    ]);
  });

  it('accepts the Serverless AppSync plugin RDS keys (ignored locally)', () => {
    expect(
      postgresKind.validate!(
        {
          connectionString: 'postgres://u@127.0.0.1/db',
          region: 'eu-west-1',
          dbClusterIdentifier: { Ref: 'RDSCluster' },
          databaseName: 'db',
          awsSecretStoreArn: { Ref: 'RDSClusterSecret' },
          schema: 'public',
          serviceRoleArn: { 'Fn::GetAtt': ['RelationalDbServiceRole', 'Arn'] },
          iamRoleStatements: [{ Effect: 'Allow', Action: ['rds-data:ExecuteStatement'], Resource: ['*'] }],
        },
        'dataSources.db.config',
      ),
    ).toEqual([]);
  });
});
