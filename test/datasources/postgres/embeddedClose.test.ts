/**
 * The embedded Postgres closed while it starts (the CLI's `cannot listen`, a --watch reload that
 * replaces the API): it stops without saying it is in use and without applying the migrations.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresKind } from '../../../src/datasources/postgres/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'appsync-pg-close-'));
  await writeFile(join(dir, '001_t.sql'), 'CREATE TABLE t (id int);');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function start() {
  const lines: string[] = [];
  const record = (message: string) => void lines.push(message);
  const ds = await postgresKind.create({
    name: 'pg',
    config: { inMemory: true, migrations: dir },
    configPath: 'dataSources.pg.config',
    configDir: dir,
    gatewayConfig: {} as never,
    logger: { debug: record, info: record, warn: record, error: record },
  });
  return { ds, lines };
}

describe('embedded Postgres closed while starting', () => {
  it('logs nothing and applies no migration; one left to start says both', async () => {
    const closed = await start();
    await closed.ds.close!();
    await closed.ds.ready!();
    expect(closed.lines).toEqual([]);

    const started = await start();
    await started.ds.ready!();
    await started.ds.close!();
    expect(started.lines).toEqual(['postgres data source pg: using the embedded Postgres', 'postgres data source pg: applied migrations']);
  }, 60_000);
});
