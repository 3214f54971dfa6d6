/**
 * One pipelined connection per data source on a real server (docs/postgres.md#gateway-choices):
 * single-statement requests that cannot touch the transaction state are written to it without
 * waiting for the answers before them (`pg`'s `pipeline` client option), each with its own Sync, so
 * each still runs as its own transaction and a failing one fails alone. The database answers several
 * of them per wake-up and the gateway reads several answers per read; on this machine that cut the
 * CPU of a one-row select by about half, in the gateway and in the PostgreSQL backend alike.
 *
 * The statements of one event-loop turn leave in one write: the connection's socket is corked at the
 * first and uncorked from `setImmediate`, after every request read in that turn has written its own.
 * `pg` writes each statement's messages with a write system call of its own, and on a loaded gateway
 * several requests arrive per turn; each write costs the gateway a TCP send and wakes the backend.
 *
 * What a pipeline costs is waiting behind a slow statement. So a statement goes down the pipeline
 * only while the oldest one in flight there started less than {@link STALL_MS} ago and fewer than
 * {@link MAX_IN_FLIGHT} are in flight; otherwise it takes a pooled connection as before.
 */
import type pg from 'pg';
import type { Logger } from '../types.js';
import { noteUse, overFull, statementName, trimStatements } from './preparedStatements.js';
import { queryConfig } from './queryConfig.js';

/** A statement in flight this long makes the pipeline busy: newer ones go to the pool. */
export const STALL_MS = 10;
/** Statements in flight on the pipeline at most (below MAX_PER_CONNECTION, so trimming never deallocates one in flight). */
export const MAX_IN_FLIGHT = 32;

/**
 * Statements whose first word makes them safe to interleave with other requests' statements: they
 * cannot begin, end or change a transaction (`BEGIN`, `COMMIT`, `CALL` of a procedure that commits,
 * `SET TRANSACTION`, `LOCK` need the pool's one connection per request). Leading comments and blanks
 * are skipped; anything else (a parenthesis first, a nested comment) goes to the pool.
 */
const PIPELINABLE = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*(?:[^*]|\*(?!\/))*\*\/)*(?:select|with|values|table|insert|update|delete)\b/i;

export function isPipelinable(text: string): boolean {
  return PIPELINABLE.test(text);
}

/** The part of `pg`'s connection read here (pg/lib/connection.js). */
interface PgConnection {
  parsedStatements: Record<string, string | undefined>;
  submittedNamedStatements: Record<string, string | undefined>;
  stream: { cork(): void; uncork(): void };
}

export class PipelinedConnection {
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  /** Start times (ms) of the statements in flight, oldest first: a pipeline answers in order. */
  readonly #started: number[] = [];
  /** Whether the socket is corked until this event-loop turn's statements are written. */
  #corked = false;

  constructor(
    private readonly open: () => Promise<pg.Client>,
    private readonly logger: Logger,
    private readonly label: string,
  ) {}

  /** Whether a statement may go down the pipeline now. */
  available(): boolean {
    const started = this.#started;
    return started.length === 0 || (started.length < MAX_IN_FLIGHT && performance.now() - started[0]! < STALL_MS);
  }

  /** Runs one statement on the pipeline; Postgres's error, or a connection error, is thrown. */
  async query(text: string, values: unknown[], prepared: boolean): Promise<pg.QueryResult<unknown[]>> {
    this.#started.push(performance.now());
    try {
      const client = this.#client ?? (await (this.#connecting ??= this.#connect()));
      const name = prepared ? statementName(text) : undefined;
      const connection = (client as unknown as { connection: PgConnection }).connection;
      // A name is used once its Parse succeeded, or by the first statement that sends the Parse: one
      // written behind a Parse still in flight would fail with "prepared statement does not exist"
      // if that Parse failed, instead of with its own error.
      const named = name !== undefined && (connection.parsedStatements[name] !== undefined || connection.submittedNamedStatements[name] === undefined);
      if (named) noteUse(client as unknown as pg.PoolClient, name);
      this.#cork(connection);
      const result = await client.query<unknown[]>(queryConfig(text, named), values);
      if (prepared && overFull(client as unknown as pg.PoolClient)) await trimStatements(client as unknown as pg.PoolClient);
      return result;
    } finally {
      this.#started.shift();
    }
  }

  /** Holds this turn's writes on `connection`'s socket until the check phase (`setImmediate`), then writes them at once. */
  #cork(connection: PgConnection): void {
    if (this.#corked) return;
    this.#corked = true;
    const stream = connection.stream;
    stream.cork();
    setImmediate(() => {
      this.#corked = false;
      stream.uncork();
    });
  }

  /**
   * Deallocates statement `name` after PostgreSQL refused it because its table's columns changed.
   * Statements already written behind it run before the DEALLOCATE and fail the same way (each
   * request then runs again on the pool); later ones send their Parse again.
   */
  forget(name: string): void {
    const client = this.#client;
    const connection = client && (client as unknown as { connection: PgConnection }).connection;
    if (!client || connection?.parsedStatements[name] === undefined) return;
    delete connection.parsedStatements[name];
    client
      .query(`DEALLOCATE "${name}"`)
      .catch((err: Error) => this.logger.warn(`${this.label}: DEALLOCATE of a changed statement failed`, { error: err.message }));
  }

  async #connect(): Promise<pg.Client> {
    try {
      const client = await this.open();
      client.on('error', (err) => {
        // Every statement in flight has failed with it; the next statement opens a new connection.
        if (this.#client === client) this.#client = undefined;
        this.logger.warn(`${this.label}: pipelined connection lost`, { error: err.message });
      });
      client.on('end', () => {
        if (this.#client === client) this.#client = undefined;
      });
      this.#client = client;
      return client;
    } finally {
      this.#connecting = undefined;
    }
  }

  async close(): Promise<void> {
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.end();
  }
}
