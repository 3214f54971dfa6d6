/**
 * Maps a failure talking to Postgres to the `ctx.error` a resolver sees.
 *
 * Gateway choice (AppSync documents no RDS errorType; the Data API's exception names are the
 * closest public contract, and AppSync prefixes RDS failures with `RDSHttp:`):
 *
 * | failure | `type` | `message` |
 * | --- | --- | --- |
 * | SQL error reported by Postgres | `RDSHttp:BadRequestException` | `ERROR: <Postgres message>; SQLState: <code>` |
 * | statement cancelled by `statement_timeout` | `RDSHttp:StatementTimeoutException` | same form |
 * | server unreachable / connection lost | `RDSHttp:DatabaseUnavailableException` | `Database is unavailable: <cause>` |
 * | malformed request object | `RDSHttp:BadRequestException` | what is wrong |
 */
import { DataSourceError } from '../../errors.js';

/** Errors that mean the connection (not the statement) failed: the client must be discarded. */
export function isConnectionError(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  if (/^(08|57P0[1-3])/.test(code)) return true; // connection_exception, admin/crash shutdown
  if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ...
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message);
}

export function toRdsError(err: unknown): DataSourceError {
  if (err instanceof DataSourceError) return err;
  const e = err as { code?: unknown; message?: unknown; severity?: unknown };
  const message = typeof e?.message === 'string' && e.message ? e.message : String(err);
  if (isConnectionError(err)) {
    return new DataSourceError(`Database is unavailable: ${message}`, 'RDSHttp:DatabaseUnavailableException', { cause: err });
  }
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    const severity = typeof e.severity === 'string' ? e.severity : 'ERROR';
    const type = code === '57014' ? 'RDSHttp:StatementTimeoutException' : 'RDSHttp:BadRequestException';
    return new DataSourceError(`${severity}: ${message}; SQLState: ${code}`, type, { cause: err });
  }
  return new DataSourceError(message, 'RDSHttp:BadRequestException', { cause: err });
}

/** A request object the data source cannot run. */
export function badRequest(message: string): DataSourceError {
  return new DataSourceError(message, 'RDSHttp:BadRequestException');
}
