/**
 * Named (prepared) statements per pooled connection (docs/postgres.md#gateway-choices). A resolver
 * sends the same SQL text request after request with other values; sent unnamed, PostgreSQL parses,
 * analyses and plans it every time, which at a one-row select is about half of the backend's CPU per
 * request. Named, `pg` sends the Parse once per connection and then only Bind/Execute.
 *
 * `pg` remembers which names a connection has parsed (`connection.parsedStatements`) but never
 * forgets one, so this module keeps each connection's names in last-used order and deallocates the
 * least recently used past {@link MAX_PER_CONNECTION}: SQL built per request (values written into
 * the text) would otherwise grow the server's memory without bound.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

/** Statements kept prepared on one connection (the PostgreSQL JDBC driver, behind the Data API, keeps 256). */
export const MAX_PER_CONNECTION = 100;

/** SQL texts whose names are remembered (past this the map starts over; a name is only a hash). */
const MAX_NAMES = 1000;

/** The part of `pg`'s connection this module reads and writes (pg/lib/connection.js). */
interface PgConnection {
  parsedStatements: Record<string, string | undefined>;
}

const names = new Map<string, string>();
/** Per connection, its statement names, least recently used first (a Map keeps insertion order). */
const used = new WeakMap<PgConnection, Map<string, true>>();

/**
 * The statement name of an SQL text: a digest of the text, so every data source sharing a connection
 * (the embedded Postgres has one for all) gives one text one name, and two texts never share one
 * (`pg` refuses a name reused for another text).
 */
export function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `agw_${createHash('sha1').update(text).digest('hex')}`;
    if (names.size >= MAX_NAMES) names.clear();
    names.set(text, name);
  }
  return name;
}

function connectionOf(client: pg.PoolClient): PgConnection {
  return (client as unknown as { connection: PgConnection }).connection;
}

/** Records that `name` ran on `client`'s connection (most recently used now). */
export function noteUse(client: pg.PoolClient, name: string): void {
  const connection = connectionOf(client);
  let names = used.get(connection);
  if (names === undefined) used.set(connection, (names = new Map()));
  names.delete(name);
  names.set(name, true);
}

/** Whether the connection holds more than {@link MAX_PER_CONNECTION} statements (checked before awaiting {@link trimStatements}). */
export function overFull(client: pg.PoolClient): boolean {
  return (used.get(connectionOf(client))?.size ?? 0) > MAX_PER_CONNECTION;
}

/** Deallocates the connection's least recently used statements past {@link MAX_PER_CONNECTION}. */
export async function trimStatements(client: pg.PoolClient): Promise<void> {
  const connection = connectionOf(client);
  const names = used.get(connection);
  if (names === undefined || names.size <= MAX_PER_CONNECTION) return;
  for (const name of names.keys()) {
    if (names.size <= MAX_PER_CONNECTION) break;
    names.delete(name);
    // Only what the server has: a statement whose Parse failed was never created.
    if (connection.parsedStatements[name] === undefined) continue;
    delete connection.parsedStatements[name];
    // Already gone (a resolver's DEALLOCATE ALL or DISCARD ALL, or a pooler's other server connection)
    // is what trimming wanted; failing here would fail a request whose statements ran.
    await client.query(`DEALLOCATE "${name}"`).catch((err: { code?: unknown }) => {
      if (err?.code !== '26000') throw err;
    });
  }
}

/**
 * Deallocates every statement of the connection: after a table's columns changed, PostgreSQL
 * refuses to run a statement prepared before whose result columns would differ ("cached plan must
 * not change result type"), and keeps refusing until it is deallocated.
 */
export async function forgetStatements(client: pg.PoolClient): Promise<void> {
  const connection = connectionOf(client);
  used.delete(connection);
  for (const name of Object.keys(connection.parsedStatements)) delete connection.parsedStatements[name];
  await client.query('DEALLOCATE ALL');
}

/** Whether `error` is PostgreSQL refusing a prepared statement whose result columns changed. */
export function isStalePlan(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan must not change result type');
}

/**
 * Whether `error` is PostgreSQL saying one of the gateway's named statements is missing (26000) or
 * already there (42P05) on the server connection: what a pooler that hands each transaction another
 * server connection (PgBouncer before 1.21 in transaction mode) makes of named statements, since the
 * client's record of what it parsed no longer matches the server it talks to. Either error comes from
 * the Parse or the Bind, before the statement ran, so the request can run again.
 */
export function isLostStatement(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return (e?.code === '26000' || e?.code === '42P05') && typeof e.message === 'string' && e.message.includes('"agw_');
}
