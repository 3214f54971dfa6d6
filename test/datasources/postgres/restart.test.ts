/**
 * The database restarting under a running data source: requests fail with a clear error while it
 * is down, then work again without recreating the data source. Uses its own PostgreSQL server so
 * the shared one is never disturbed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { DataSource } from '../../../src/datasources/types.js';
import { startPgServer, type PgServer } from './pgServer.js';
import { createDataSource, run, stmt, values } from './helpers.js';

const skipReason = inject('postgresUrl') ? '' : inject('postgresSkipReason');

describe.skipIf(!!skipReason)(`PostgreSQL server restart${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let server: PgServer;
  let ds: DataSource;

  beforeAll(async () => {
    server = await startPgServer();
    ds = await createDataSource({ connectionString: server.url, maxConnections: 2 });
  });
  afterAll(async () => {
    await ds?.close?.();
    await server?.destroy();
  });

  it('fails with RDSHttp:DatabaseUnavailableException while down, then recovers', async () => {
    // Warm the pool so it holds connections that the restart will break.
    await Promise.all([run(ds, stmt('SELECT pg_sleep(0.05)')), run(ds, stmt('SELECT pg_sleep(0.05)'))]);
    expect(values((await run(ds, stmt('SELECT :v::int AS v', { v: 1 }))).result)).toEqual([[1]]);

    await server.stop();
    for (let i = 0; i < 3; i++) {
      const down = await run(ds, stmt('SELECT 1'));
      expect(down.result).toBeUndefined();
      expect(down.error?.type).toBe('RDSHttp:DatabaseUnavailableException');
      expect(down.error?.message).toMatch(/^Database is unavailable: /);
    }

    await server.start();
    const up = await run(ds, stmt('SELECT :v::int AS v', { v: 2 }));
    expect(up.error).toBeUndefined();
    expect(values(up.result)).toEqual([[2]]);
    // Both pooled connections are usable again.
    const both = await Promise.all([run(ds, stmt('SELECT 3 AS v')), run(ds, stmt('SELECT 4 AS v'))]);
    expect(both.map((r) => r.error)).toEqual([undefined, undefined]);
  });
});
