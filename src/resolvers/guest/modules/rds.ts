/**
 * `@aws-appsync/utils/rds` and `util.rds` (docs/postgres.md; names and parameters from
 * `rds-helpers.d.ts` / `rds-utils.d.ts` in @aws-appsync/utils). Runs inside the resolver sandbox:
 * pure code, no host objects (see ../README.md).
 *
 * The builders return statement objects; `createPgStatement` / `createMySQLStatement` render them
 * into the RDS request `{ statements, variableMap, variableTypeHintMap }`. Every value becomes a
 * `:P<n>` variable in order of appearance, continuing across the two statements (**Observed**:
 * `SELECT "id", "name" FROM "UserGroup" WHERE ("name" = :P0) OR ("id" > :P1) ORDER BY "name" ASC,
 * "id" DESC LIMIT :P2 OFFSET :P3`); identifiers are quoted with `"` (Postgres) or `` ` `` (MySQL).
 */

type Json = unknown;
type Row = Record<string, unknown>;

const HINTS = ['DECIMAL', 'JSON', 'TIMESTAMP', 'TIME', 'UUID', 'DATE'] as const;
type HintType = (typeof HINTS)[number];

/** A `sql` tagged template: the literal parts and the values between them. */
class SqlTemplate {
  constructor(
    readonly strings: string[],
    readonly values: unknown[],
  ) {}
}

type StatementKind = 'SELECT' | 'INSERT' | 'UPDATE' | 'REMOVE';

/** What `select` / `insert` / `update` / `remove` return; rendered by `create*Statement`. */
class BuiltStatement {
  constructor(
    readonly kind: StatementKind,
    readonly payload: Row,
  ) {}
}

/** `agg.count('col')` and friends. */
class Aggregate {
  constructor(
    readonly fn: string,
    readonly column: string,
    readonly distinct: boolean,
  ) {}
}

function isHint(value: unknown): value is { type: HintType; value: unknown } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 2 && 'value' in value && HINTS.includes((value as unknown as { type: HintType }).type);
}

function isPlainObject(value: unknown): value is Row {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof SqlTemplate) &&
    !(value instanceof BuiltStatement) &&
    !(value instanceof Aggregate)
  );
}

// ---------------------------------------------------------------------------------------------
// Builders

/** Tagged template: every `${value}` becomes a bound variable, never SQL text. */
export function sql(literal: TemplateStringsArray | string[], ...args: unknown[]): SqlTemplate {
  const strings = Array.from(literal ?? []);
  if (strings.length !== args.length + 1) throw new Error('Unexpected argument passed to sql tagged template');
  return new SqlTemplate(strings, args);
}

function statement(kind: StatementKind, verb: string, payload: unknown): BuiltStatement {
  if (payload === undefined) throw new Error(`An argument is expected to be passed to ${verb}`);
  if (!isPlainObject(payload)) throw new Error('Expected payload to be an Object.');
  return new BuiltStatement(kind, payload);
}

export function select(payload: Row): BuiltStatement {
  return statement('SELECT', 'select', payload);
}
export function insert(payload: Row): BuiltStatement {
  return statement('INSERT', 'insert', payload);
}
export function update(payload: Row): BuiltStatement {
  return statement('UPDATE', 'update', payload);
}
/** DELETE (`delete` is a reserved word, hence `remove`). */
export function remove(payload: Row): BuiltStatement {
  return statement('REMOVE', 'remove', payload);
}

/** Marks a value with a Data API type hint; the hint lands in `variableTypeHintMap`. */
export const typeHint = {
  DECIMAL: (value: string | number) => ({ type: 'DECIMAL' as const, value }),
  JSON: (value: unknown) => ({ type: 'JSON' as const, value }),
  TIMESTAMP: (value: unknown) => ({ type: 'TIMESTAMP' as const, value: dateText(value) }),
  TIME: (value: unknown) => ({ type: 'TIME' as const, value: dateText(value) }),
  UUID: (value: string) => ({ type: 'UUID' as const, value }),
  DATE: (value: unknown) => ({ type: 'DATE' as const, value: dateText(value) }),
};

/** **Observed**: a Date passed to `typeHint.TIMESTAMP` is sent as its ISO string. */
function dateText(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : value;
}

const aggregate = (fn: string, distinct: boolean) => (column: string) => new Aggregate(fn, column, distinct);

/** Aggregate columns for `columns` (and `having` operators of the same names). */
export const agg = {
  max: aggregate('MAX', false),
  maxDistinct: aggregate('MAX', true),
  min: aggregate('MIN', false),
  minDistinct: aggregate('MIN', true),
  count: aggregate('COUNT', false),
  countDistinct: aggregate('COUNT', true),
  avg: aggregate('AVG', false),
  avgDistinct: aggregate('AVG', true),
  sum: aggregate('SUM', false),
  sumDistinct: aggregate('SUM', true),
};

const AGG_OPERATORS: Record<string, [string, boolean]> = {
  max: ['MAX', false],
  maxDistinct: ['MAX', true],
  min: ['MIN', false],
  minDistinct: ['MIN', true],
  count: ['COUNT', false],
  countDistinct: ['COUNT', true],
  avg: ['AVG', false],
  avgDistinct: ['AVG', true],
  sum: ['SUM', false],
  sumDistinct: ['SUM', true],
};

const COMPARISONS: Record<string, string> = { eq: '=', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };

const JOINS: Array<[string, string]> = [
  ['join', 'JOIN'],
  ['innerJoin', 'INNER JOIN'],
  ['leftJoin', 'LEFT JOIN'],
  ['leftOuterJoin', 'LEFT OUTER JOIN'],
  ['rightJoin', 'RIGHT JOIN'],
  ['rightOuterJoin', 'RIGHT OUTER JOIN'],
  ['fullOuterJoin', 'FULL OUTER JOIN'],
  ['crossJoin', 'CROSS JOIN'],
  ['joinNatural', 'NATURAL JOIN'],
  ['innerJoinNatural', 'NATURAL INNER JOIN'],
  ['leftJoinNatural', 'NATURAL LEFT JOIN'],
  ['leftOuterJoinNatural', 'NATURAL LEFT OUTER JOIN'],
  ['rightJoinNatural', 'NATURAL RIGHT JOIN'],
  ['rightOuterJoinNatural', 'NATURAL RIGHT OUTER JOIN'],
  ['fullOuterJoinNatural', 'NATURAL FULL OUTER JOIN'],
];

/**
 * `:P0` … `:P31`, made once: a name made per variable is a new string the variable map's store has
 * to look up among the property names (V8 internalises a key string on its first use as one).
 */
const VARIABLE_NAMES = Array.from({ length: 32 }, (_, i) => `:P${i}`);

const JOIN_KEYS = new Set(JOINS.map(([key]) => key));

/** Whether the payload names a join, as its own member or an inherited enumerable one. */
function hasJoin(p: Row): boolean {
  for (const key in p) if (JOIN_KEYS.has(key)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// Rendering

interface RdsRequest {
  statements: string[];
  variableMap: Record<string, Json>;
  variableTypeHintMap: Record<string, string>;
}

class Renderer {
  private next = 0;
  readonly request: RdsRequest = { statements: [], variableMap: {}, variableTypeHintMap: {} };

  constructor(
    private readonly quote: string,
    private readonly functionName: string,
    private readonly returningSupported: boolean,
  ) {}

  add(input: unknown): void {
    if (typeof input === 'string') this.request.statements.push(input);
    else if (input instanceof SqlTemplate) this.request.statements.push(this.template(input));
    else if (input instanceof BuiltStatement) this.request.statements.push(this.built(input));
    else throw new Error(`Unsupported type is passed as argument to ${this.functionName}`);
  }

  /** Binds a value to the next `:P<n>`; a type hint's value is bound and its type recorded. */
  variable(value: unknown): string {
    const n = this.next++;
    const name = n < VARIABLE_NAMES.length ? VARIABLE_NAMES[n]! : `:P${n}`;
    if (isHint(value)) {
      this.request.variableMap[name] = (value.value === undefined ? null : value.value) as Json;
      this.request.variableTypeHintMap[name] = value.type;
    } else {
      // undefined would vanish when the request is copied as JSON, leaving an unbound `:P<n>`.
      this.request.variableMap[name] = (value instanceof Date ? value.toISOString() : value === undefined ? null : value) as Json;
    }
    return name;
  }

  /** A value in a VALUES / SET list: **Gateway choice** (as AppSync's module does) `NULL` inline. */
  value(value: unknown): string {
    if (value === null || value === undefined) return 'NULL';
    if (value instanceof SqlTemplate) return this.template(value);
    return this.variable(value);
  }

  identifier(name: string): string {
    if (typeof name !== 'string' || name === '') throw new Error('Identifiers must be non-empty strings.');
    if (name === '*') return name;
    const q = this.quote;
    // Most names hold neither a dot nor a quote: quoted as they are, without the split and join below
    // (which took half of a one-table select's rendering).
    if (name.indexOf('.') < 0 && name.indexOf(q) < 0) return q + name + q;
    // `schema.table` → "schema"."table"; a quote inside a name is doubled (escaped), never closes it.
    return name
      .split('.')
      .map((part) => (part === '*' ? part : `${q}${part.split(q).join(q + q)}${q}`))
      .join('.');
  }

  template(t: SqlTemplate): string {
    let out = t.strings[0] ?? '';
    t.values.forEach((v, i) => {
      if (v instanceof SqlTemplate) out += this.template(v);
      else if (v instanceof BuiltStatement) out += `(${this.built(v)})`;
      else out += this.variable(v);
      out += t.strings[i + 1] ?? '';
    });
    return out;
  }

  built(s: BuiltStatement): string {
    const p = s.payload;
    switch (s.kind) {
      case 'SELECT':
        return this.selectSql(p);
      case 'INSERT': {
        const values = this.values(p, 'insert');
        const columns = Object.keys(values);
        const parts = [
          `INSERT INTO ${this.table(p, false)}`,
          `(${columns.map((c) => this.identifier(c)).join(', ')}) VALUES (${columns.map((c) => this.value(values[c])).join(', ')})`,
        ];
        return join([...parts, this.returning(p)]);
      }
      case 'UPDATE': {
        const values = this.values(p, 'update');
        const set = Object.keys(values).map((c) => `${this.identifier(c)} = ${this.value(values[c])}`);
        return join([`UPDATE ${this.table(p, false)}`, 'SET', set.join(', '), this.where(p.where), this.returning(p)]);
      }
      case 'REMOVE':
        return join([`DELETE FROM ${this.table(p, false)}`, this.where(p.where), this.returning(p)]);
    }
  }

  private selectSql(p: Row): string {
    const parts = ['SELECT', p.columns === undefined || p.columns === null ? '*' : this.columns(p.columns, 'columns'), `FROM ${this.table(p, true)}`];
    // Most selects join nothing: sixteen lookups of names the payload lacks cost more than the rest of its rendering.
    if (hasJoin(p))
      for (const [key, keyword] of JOINS) {
        const joins = p[key];
        if (joins === undefined || joins === null) continue;
        if (!Array.isArray(joins)) throw new Error(`${key} expects an array.`);
        for (const j of joins) parts.push(this.joinSql(keyword, j));
      }
    parts.push(this.where(p.where));
    if (p.groupBy !== undefined && p.groupBy !== null) {
      if (!Array.isArray(p.groupBy)) throw new Error('groupBy expects an array.');
      if (p.groupBy.length > 0)
        parts.push(`GROUP BY ${p.groupBy.map((g) => (typeof g === 'number' ? String(Math.trunc(g)) : this.identifier(String(g)))).join(', ')}`);
    }
    if (p.having !== undefined && p.having !== null) {
      const having = this.condition(p.having);
      if (having) parts.push(`HAVING ${having}`);
    }
    if (p.orderBy !== undefined && p.orderBy !== null) {
      if (!Array.isArray(p.orderBy)) throw new Error('orderBy expects an array.');
      if (p.orderBy.length > 0) parts.push(`ORDER BY ${p.orderBy.map((o) => this.orderBy(o)).join(', ')}`);
    }
    if (p.limit !== undefined && p.limit !== null) parts.push(`LIMIT ${this.variable(this.count(p.limit, 'limit'))}`);
    if (p.offset !== undefined && p.offset !== null) parts.push(`OFFSET ${this.variable(this.count(p.offset, 'offset'))}`);
    return join(parts);
  }

  private count(value: unknown, keyword: string): number {
    const n = value === '' ? NaN : Number(value);
    if (!Number.isFinite(n)) throw new Error(`${keyword} expects a number.`);
    return n;
  }

  private orderBy(item: unknown): string {
    if (!isPlainObject(item) || typeof item.column !== 'string') throw new Error('orderBy item expected to have property column.');
    // The direction is checked, never spliced: only ASC or DESC reach the SQL.
    const dir = typeof item.dir === 'string' ? item.dir.toUpperCase() : 'ASC';
    if (dir !== 'ASC' && dir !== 'DESC') throw new Error(`orderBy dir can have either ASC or DESC found ${String(item.dir)}.`);
    return `${this.identifier(item.column)} ${dir}`;
  }

  private joinSql(keyword: string, j: unknown): string {
    if (!isPlainObject(j)) throw new Error('A join is expected to be an object.');
    const parts = [keyword, this.table(j, true)];
    if (Array.isArray(j.using)) {
      parts.push(`USING (${j.using.map((c) => (typeof c === 'string' ? this.identifier(c) : this.aliased(c))).join(', ')})`);
    } else if (j.on !== undefined && j.on !== null) {
      // Gateway choice: in a join's `on` object a string operand names a column (`{ 'a.id': { eq: 'b.a_id' } }`),
      // since a join compares columns; other values are bound as usual.
      const on = j.on instanceof SqlTemplate ? this.template(j.on) : this.condition(j.on, true);
      if (on) parts.push(`ON ${on}`);
    }
    return parts.join(' ');
  }

  private values(p: Row, verb: string): Row {
    if (p.values === undefined || p.values === null) throw new Error(`values are expected to be passed to ${verb}`);
    if (!isPlainObject(p.values)) throw new Error('Expected values to an Object.');
    return p.values;
  }

  private returning(p: Row): string {
    if (p.returning === undefined || p.returning === null) return '';
    const columns = this.columns(p.returning, 'returning');
    if (!this.returningSupported) throw new Error('returning is not supported in MySQL.');
    return `RETURNING ${columns}`;
  }

  private columns(columns: unknown, key: string): string {
    if (columns === '*') return '*';
    if (!Array.isArray(columns)) throw new Error(`Expected ${key === 'columns' ? 'column' : key} to be * or an array.`);
    return columns
      .map((c) => {
        if (typeof c === 'string') return this.identifier(c);
        if (c instanceof Aggregate) return this.aggregate(c);
        if (isPlainObject(c)) return this.aliased(c);
        throw new Error('Invalid type in column array.');
      })
      .join(', ');
  }

  /** `{ alias: expression }` → `expression AS "alias"`. */
  private aliased(o: Row): string {
    return Object.keys(o)
      .map((alias) => `${this.expression(o[alias])} AS ${this.identifier(alias)}`)
      .join(', ');
  }

  private expression(e: unknown): string {
    if (typeof e === 'string') return this.identifier(e);
    if (e instanceof Aggregate) return this.aggregate(e);
    if (e instanceof SqlTemplate) return this.template(e);
    if (e instanceof BuiltStatement) return `(${this.built(e)})`;
    throw new Error('Invalid type in column array.');
  }

  private aggregate(a: Aggregate): string {
    return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${this.identifier(a.column)})`;
  }

  /** `table` or `from`: a name, `{ alias: name | subquery }`, a `sql` template or a select. */
  private table(p: Row, allowFrom: boolean): string {
    const { table, from } = p;
    if (allowFrom && table != null && from != null) throw new Error("'from' and 'table' keys cannot be used together");
    const source = table ?? (allowFrom ? from : undefined);
    if (source === undefined || source === null) throw new Error("'table' or 'from' key is required.");
    if (typeof source === 'string') return this.identifier(source);
    if (source instanceof SqlTemplate) return `(${this.template(source)})`;
    if (source instanceof BuiltStatement) return `(${this.built(source)})`;
    if (!isPlainObject(source)) throw new Error('table name is expected to be a string or alias.');
    const entries = Object.keys(source);
    if (entries.length !== 1) throw new Error('table alias is allowed only one key-value pair.');
    const alias = entries[0]!;
    const actual = source[alias];
    const rendered =
      typeof actual === 'string'
        ? this.identifier(actual)
        : actual instanceof BuiltStatement
          ? `(${this.built(actual)})`
          : actual instanceof SqlTemplate
            ? `(${this.template(actual)})`
            : undefined;
    if (rendered === undefined) throw new Error('Table alias value is expected to be a string.');
    return `${rendered} as ${this.identifier(alias)}`;
  }

  private where(where: unknown): string {
    if (where === undefined || where === null) return '';
    const clause = where instanceof SqlTemplate ? this.template(where) : this.condition(where);
    return clause ? `WHERE ${clause}` : '';
  }

  /**
   * A condition object (same operator names as DynamoDB filters, spec §2): keys are columns or
   * `and` / `or` / `not` (arrays). **Observed** form: a lone `or`/`and` at the top renders its
   * items in parentheses joined by OR/AND; several keys are ANDed (Gateway choice: groups then get
   * their own parentheses so precedence is kept).
   */
  private condition(where: unknown, columnOperands = false): string {
    if (!isPlainObject(where)) throw new Error('WHERE values are expected to be SQL templates or a condition object.');
    const blocks: string[] = [];
    const keys = Object.keys(where);
    for (const key of keys) {
      const value = where[key];
      if (key === 'and' || key === 'or' || key === 'not') {
        if (!Array.isArray(value)) throw new Error(`${key} expects conditions to be an array`);
        const items = value
          .map((item) => {
            if (!isPlainObject(item)) throw new Error(`Expected ${key} to be an Object.`);
            const inner = this.condition(item, columnOperands);
            return inner ? `(${inner})` : '';
          })
          .filter(Boolean);
        if (items.length === 0) continue;
        if (key === 'not') blocks.push(`NOT (${items.join(' AND ')})`);
        else {
          const group = items.join(` ${key.toUpperCase()} `);
          blocks.push(keys.length > 1 && items.length > 1 ? `(${group})` : group);
        }
      } else {
        const column = this.columnCondition(key, value, columnOperands);
        if (column) blocks.push(column);
      }
    }
    return blocks.join(' AND ');
  }

  private columnCondition(column: string, ops: unknown, columnOperands: boolean): string {
    if (!isPlainObject(ops)) throw new Error('Expected condition to be an Object.');
    const target = this.identifier(column);
    const operand = (v: unknown) => (columnOperands && typeof v === 'string' ? this.identifier(v) : this.variable(v));
    const parts: string[] = [];
    for (const op of Object.keys(ops)) {
      const v = ops[op];
      const path = `${column}.${op}`;
      if (op in COMPARISONS) {
        // Gateway choice: comparing with null means IS [NOT] NULL (SQL's `= NULL` is never true).
        if (v === null || v === undefined) {
          if (op === 'eq') parts.push(`${target} IS NULL`);
          else if (op === 'ne') parts.push(`${target} IS NOT NULL`);
          else throw new Error(`Value for ${path} can't be null.`);
        } else parts.push(`${target} ${COMPARISONS[op]} ${operand(v)}`);
      } else if (op === 'between') {
        if (!Array.isArray(v) || v.length !== 2) throw new Error(`${path} condition expects an array with length of 2.`);
        parts.push(`${target} BETWEEN ${this.variable(v[0])} AND ${this.variable(v[1])}`);
      } else if (op === 'contains' || op === 'notContains' || op === 'beginsWith') {
        if (typeof v !== 'string') throw new Error(`${path} expects a string value to be passed.`);
        const pattern = op === 'beginsWith' ? `${v}%` : `%${v}%`;
        parts.push(`${target} ${op === 'notContains' ? 'NOT LIKE' : 'LIKE'} ${this.variable(pattern)}`);
      } else if (op === 'attributeExists') {
        if (typeof v !== 'boolean') throw new Error(`${path} expects a boolean value to be passed.`);
        parts.push(`${target} IS ${v ? 'NOT ' : ''}NULL`);
      } else if (op === 'size' || op in AGG_OPERATORS) {
        const fn = op === 'size' ? `LENGTH(${target})` : `${AGG_OPERATORS[op]![0]}(${AGG_OPERATORS[op]![1] ? 'DISTINCT ' : ''}${target})`;
        if (!isPlainObject(v)) throw new Error(`Expected ${path} to be an Object.`);
        for (const inner of Object.keys(v)) {
          const iv = v[inner];
          if (inner === 'between') {
            if (!Array.isArray(iv) || iv.length !== 2) throw new Error(`${path} condition expects an array with length of 2.`);
            parts.push(`${fn} BETWEEN ${this.variable(iv[0])} AND ${this.variable(iv[1])}`);
          } else if (inner in COMPARISONS) parts.push(`${fn} ${COMPARISONS[inner]} ${this.value(iv)}`);
          else throw new Error(`${path} has invalid ${op} operator.`);
        }
      } else {
        throw new Error(`Unsupported condition ${path}.`);
      }
    }
    return parts.join(' AND ');
  }
}

function join(parts: string[]): string {
  return parts.filter((p) => p !== '').join(' ');
}

function render(quote: string, functionName: string, returningSupported: boolean, statements: unknown[]): RdsRequest {
  const present = statements.filter((s, i) => i === 0 || (s !== undefined && s !== null));
  if (present.length === 0 || present[0] === undefined) throw new Error(`An argument is expected to be passed to ${functionName}`);
  const renderer = new Renderer(quote, functionName, returningSupported);
  for (const s of present) renderer.add(s);
  return renderer.request;
}

/** The request for a Postgres data source; identifiers quoted with `"`. */
export function createPgStatement(statement1: unknown, statement2?: unknown): RdsRequest {
  return render('"', 'createPgStatement', true, [statement1, statement2]);
}

/**
 * The request for a MySQL data source; identifiers quoted with `` ` ``. Built as on AppSync, but
 * the gateway's RELATIONAL_DATABASE data source is PostgreSQL, which rejects backtick quoting.
 */
export function createMySQLStatement(statement1: unknown, statement2?: unknown): RdsRequest {
  return render('`', 'createMySQLStatement', false, [statement1, statement2]);
}

// ---------------------------------------------------------------------------------------------
// Results

/** Data API `Field` → JSON value. */
function fieldValue(field: unknown): unknown {
  if (field === null || typeof field !== 'object') return field ?? null;
  const f = field as Record<string, unknown>;
  if (f.isNull === true) return null;
  if ('arrayValue' in f) return arrayValue(f.arrayValue);
  if ('structValue' in f) {
    const attrs = (f.structValue as { attributes?: unknown[] } | null)?.attributes;
    return Array.isArray(attrs) ? attrs.map(fieldValue) : null;
  }
  for (const key of ['stringValue', 'longValue', 'doubleValue', 'booleanValue', 'blobValue', 'bitValue', 'intValue', 'bigIntValue', 'realValue']) {
    if (key in f) return f[key];
  }
  if ('arrayValues' in f) return (f.arrayValues as unknown[]).map(fieldValue);
  return null;
}

function arrayValue(a: unknown): unknown {
  if (a === null || typeof a !== 'object') return null;
  const o = a as Record<string, unknown>;
  if (Array.isArray(o.arrayValues)) return o.arrayValues.map(arrayValue);
  const list = Object.values(o)[0];
  return Array.isArray(list) ? list : [];
}

/**
 * The RDS result (the JSON string in `ctx.result`, or the parsed object) as one list of rows per
 * statement, each row keyed by column label; a statement that returns no rows gives `[]`; input
 * that is not an RDS result gives `null` (docs/postgres.md).
 *
 * Gateway choice: a NULL column is present in the row with value `null`.
 */
export function toJsonObject(data: unknown): Array<Array<Record<string, unknown>>> | null {
  let input = data;
  if (typeof input === 'string') {
    const one = oneResult(input);
    if (one !== undefined) return [rowsOf(one.records, one.meta)];
    try {
      input = JSON.parse(input);
    } catch {
      return null;
    }
  }
  if (input === null || typeof input !== 'object') return null;
  const results = (input as { sqlStatementResults?: unknown }).sqlStatementResults;
  if (!Array.isArray(results)) return null;
  return results.map((r) => rowsOf((r as { records?: unknown } | null)?.records, (r as { columnMetadata?: unknown } | null)?.columnMetadata));
}

function rowsOf(records: unknown, columnMetadata: unknown): Array<Record<string, unknown>> {
  const meta = (columnMetadata ?? []) as Array<{ label?: string; name?: string }>;
  if (!Array.isArray(records)) return [];
  return records.map((record: unknown) => {
    const row: Record<string, unknown> = {};
    (Array.isArray(record) ? record : []).forEach((field, i) => {
      const column = meta[i]?.label ?? meta[i]?.name ?? String(i);
      row[column] = fieldValue(field);
    });
    return row;
  });
}

// A one-statement result as the gateway's RELATIONAL_DATABASE data source writes it
// (src/datasources/postgres/dataApiResult.ts): its `columnMetadata` (fourteen members per column)
// is most of the text, and the same text for every result of a statement. Parsed once and kept, it
// leaves the records to parse; this took JSON.parse's share of a one-row select's toJsonObject from
// about 90% to a third.
const ONE_RESULT_HEAD = '{"sqlStatementResults":[{"numberOfRecordsUpdated":';
const RECORDS_KEY = ',"records":';
const METADATA_KEY = ',"columnMetadata":';
const ONE_RESULT_TAIL = ',"generatedFields":[]}]}';
const DIGITS = /^(?:0|[1-9]\d*)$/;
/**
 * Parsed `columnMetadata` texts, each at most MAX_KEPT_METADATA_CHARS long; emptied when MAX_KEPT_METADATA
 * are kept. A list compared by length and then `===` rather than a Map: a Map hashes the cut of the
 * text on every lookup, which cost more than parsing the records (and `startsWith` at an offset more still).
 */
const keptMetadata: Array<{ text: string; meta: unknown }> = [];
const MAX_KEPT_METADATA = 64;
const MAX_KEPT_METADATA_CHARS = 16_384;

/**
 * The records and `columnMetadata` of `text` when it is `{"sqlStatementResults":[{"numberOfRecordsUpdated":<n>,"records":<R>,
 * "columnMetadata":<M>,"generatedFields":[]}]}` written without spaces, with R and M each JSON on its own: what `JSON.parse`
 * of the whole gives there. Else undefined, and the caller parses the whole.
 *
 * Why the cut is sound: `,"` never occurs inside a JSON string (a quote in one is escaped), so the
 * first `,"columnMetadata":` is a member name; if it belonged to an object inside the records, the
 * text before it would end inside the records' array and would not parse on its own.
 */
function oneResult(text: string): { records: unknown; meta: unknown } | undefined {
  if (!text.startsWith(ONE_RESULT_HEAD) || !text.endsWith(ONE_RESULT_TAIL)) return undefined;
  const recordsAt = text.indexOf(RECORDS_KEY, ONE_RESULT_HEAD.length);
  if (recordsAt < 0 || !DIGITS.test(text.slice(ONE_RESULT_HEAD.length, recordsAt))) return undefined;
  const metadataAt = text.indexOf(METADATA_KEY, recordsAt + RECORDS_KEY.length);
  const metadataEnd = text.length - ONE_RESULT_TAIL.length;
  if (metadataAt < 0 || metadataAt + METADATA_KEY.length >= metadataEnd) return undefined;
  const metadataStart = metadataAt + METADATA_KEY.length;
  const metadataText = text.slice(metadataStart, metadataEnd);
  let meta: unknown;
  for (const kept of keptMetadata) {
    if (kept.text.length === metadataText.length && kept.text === metadataText) {
      meta = kept.meta;
      break;
    }
  }
  try {
    const records: unknown = JSON.parse(text.slice(recordsAt + RECORDS_KEY.length, metadataAt));
    // In the sandbox JSON.parse answers "" for a text that is not JSON instead of throwing (the
    // runtime's rule, prelude.ts), so a cut counts as parsed only when it gave what the layout holds.
    if (!arrayOrNull(records)) return undefined;
    if (meta === undefined) {
      meta = JSON.parse(metadataText) as unknown;
      if (!arrayOrNull(meta)) return undefined;
      if (metadataText.length <= MAX_KEPT_METADATA_CHARS) {
        if (keptMetadata.length >= MAX_KEPT_METADATA) keptMetadata.length = 0;
        keptMetadata.push({ text: metadataText, meta });
      }
    }
    return { records, meta };
  } catch {
    // Not JSON on its own (see above): the caller parses the whole text, and says what is wrong with it.
    return undefined;
  }
}

function arrayOrNull(value: unknown): boolean {
  return value === null || Array.isArray(value);
}

/** `util.rds` (rds-utils.d.ts). */
export const rdsUtil = { toJsonObject };
