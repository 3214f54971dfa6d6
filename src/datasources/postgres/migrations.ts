/**
 * Applies a folder of `.sql` files in name order, each once, recording them in
 * `_appsync_gateway_migrations` (Gateway choice: a local addition so the example API and users'
 * tests can create their schema; AppSync has no such thing).
 *
 * Each file runs in its own transaction together with its record, so a failing file leaves
 * nothing behind and is retried on the next start. An advisory lock keeps two gateways (or two
 * data sources on one database) from applying the same file twice.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';

export const MIGRATIONS_TABLE = '_appsync_gateway_migrations';
const LOCK_KEY = 0x61707067; // 'appg'

export interface MigrationRun {
  applied: string[];
  skipped: string[];
}

export async function applyMigrations(pool: pg.Pool, dir: string): Promise<MigrationRun> {
  const files = (await readdir(dir)).filter((f) => f.toLowerCase().endsWith('.sql')).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const client = await pool.connect();
  const run: MigrationRun = { applied: [], skipped: [] };
  let broken = false;
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    try {
      const done = new Set((await client.query<{ name: string }>(`SELECT name FROM ${MIGRATIONS_TABLE}`)).rows.map((r) => r.name));
      for (const file of files) {
        if (done.has(file)) {
          run.skipped.push(file);
          continue;
        }
        const sql = await readFile(join(dir, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql); // simple protocol: a file may hold many statements
          await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name) VALUES ($1)`, [file]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {
            broken = true;
          });
          throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
        }
        run.applied.push(file);
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {
        broken = true;
      });
    }
  } finally {
    client.release(broken);
  }
  return run;
}
