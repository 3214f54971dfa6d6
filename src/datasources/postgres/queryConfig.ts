/**
 * The config objects the data source hands to `pg`'s `client.query(config, values)`.
 *
 * `pg` copies a config object before reading it (`cloneQueryConfig` in pg/lib/utils.js:
 * `Object.defineProperties(Object.create(prototype), Object.getOwnPropertyDescriptors(config))`),
 * which V8 runs on its slow path and which leaves the copy in dictionary mode: about 6 µs per query
 * for the five members a statement needs, more than the rest of `pg`'s work on a one-row select.
 * The copy keeps the config's prototype, so the members that are the same on every request of an SQL
 * text (text, statement name or extended mode, row mode, type parsers) live on a prototype made once
 * per text, and each query passes an empty object inheriting them (about 0.45 µs), with its values as
 * the second argument.
 */
import type pg from 'pg';
import { statementName } from './preparedStatements.js';

/** Every value arrives as text; dataApiResult.ts types it the way the Data API does. */
export const RAW_TEXT: pg.CustomTypesConfig = { getTypeParser: () => (value: string) => value } as unknown as pg.CustomTypesConfig;

/** SQL texts whose prototypes are kept (past this the map starts over; a prototype is rebuilt on its next use). */
const MAX_TEXTS = 1000;

interface Prototypes {
  named?: object;
  extended?: object;
}

const prototypes = new Map<string, Prototypes>();

/**
 * A config for one run of `text`, rows as arrays of text values: sent as the named statement
 * {@link statementName}(text) when `named`, else unnamed with the extended protocol (one statement,
 * never a stacked `;` list). Pass the values as `client.query`'s second argument.
 */
export function queryConfig(text: string, named: boolean): pg.QueryConfig<unknown[]> {
  let entry = prototypes.get(text);
  if (entry === undefined) {
    if (prototypes.size >= MAX_TEXTS) prototypes.clear();
    prototypes.set(text, (entry = {}));
  }
  const prototype = named
    ? (entry.named ??= { text, name: statementName(text), rowMode: 'array', types: RAW_TEXT })
    : (entry.extended ??= { text, queryMode: 'extended', rowMode: 'array', types: RAW_TEXT });
  return Object.create(prototype) as pg.QueryConfig<unknown[]>;
}
