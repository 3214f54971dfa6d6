/**
 * `@aws-appsync/utils/rds` request builders and `toJsonObject` as pure functions
 * (docs/postgres.md). Cases marked Observed use the exact strings recorded from
 * AppSync's EvaluateCode (localstack/appsync-utils snapshots).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  agg,
  createMySQLStatement,
  createPgStatement,
  insert,
  rdsUtil,
  remove,
  select,
  sql,
  toJsonObject,
  typeHint,
  update,
} from '../../../src/resolvers/guest/modules/rds.js';

describe('request builders (§2)', () => {
  const cases: Array<{ name: string; input: () => unknown; expected: unknown }> = [
    {
      name: 'Observed: select with or, columns, orderBy, limit, offset',
      input: () =>
        createPgStatement(
          select({
            table: 'UserGroup',
            where: { or: [{ name: { eq: 'Stephane' } }, { id: { gt: 10 } }] },
            limit: 10,
            offset: 1,
            columns: ['id', 'name'],
            orderBy: [{ column: 'name' }, { column: 'id', dir: 'DESC' }],
          }),
        ),
      expected: {
        statements: ['SELECT "id", "name" FROM "UserGroup" WHERE ("name" = :P0) OR ("id" > :P1) ORDER BY "name" ASC, "id" DESC LIMIT :P2 OFFSET :P3'],
        variableMap: { ':P0': 'Stephane', ':P1': 10, ':P2': 10, ':P3': 1 },
        variableTypeHintMap: {},
      },
    },
    {
      name: 'Observed: select with type hints in an and',
      input: () =>
        createPgStatement(
          select({
            table: 'UserGroup',
            where: { and: [{ id: { eq: typeHint.UUID('1232') } }, { started: { lt: typeHint.TIMESTAMP(new Date(Date.UTC(2022, 2, 2))) } }] },
          }),
        ),
      expected: {
        statements: ['SELECT * FROM "UserGroup" WHERE ("id" = :P0) AND ("started" < :P1)'],
        variableMap: { ':P0': '1232', ':P1': '2022-03-02T00:00:00.000Z' },
        variableTypeHintMap: { ':P0': 'UUID', ':P1': 'TIMESTAMP' },
      },
    },
    {
      name: 'Observed: remove with returning',
      input: () => createPgStatement(remove({ table: 'persons', where: { id: { eq: '1232' } }, returning: ['id', 'name'] })),
      expected: {
        statements: ['DELETE FROM "persons" WHERE "id" = :P0 RETURNING "id", "name"'],
        variableMap: { ':P0': '1232' },
        variableTypeHintMap: {},
      },
    },
    {
      name: 'insert with returning *, null inline',
      input: () => createPgStatement(insert({ table: 'persons', values: { name: 'Ann', age: 3, note: null }, returning: '*' })),
      expected: {
        statements: ['INSERT INTO "persons" ("name", "age", "note") VALUES (:P0, :P1, NULL) RETURNING *'],
        variableMap: { ':P0': 'Ann', ':P1': 3 },
        variableTypeHintMap: {},
      },
    },
    {
      name: 'update with where and returning',
      input: () => createPgStatement(update({ table: 'persons', values: { name: 'Bo' }, where: { id: { eq: 7 } }, returning: ['id', 'name'] })),
      expected: {
        statements: ['UPDATE "persons" SET "name" = :P0 WHERE "id" = :P1 RETURNING "id", "name"'],
        variableMap: { ':P0': 'Bo', ':P1': 7 },
        variableTypeHintMap: {},
      },
    },
    {
      name: 'sql template: values bound, two statements share the numbering',
      input: () => createPgStatement(sql`INSERT INTO t (a, b) VALUES (${'x'}, ${typeHint.JSON('{"k":1}')})`, sql`SELECT * FROM t WHERE a = ${'x'}`),
      expected: {
        statements: ['INSERT INTO t (a, b) VALUES (:P0, :P1)', 'SELECT * FROM t WHERE a = :P2'],
        variableMap: { ':P0': 'x', ':P1': '{"k":1}', ':P2': 'x' },
        variableTypeHintMap: { ':P1': 'JSON' },
      },
    },
    {
      name: 'schema-qualified table, operators, not, size, attributeExists',
      input: () =>
        createPgStatement(
          select({
            table: 'private.persons',
            where: {
              name: { beginsWith: 'A', contains: 'n' },
              bio: { notContains: 'spam', attributeExists: true, size: { gt: 3 } },
              age: { between: [18, 65] },
              not: [{ city: { eq: 'Oslo' } }],
            },
          }),
        ),
      expected: {
        statements: [
          'SELECT * FROM "private"."persons" WHERE "name" LIKE :P0 AND "name" LIKE :P1 AND "bio" NOT LIKE :P2 AND "bio" IS NOT NULL AND LENGTH("bio") > :P3 AND "age" BETWEEN :P4 AND :P5 AND NOT (("city" = :P6))',
        ],
        variableMap: { ':P0': 'A%', ':P1': '%n%', ':P2': '%spam%', ':P3': 3, ':P4': 18, ':P5': 65, ':P6': 'Oslo' },
        variableTypeHintMap: {},
      },
    },
    {
      name: 'aggregates, alias, join on columns, group by, having',
      input: () =>
        createPgStatement(
          select({
            from: { a: 'album' },
            columns: ['a.title', { tracks: agg.count('t.id') }, { genres: agg.countDistinct('t.genre') }],
            leftJoin: [{ table: { t: 'track' }, on: { 'a.id': { eq: 't.album_id' } } }],
            groupBy: ['a.title'],
            having: { 't.genre': { countDistinct: { gt: 1 } } },
            orderBy: [{ column: 'a.title', dir: 'asc' }],
          }),
        ),
      expected: {
        statements: [
          'SELECT "a"."title", COUNT("t"."id") AS "tracks", COUNT(DISTINCT "t"."genre") AS "genres" FROM "album" as "a" LEFT JOIN "track" as "t" ON "a"."id" = "t"."album_id" GROUP BY "a"."title" HAVING COUNT(DISTINCT "t"."genre") > :P0 ORDER BY "a"."title" ASC',
        ],
        variableMap: { ':P0': 1 },
        variableTypeHintMap: {},
      },
    },
    {
      name: 'eq null is IS NULL; a quote in an identifier is escaped',
      input: () => createPgStatement(select({ table: 'we"ird', where: { deleted_at: { eq: null } } })),
      expected: { statements: ['SELECT * FROM "we""ird" WHERE "deleted_at" IS NULL'], variableMap: {}, variableTypeHintMap: {} },
    },
    {
      name: 'MySQL quoting',
      input: () => createMySQLStatement(select({ table: 'persons', columns: ['id'], where: { id: { eq: 1 } } })),
      expected: { statements: ['SELECT `id` FROM `persons` WHERE `id` = :P0'], variableMap: { ':P0': 1 }, variableTypeHintMap: {} },
    },
    {
      name: 'a raw string statement passes through untouched',
      input: () => createPgStatement('SELECT 1'),
      expected: { statements: ['SELECT 1'], variableMap: {}, variableTypeHintMap: {} },
    },
  ];

  it.each(cases)('$name', ({ input, expected }) => {
    expect(input()).toEqual(expected);
  });

  it('typeHint values (Observed shape { type, value })', () => {
    expect(typeHint.UUID('abc123')).toEqual({ type: 'UUID', value: 'abc123' });
    expect(typeHint.TIMESTAMP(new Date(Date.UTC(2023, 1, 1)) as unknown as string)).toEqual({ type: 'TIMESTAMP', value: '2023-02-01T00:00:00.000Z' });
    expect(typeHint.DECIMAL('1.50')).toEqual({ type: 'DECIMAL', value: '1.50' });
  });

  it.each([
    [
      'orderBy dir outside ASC/DESC (no SQL through the direction)',
      () => select({ table: 't', orderBy: [{ column: 'a', dir: 'ASC; DROP TABLE t' }] }),
      /orderBy dir can have either ASC or DESC/,
    ],
    ['returning on MySQL', () => remove({ table: 't', returning: '*' }), /returning is not supported in MySQL/],
    ['insert without values', () => insert({ table: 't' }), /values are expected to be passed to insert/],
    ['no table', () => select({}), /'table' or 'from' key is required/],
    ['unknown operator', () => select({ table: 't', where: { a: { like: 'x' } } }), /Unsupported condition a.like/],
  ])('refuses %s', (_name, build, message) => {
    const create = _name === 'returning on MySQL' ? createMySQLStatement : createPgStatement;
    expect(() => create(build())).toThrow(message);
  });

  it('names variables on past the first 32 (:P32, :P33, …) in order of appearance', () => {
    const ids = Array.from({ length: 40 }, (_, i) => i * 10);
    const request = createPgStatement(select({ table: 't', where: { or: ids.map((id) => ({ id: { eq: id } })) } }));
    expect(request.statements[0]).toBe(`SELECT * FROM "t" WHERE ${ids.map((_, i) => `("id" = :P${i})`).join(' OR ')}`);
    expect(request.variableMap).toEqual(Object.fromEntries(ids.map((id, i) => [`:P${i}`, id])));
  });

  it('a hostile value is only ever a variable', () => {
    const evil = `x'; DROP TABLE persons; --`;
    const request = createPgStatement(select({ table: 'persons', where: { name: { eq: evil } } }), sql`DELETE FROM persons WHERE name = ${evil}`);
    expect(request.statements.join(' ')).not.toContain('DROP');
    expect(Object.values(request.variableMap)).toEqual([evil, evil]);
  });
});

describe('toJsonObject (§2)', () => {
  const books = {
    sqlStatementResults: [
      {
        numberOfRecordsUpdated: 0,
        records: [
          [{ stringValue: 'Mark Twain' }, { stringValue: 'Adventures of Huckleberry Finn' }, { stringValue: '978-1948132817' }],
          [{ stringValue: 'Jack London' }, { stringValue: 'The Call of the Wild' }, { stringValue: '978-1948132275' }],
        ],
        columnMetadata: [
          { label: 'author', name: 'author', typeName: 'VARCHAR' },
          { label: 'title', name: 'title', typeName: 'VARCHAR' },
          { label: 'ISBN-13', name: 'ISBN-13', typeName: 'VARCHAR' },
        ],
      },
    ],
  };

  it('Observed: the documented Books example, from the JSON string', () => {
    expect(toJsonObject(JSON.stringify(books))).toEqual([
      [
        { author: 'Mark Twain', title: 'Adventures of Huckleberry Finn', 'ISBN-13': '978-1948132817' },
        { author: 'Jack London', title: 'The Call of the Wild', 'ISBN-13': '978-1948132275' },
      ],
    ]);
    expect(rdsUtil.toJsonObject(books)).toEqual(toJsonObject(JSON.stringify(books)));
  });

  it('one list per statement; a statement without records gives []; typed fields and NULL', () => {
    const result = {
      sqlStatementResults: [
        { numberOfRecordsUpdated: 1, generatedFields: [] },
        {
          numberOfRecordsUpdated: 0,
          records: [
            [
              { longValue: 1 },
              { doubleValue: 1.5 },
              { booleanValue: true },
              { isNull: true },
              { arrayValue: { longValues: [1, 2] } },
              { arrayValue: { arrayValues: [{ stringValues: ['a'] }] } },
            ],
          ],
          columnMetadata: [{ label: 'i', name: 'i' }, { label: 'd' }, { name: 'b' }, { label: 'n' }, { label: 'arr' }, { label: 'nested' }],
        },
      ],
    };
    expect(toJsonObject(result)).toEqual([[], [{ i: 1, d: 1.5, b: true, n: null, arr: [1, 2], nested: [['a']] }]]);
  });

  it.each([['not json'], [42], [null], [{ foo: 1 }]])('invalid input %j gives null', (input) => {
    expect(toJsonObject(input)).toBeNull();
  });

  // The text as the data source writes it takes a shorter path (its columnMetadata parsed once and
  // kept); every text gives what the parsed object gives.
  const head = '{"sqlStatementResults":[{"numberOfRecordsUpdated":0,"records":';
  const meta = '[{"label":"id","name":"id","type":4},{"label":"name","name":"name","type":12}]';
  const tail = ',"generatedFields":[]}]}';
  it.each([
    ['as the data source writes it', `${head}[[{"longValue":1},{"stringValue":"Ann"}]],"columnMetadata":${meta}${tail}`],
    [
      'the same columns, other records (the kept metadata)',
      `${head}[[{"longValue":2},{"isNull":true}],[{"longValue":3},{"stringValue":"x"}]],"columnMetadata":${meta}${tail}`,
    ],
    ['no records', `${head}[],"columnMetadata":${meta}${tail}`],
    [
      'other labels of the same length',
      `${head}[[{"longValue":1},{"stringValue":"Ann"}]],"columnMetadata":${meta.replace('"label":"id"', '"label":"ix"')}${tail}`,
    ],
    ['a string holding the member names', `${head}[[{"longValue":1},{"stringValue":"\\\",\\"columnMetadata\\":[]"}]],"columnMetadata":${meta}${tail}`],
    [
      'a record object with a columnMetadata member',
      `${head}[[{"longValue":1,"columnMetadata":[{"label":"no"}]},{"stringValue":"b"}]],"columnMetadata":${meta}${tail}`,
    ],
    ['records not an array', `${head}null,"columnMetadata":${meta}${tail}`],
    ['numberOfRecordsUpdated not an integer', `${head.replace(':0,', ':1.0,')}[[{"longValue":1}]],"columnMetadata":${meta}${tail}`],
    ['spaces', `${head}[[{"longValue":1}]], "columnMetadata":${meta}${tail}`],
    ['columnMetadata null', `${head}[[{"longValue":1}]],"columnMetadata":null${tail}`],
  ])('a JSON text, %s: the same rows as its parsed object', (_name, text) => {
    const expected = toJsonObject(JSON.parse(text));
    expect(toJsonObject(text)).toEqual(expected);
    expect(toJsonObject(text)).toEqual(expected);
  });

  it.each([
    ['records cut short', `${head}[[{"longValue":1}],"columnMetadata":${meta}${tail}`],
    ['metadata cut short', `${head}[[{"longValue":1}]],"columnMetadata":${meta.slice(0, -1)}${tail}`],
    ['nothing between the members', `${head}[[{"longValue":1}]],"columnMetadata":${tail}`],
  ])('a text that is not JSON, %s: null', (_name, text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(toJsonObject(text)).toBeNull();
  });
});

// In the sandbox JSON.parse answers "" for a text that is not JSON (prelude.ts); the shortcut must not
// take that "" for a parsed cut. A two-statement result was read as one there (createTwoBooks).
describe('toJsonObject under the sandbox JSON.parse, which answers "" for text that is not JSON', () => {
  const strictParse = JSON.parse;
  beforeEach(() => {
    vi.spyOn(JSON, 'parse').mockImplementation((text: string) => {
      try {
        return strictParse(text) as unknown;
      } catch {
        return '';
      }
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const meta = '[{"label":"id","name":"id","type":4}]';
  const statement = (id: number) => `{"numberOfRecordsUpdated":1,"records":[[{"longValue":${id}}]],"columnMetadata":${meta},"generatedFields":[]}`;
  it('two statements give two results', () => {
    const text = `{"sqlStatementResults":[${statement(1)},${statement(2)}]}`;
    expect(toJsonObject(text)).toEqual([[{ id: 1 }], [{ id: 2 }]]);
    expect(toJsonObject(text)).toEqual([[{ id: 1 }], [{ id: 2 }]]);
  });
  it('a text whose records are cut short is not JSON: null', () => {
    expect(
      toJsonObject(`{"sqlStatementResults":[{"numberOfRecordsUpdated":1,"records":[[{"longValue":1}],"columnMetadata":${meta},"generatedFields":[]}]}`),
    ).toBeNull();
  });
});

describe('values that JSON cannot carry', () => {
  it('an undefined template value is bound as null, so no :P<n> is left unbound', () => {
    expect(createPgStatement(sql`SELECT ${undefined} AS a, ${typeHint.UUID(undefined as unknown as string)} AS b`)).toEqual({
      statements: ['SELECT :P0 AS a, :P1 AS b'],
      variableMap: { ':P0': null, ':P1': null },
      variableTypeHintMap: { ':P1': 'UUID' },
    });
  });
});
