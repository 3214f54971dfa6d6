/**
 * Renders a `pg` result (fetched with every value as text, rowMode 'array') in the RDS Data API
 * `ExecuteStatement` form AppSync hands to resolvers (docs/postgres.md): each value a
 * typed `Field` (`longValue`, `doubleValue`, `stringValue`, `booleanValue`, `blobValue`,
 * `arrayValue`, `isNull`), plus `columnMetadata` and `numberOfRecordsUpdated`.
 *
 * Value forms follow the Data API on Aurora PostgreSQL: integers → `longValue`, floats →
 * `doubleValue`, `numeric` → `stringValue` (no precision loss), `json`/`jsonb` → `stringValue`
 * holding the JSON text, `timestamp(tz)` → `stringValue` `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC,
 * `date`/`time` → their text, `bytea` → `blobValue` (base64), arrays → `arrayValue`.
 */
import { createRequire } from 'node:module';
import type pg from 'pg';
import type { ColumnCatalog } from './columnCatalog.js';

export type Field =
  | { isNull: true }
  | { booleanValue: boolean }
  | { longValue: number }
  | { doubleValue: number }
  | { stringValue: string }
  | { blobValue: string }
  | { arrayValue: ArrayValue };

export type ArrayValue =
  { booleanValues: boolean[] } | { longValues: number[] } | { doubleValues: number[] } | { stringValues: string[] } | { arrayValues: ArrayValue[] };

export interface ColumnMetadata {
  arrayBaseColumnType: number;
  isAutoIncrement: boolean;
  isCaseSensitive: boolean;
  isCurrency: boolean;
  isSigned: boolean;
  label: string;
  name: string;
  nullable: number;
  precision: number;
  scale: number;
  schemaName: string;
  tableName: string;
  type: number;
  typeName: string;
}

export interface SqlStatementResult {
  numberOfRecordsUpdated: number;
  records?: Field[][];
  columnMetadata?: ColumnMetadata[];
  generatedFields: Field[];
}

type Kind = 'bool' | 'long' | 'double' | 'string' | 'timestamptz' | 'blob';

/** Postgres type OID → [typeName, JDBC type code, kind]. Unknown OIDs are strings (JDBC OTHER). */
const TYPES: Record<number, [string, number, Kind]> = {
  16: ['bool', -7, 'bool'],
  17: ['bytea', -2, 'blob'],
  18: ['char', 1, 'string'],
  19: ['name', 12, 'string'],
  20: ['int8', -5, 'long'],
  21: ['int2', 5, 'long'],
  23: ['int4', 4, 'long'],
  25: ['text', 12, 'string'],
  26: ['oid', -5, 'long'],
  114: ['json', 1111, 'string'],
  700: ['float4', 7, 'double'],
  701: ['float8', 8, 'double'],
  790: ['money', 8, 'string'],
  1042: ['bpchar', 1, 'string'],
  1043: ['varchar', 12, 'string'],
  1082: ['date', 91, 'string'],
  1083: ['time', 92, 'string'],
  1114: ['timestamp', 93, 'string'],
  1184: ['timestamptz', 93, 'timestamptz'],
  1266: ['timetz', 92, 'string'],
  1700: ['numeric', 2, 'string'],
  2950: ['uuid', 1111, 'string'],
  3802: ['jsonb', 1111, 'string'],
};

/** Array type OID → element type OID. */
const ARRAYS: Record<number, number> = {
  1000: 16,
  1001: 17,
  1005: 21,
  1007: 23,
  1009: 25,
  1014: 1042,
  1015: 1043,
  1016: 20,
  1021: 700,
  1022: 701,
  1115: 1114,
  1182: 1082,
  1183: 1083,
  1185: 1184,
  1231: 1700,
  199: 114,
  2951: 2950,
  3807: 3802,
};

const NUMERIC_KINDS = new Set<Kind>(['long', 'double']);

/** Builds the Data API result of one statement. */
export function toSqlStatementResult(result: pg.QueryResult<unknown[]>, catalog?: ColumnCatalog): SqlStatementResult {
  const updated = recordsUpdated(result);
  const fields = result.fields ?? [];
  if (fields.length === 0) return { numberOfRecordsUpdated: updated, generatedFields: [] };
  return {
    numberOfRecordsUpdated: updated,
    records: recordsOf(result, fields),
    columnMetadata: fields.map((f) => metadataFor(f, catalog)),
    generatedFields: [],
  };
}

/** How many column lists' metadata texts a data source keeps (a new list past this empties the cache). */
const MAX_METADATA_TEXTS = 1000;

/**
 * The JSON text of `{ sqlStatementResults }` (what `ctx.result` holds): the same text as
 * `JSON.stringify` of the statements' {@link toSqlStatementResult}s, with each statement's
 * `columnMetadata` text kept in `metadataTexts` per column list once the catalog knows its columns.
 * Building and stringifying the metadata (fourteen members per column) took more time than
 * the rest of the result, and a resolver's statement returns the same columns request after request.
 */
export function sqlStatementResultsJson(
  results: ReadonlyArray<pg.QueryResult<unknown[]>>,
  catalog: ColumnCatalog | undefined,
  metadataTexts: Map<string, string>,
): string {
  let text = '{"sqlStatementResults":[';
  for (let i = 0; i < results.length; i++) {
    const result = results[i]!;
    const fields = result.fields ?? [];
    text += `${i > 0 ? ',' : ''}{"numberOfRecordsUpdated":${JSON.stringify(recordsUpdated(result))}`;
    if (fields.length > 0) {
      text += `,"records":${recordsText(result, fields)},"columnMetadata":${metadataText(fields, catalog, metadataTexts)}`;
    }
    text += ',"generatedFields":[]}';
  }
  return `${text}]}`;
}

function metadataText(fields: readonly pg.FieldDef[], catalog: ColumnCatalog | undefined, metadataTexts: Map<string, string>): string {
  // Everything metadataFor reads of a field; names cannot hold NUL.
  let key = '';
  for (const f of fields) key += `${f.name}\u0000${f.tableID}\u0000${f.columnID}\u0000${f.dataTypeID}\u0000${f.dataTypeModifier}\u0000${f.dataTypeSize}\u0001`;
  const cached = metadataTexts.get(key);
  if (cached !== undefined) return cached;
  const text = JSON.stringify(fields.map((f) => metadataFor(f, catalog)));
  // Kept only once every table column's facts are in: a column whose lookup is still running (another
  // request started it) or failed renders with defaults, which must not outlive this answer.
  if (fields.every((f) => f.tableID <= 0 || f.columnID <= 0 || catalog?.get(f.tableID, f.columnID) !== undefined)) {
    if (metadataTexts.size >= MAX_METADATA_TEXTS) metadataTexts.clear();
    metadataTexts.set(key, text);
  }
  return text;
}

function recordsUpdated(result: pg.QueryResult<unknown[]>): number {
  const command = result.command;
  return command === 'INSERT' || command === 'UPDATE' || command === 'DELETE' || command === 'MERGE' ? (result.rowCount ?? 0) : 0;
}

function recordsOf(result: pg.QueryResult<unknown[]>, fields: readonly pg.FieldDef[]): Field[][] {
  const converters = fields.map((f) => converterFor(f.dataTypeID));
  return result.rows.map((row) => row.map((value, i) => (value === null ? { isNull: true as const } : converters[i]!(value as string))));
}

/**
 * `JSON.stringify(recordsOf(result, fields))` written directly: one string per value instead of a
 * `Field` object per value and a pass over them all.
 */
function recordsText(result: pg.QueryResult<unknown[]>, fields: readonly pg.FieldDef[]): string {
  const writers: Array<(text: string) => string> = [];
  for (const f of fields) writers.push(writerFor(f.dataTypeID));
  const rows = result.rows;
  let out = '[';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    out += r > 0 ? ',[' : '[';
    for (let i = 0; i < row.length; i++) {
      const value = row[i];
      out += `${i > 0 ? ',' : ''}${value === null ? '{"isNull":true}' : writers[i]!(value as string)}`;
    }
    out += ']';
  }
  return `${out}]`;
}

/** A number as JSON.stringify writes it (null when not finite). */
const jsonNumber = (n: number): string => (Number.isFinite(n) ? String(n) : 'null');

/** Per type OID, the JSON text of a value's Field (what JSON.stringify of converterFor's object gives). */
const writers = new Map<number, (text: string) => string>();

function writerFor(oid: number): (text: string) => string {
  let writer = writers.get(oid);
  if (writer !== undefined) return writer;
  const kind = TYPES[oid]?.[2] ?? 'string';
  if (ARRAYS[oid] !== undefined) {
    const convert = converterFor(oid);
    writer = (text) => JSON.stringify(convert(text));
  } else if (kind === 'bool') writer = (text) => (text === 't' || text === 'true' ? '{"booleanValue":true}' : '{"booleanValue":false}');
  else if (kind === 'long') writer = (text) => `{"longValue":${jsonNumber(Number(text))}}`;
  else if (kind === 'double')
    writer = (text) => {
      const n = Number(text);
      return Number.isFinite(n) ? `{"doubleValue":${String(n)}}` : `{"stringValue":${JSON.stringify(text)}}`;
    };
  else if (kind === 'blob') writer = (text) => `{"blobValue":${JSON.stringify(byteaToBase64(text))}}`;
  else if (kind === 'timestamptz') writer = (text) => `{"stringValue":${JSON.stringify(timestamptzToUtc(text))}}`;
  else writer = (text) => `{"stringValue":${JSON.stringify(text)}}`;
  writers.set(oid, writer);
  return writer;
}

function metadataFor(field: pg.FieldDef, catalog?: ColumnCatalog): ColumnMetadata {
  const elementOid = ARRAYS[field.dataTypeID];
  const [typeName, type] = elementOid !== undefined ? [`_${TYPES[elementOid]?.[0] ?? 'unknown'}`, 2003] : (TYPES[field.dataTypeID] ?? ['unknown', 1111]);
  const kind = TYPES[elementOid ?? field.dataTypeID]?.[2];
  const facts = catalog?.get(field.tableID, field.columnID);
  const [precision, scale] = precisionScale(field);
  return {
    arrayBaseColumnType: elementOid !== undefined ? (TYPES[elementOid]?.[1] ?? 1111) : 0,
    isAutoIncrement: facts?.isAutoIncrement ?? false,
    isCaseSensitive: kind === 'string',
    isCurrency: field.dataTypeID === 790,
    isSigned: kind !== undefined && NUMERIC_KINDS.has(kind),
    label: field.name,
    name: field.name,
    // JDBC columnNullableUnknown (2) for computed columns, which have no table.
    nullable: facts?.nullable ?? 2,
    precision,
    scale,
    schemaName: facts?.schemaName ?? '',
    tableName: facts?.tableName ?? '',
    type,
    typeName,
  };
}

/** Precision and scale from the type modifier (numeric(p,s), varchar(n)) or the type's size. */
function precisionScale(field: pg.FieldDef): [number, number] {
  const mod = field.dataTypeModifier;
  if (field.dataTypeID === 1700 && mod >= 4) return [((mod - 4) >> 16) & 0xffff, (mod - 4) & 0xffff];
  if ((field.dataTypeID === 1043 || field.dataTypeID === 1042) && mod >= 4) return [mod - 4, 0];
  return [field.dataTypeSize > 0 ? field.dataTypeSize : 0, 0];
}

function converterFor(oid: number): (text: string) => Field {
  const elementOid = ARRAYS[oid];
  if (elementOid !== undefined) {
    // The text[] parser splits any array literal into strings (nested for multi-dimensional).
    // pg is loaded by then (a pool returned this result); required here so this module does not
    // load it at start-up.
    const types = (createRequire(import.meta.url)('pg') as typeof pg).types;
    const parse = (types.getTypeParser as (oid: number, format: string) => (text: string) => unknown)(1009, 'text');
    const kind = TYPES[elementOid]![2];
    return (text) => {
      const parsed = parse(text);
      return Array.isArray(parsed) ? { arrayValue: toArrayValue(parsed, kind) } : { stringValue: text };
    };
  }
  const kind = TYPES[oid]?.[2] ?? 'string';
  switch (kind) {
    case 'bool':
      return (text) => ({ booleanValue: text === 't' || text === 'true' });
    case 'long':
      return (text) => ({ longValue: Number(text) });
    case 'double':
      return (text) => {
        const n = Number(text);
        return Number.isFinite(n) ? { doubleValue: n } : { stringValue: text };
      };
    case 'blob':
      return (text) => ({ blobValue: byteaToBase64(text) });
    case 'timestamptz':
      return (text) => ({ stringValue: timestamptzToUtc(text) });
    default:
      return (text) => ({ stringValue: text });
  }
}

function toArrayValue(items: unknown[], kind: Kind): ArrayValue {
  if (items.some(Array.isArray)) return { arrayValues: items.map((x) => toArrayValue(Array.isArray(x) ? x : [x], kind)) };
  const texts = items as Array<string | null>;
  const each = <T>(f: (text: string) => T) => texts.map((x) => (x === null ? (null as T) : f(x)));
  switch (kind) {
    case 'bool':
      return { booleanValues: each((x) => x === 't' || x === 'true') };
    case 'long':
      return { longValues: each(Number) };
    case 'double':
      return { doubleValues: each(Number) };
    case 'timestamptz':
      return { stringValues: each(timestamptzToUtc) };
    case 'blob':
      return { stringValues: each(byteaToBase64) };
    default:
      return { stringValues: each((x) => x) };
  }
}

function byteaToBase64(text: string): string {
  if (text.startsWith('\\x')) return Buffer.from(text.slice(2), 'hex').toString('base64');
  // escape format (bytea_output = escape)
  return Buffer.from(
    text.replace(/\\\\/g, '\\').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))),
    'latin1',
  ).toString('base64');
}

/** `2024-01-02 03:04:05.123456+02` → `2024-01-02 01:04:05.123456` (UTC, as the Data API prints). */
function timestamptzToUtc(text: string): string {
  const m = /^(\d{4,}-\d\d-\d\d) (\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d(?::?\d\d){0,2})?( BC)?$/.exec(text);
  if (!m) return text;
  const [, date, time, fraction = '', offset, bc] = m;
  if (bc || !offset || /^[+-]00(?::?00){0,2}$/.test(offset)) return `${date} ${time}${fraction}`;
  const sign = offset.startsWith('-') ? -1 : 1;
  const parts = offset.slice(1).split(':').length > 1 ? offset.slice(1).split(':') : (offset.slice(1).match(/\d\d/g) ?? []);
  const seconds = (Number(parts[0] ?? 0) * 3600 + Number(parts[1] ?? 0) * 60 + Number(parts[2] ?? 0)) * sign;
  const ms = Date.parse(`${date}T${time}Z`) - seconds * 1000;
  if (Number.isNaN(ms)) return text;
  return formatUtc(new Date(ms), fraction);
}

function formatUtc(d: Date, fraction: string): string {
  const iso = d.toISOString(); // 2024-01-02T01:04:05.000Z
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}`;
}
