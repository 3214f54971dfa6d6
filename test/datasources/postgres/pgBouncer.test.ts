/**
 * The RELATIONAL_DATABASE data source behind a real PgBouncer (Debian's 1.18) in front of the suite's
 * PostgreSQL server, in both pool modes, with the defaults and with `preparedStatements` /
 * `pipelining` off (docs/postgres.md#behind-pgbouncer-or-rds-proxy). PgBouncer before 1.21 in
 * transaction mode hands each transaction whichever server connection is free, so a statement named
 * on one is missing on the next (26000) or already there (42P05); the data source then sends its
 * statements unnamed and says so once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { postgresKind, type PostgresDataSourceConfig } from '../../../src/datasources/postgres/index.js';
import type { DataSource } from '../../../src/datasources/types.js';
import { createTestDatabase, run, stmt, values } from './helpers.js';
import { pgBouncerSkipReason, startPgBouncer, type PgBouncer } from './pgBouncer.js';

const serverUrl = inject('postgresUrl');
const skipReason = serverUrl ? pgBouncerSkipReason() : inject('postgresSkipReason');

/** What the data source logged at warn. */
interface Warned {
  message: string;
  detail: unknown;
}

async function create(config: PostgresDataSourceConfig, warned: Warned[]): Promise<DataSource> {
  const logger = { debug() {}, info() {}, error() {}, warn: (message: string, detail?: unknown) => warned.push({ message, detail }) };
  return postgresKind.create({ name: 'pg', config, configPath: 'dataSources.pg.config', configDir: process.cwd(), gatewayConfig: {} as never, logger });
}

/**
 * Selects 16 in flight (three rounds), inserts 8 in flight, four two-statement transactions in
 * flight, and failing statements among good ones: every answer checked.
 */
async function workload(ds: DataSource, tag: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const selects = await Promise.all(Array.from({ length: 16 }, (_, i) => run(ds, stmt(`SELECT :i::int * 2 AS v`, { i }))));
    for (const [i, answer] of selects.entries()) {
      expect(answer.error).toBeUndefined();
      expect(values(answer.result)).toEqual([[i * 2]]);
    }
  }
  const inserts = await Promise.all(
    Array.from({ length: 8 }, (_, i) => run(ds, stmt(`INSERT INTO visits (who) VALUES (:who) RETURNING who`, { who: `${tag}-${i}` }))),
  );
  for (const [i, answer] of inserts.entries()) {
    expect(answer.error).toBeUndefined();
    expect(values(answer.result)).toEqual([[`${tag}-${i}`]]);
  }
  const transactions = await Promise.all(
    Array.from({ length: 4 }, (_, i) =>
      run(ds, {
        statements: [`INSERT INTO visits (who) VALUES (:who)`, `SELECT count(*)::int AS n FROM visits WHERE who = :who`],
        variableMap: { ':who': `${tag}-tx-${i}` },
      }),
    ),
  );
  for (const answer of transactions) {
    expect(answer.error).toBeUndefined();
    expect(values(answer.result, 1)).toEqual([[1]]);
  }
  // A transaction whose second statement fails leaves nothing behind.
  const failed = await run(ds, {
    statements: [`INSERT INTO visits (who) VALUES (:who)`, `SELECT 1 / 0`],
    variableMap: { ':who': `${tag}-rolled-back` },
  });
  expect(failed.error).toEqual({ type: 'RDSHttp:BadRequestException', message: 'ERROR: division by zero; SQLState: 22012' });
  const errors = await Promise.all([
    run(ds, stmt(`SELECT 1 / :z::int AS v`, { z: 0 })),
    run(ds, stmt(`SELECT :n::int AS v`, { n: 5 })),
    run(ds, stmt(`SELECT * FROM no_such_table`)),
    run(ds, stmt(`INSERT INTO visits (who) VALUES (:who)`, { who: `${tag}-0` })),
  ]);
  expect(errors[0].error).toEqual({ type: 'RDSHttp:BadRequestException', message: 'ERROR: division by zero; SQLState: 22012' });
  expect(values(errors[1].result)).toEqual([[5]]);
  expect(errors[2].error).toEqual({ type: 'RDSHttp:BadRequestException', message: 'ERROR: relation "no_such_table" does not exist; SQLState: 42P01' });
  expect(errors[3].error?.message).toMatch(/duplicate key value violates unique constraint .*; SQLState: 23505$/);
  const count = await run(ds, stmt(`SELECT count(*)::int AS n FROM visits WHERE who LIKE :tag`, { tag: `${tag}-%` }));
  expect(values(count.result)).toEqual([[12]]);
  expect(values((await run(ds, stmt(`SHOW TIME ZONE`))).result)).toEqual([['UTC']]);
}

describe.skipIf(!!skipReason)(`behind PgBouncer${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let database: string;
  beforeAll(async () => {
    database = await createTestDatabase(serverUrl);
    const setup = await create({ connectionString: database, maxConnections: 1 }, []);
    try {
      expect((await run(setup, stmt(`CREATE TABLE visits (who text PRIMARY KEY)`))).error).toBeUndefined();
    } finally {
      await setup.close?.();
    }
  });

  describe('pool_mode = transaction (two server connections)', () => {
    let bouncer: PgBouncer;
    beforeAll(async () => {
      bouncer = await startPgBouncer({ serverUrl, poolMode: 'transaction', poolSize: 2 });
    });
    afterAll(async () => {
      await bouncer?.destroy();
    });

    for (const keys of [{}, { pipelining: false }] as const) {
      it(`${keys.pipelining === false ? 'pipelining: false' : 'the defaults'}: named statements that go missing are sent again unnamed, turned off, and said once at warn`, async () => {
        const warned: Warned[] = [];
        const ds = await create({ connectionString: bouncer.url(database), maxConnections: 4, ...keys }, warned);
        try {
          await workload(ds, `tx-${keys.pipelining === false ? 'pooled' : 'defaults'}`);
        } finally {
          await ds.close?.();
        }
        expect(warned.map((w) => w.message)).toEqual([
          'postgres data source pg: a named statement was missing or already there on the server connection, as behind PgBouncer before 1.21 in transaction mode; statements are sent unnamed from now on (set preparedStatements: false to start that way)',
        ]);
        expect((warned[0]!.detail as { error: string }).error).toMatch(/^prepared statement "agw_[0-9a-f]{40}" (does not exist|already exists)$/);
      });
    }

    for (const keys of [{ preparedStatements: false }, { preparedStatements: false, pipelining: false }] as const) {
      it(`${Object.keys(keys).join(' and ')} false: everything works, nothing to warn about (pipelined Syncs included)`, async () => {
        const warned: Warned[] = [];
        const ds = await create({ connectionString: bouncer.url(database), maxConnections: 4, ...keys }, warned);
        try {
          await workload(ds, `tx-${Object.keys(keys).join('-')}`);
        } finally {
          await ds.close?.();
        }
        expect(warned).toEqual([]);
      });
    }

    it('a statement_timeout set on the database (what the docs advise here instead of statementTimeout) holds on every server connection', async () => {
      const timed = await createTestDatabase(serverUrl);
      const admin = await create({ connectionString: timed, maxConnections: 1 }, []);
      try {
        expect((await run(admin, stmt(`ALTER DATABASE ${new URL(timed).pathname.slice(1)} SET statement_timeout = '200ms'`))).error).toBeUndefined();
      } finally {
        await admin.close?.();
      }
      const ds = await create({ connectionString: bouncer.url(timed), maxConnections: 4, preparedStatements: false }, []);
      try {
        const slow = await Promise.all(Array.from({ length: 6 }, () => run(ds, stmt(`SELECT pg_sleep(2)`))));
        expect(slow.map((answer) => answer.error?.type)).toEqual(Array.from({ length: 6 }, () => 'RDSHttp:StatementTimeoutException'));
      } finally {
        await ds.close?.();
      }
    });
  });

  describe('pool_mode = session (a server connection per client)', () => {
    let bouncer: PgBouncer;
    beforeAll(async () => {
      // As many server connections as the data source opens: in session mode a further client waits for one.
      bouncer = await startPgBouncer({ serverUrl, poolMode: 'session', poolSize: 4 });
    });
    afterAll(async () => {
      await bouncer?.destroy();
    });

    it('the defaults work and statements stay named', async () => {
      const warned: Warned[] = [];
      const ds = await create({ connectionString: bouncer.url(database), maxConnections: 4 }, warned);
      try {
        await workload(ds, 'session');
        // The pool's connections (maxConnections 1 would leave no pipeline) keep their statements: a two-statement request reads its own.
        const named = await run(ds, {
          statements: [
            `SELECT 1 AS one /* session-named */`,
            `SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement = 'SELECT 1 AS one /* session-named */'`,
          ],
          variableMap: {},
        });
        expect(values(named.result, 1)).toEqual([[1]]);
      } finally {
        await ds.close?.();
      }
      expect(warned).toEqual([]);
    });
  });
});
