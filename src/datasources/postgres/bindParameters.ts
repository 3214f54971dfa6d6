/**
 * Turns one RDS Data API statement (`:name` placeholders, a `variableMap` and optional
 * `variableTypeHintMap`) into a `pg` query with `$n` bind parameters
 * (docs/postgres.md). Values always travel as parameters, never inside the SQL text.
 */

/** Casts for the Data API's type hints (API_SqlParameter.html `typeHint`). */
const TYPE_HINT_CASTS: Record<string, string> = {
  DECIMAL: 'numeric',
  JSON: 'json',
  TIMESTAMP: 'timestamp',
  TIME: 'time',
  DATE: 'date',
  UUID: 'uuid',
};

export interface BoundStatement {
  text: string;
  values: unknown[];
}

/** Thrown for a request the Data API would reject before running it (unknown type hint). */
export class BindError extends Error {}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** An SQL text cut at its `:name` placeholders: `parts[k]`, `:names[k]`, `parts[k + 1]`, … */
interface Template {
  parts: string[];
  names: string[];
}

/** Templates per SQL text: a resolver sends the same text request after request. */
const templates = new Map<string, Template>();
/** SQL texts whose templates are kept (past this the map starts over). */
const MAX_TEMPLATES = 1000;

/**
 * Rewrites `:name` to `$n` for every name present in `variableMap` (keys are written with their
 * colon, `":P0"`, as AppSync's helpers produce them; a key without it is accepted too). Text inside
 * string literals, quoted identifiers, comments and dollar quotes is left alone, and so are
 * `::type` casts.
 */
export function bindParameters(sql: string, variableMap: Record<string, unknown> = {}, typeHints: Record<string, unknown> = {}): BoundStatement {
  let template = templates.get(sql);
  if (template === undefined) {
    template = scan(sql);
    if (templates.size >= MAX_TEMPLATES) templates.clear();
    templates.set(sql, template);
  }
  const { parts, names } = template;
  if (names.length === 0) return { text: sql, values: [] };
  const lookup = new Map<string, { value: unknown; hint: unknown }>();
  for (const key of Object.keys(variableMap)) {
    const name = key.startsWith(':') ? key.slice(1) : key;
    lookup.set(name, { value: variableMap[key], hint: typeHints[`:${name}`] ?? typeHints[name] });
  }
  const values: unknown[] = [];
  let out = parts[0]!;
  for (let k = 0; k < names.length; k++) {
    const name = names[k]!;
    const entry = lookup.get(name);
    if (entry) {
      // Each occurrence is its own parameter: Postgres infers a type per use, and one `$n`
      // used where a text and where an int is expected would be "inconsistent types".
      values.push(toParameter(entry.value, entry.hint));
      out += `$${values.length}${castFor(entry.hint, name)}`;
    } else out += `:${name}`;
    out += parts[k + 1]!;
  }
  return { text: out, values };
}

/** Cuts `sql` at every `:name` outside literals, quoted identifiers, comments, dollar quotes and `::` casts. */
function scan(sql: string): Template {
  const parts: string[] = [];
  const names: string[] = [];
  let from = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    // Literals and comments are skipped whole.
    if (c === "'" || c === '"') {
      i = skipQuoted(sql, i, c);
      continue;
    }
    if (c === '-' && sql[i + 1] === '-') {
      const nl = sql.indexOf('\n', i);
      i = nl === -1 ? n : nl;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i);
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag && !(i > 0 && IDENT_PART.test(sql[i - 1]!))) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
        continue;
      }
    }
    if (c === ':') {
      if (sql[i + 1] === ':') {
        i += 2;
        continue;
      }
      if (i + 1 < n && IDENT_START.test(sql[i + 1]!)) {
        let j = i + 2;
        while (j < n && IDENT_PART.test(sql[j]!)) j++;
        parts.push(sql.slice(from, i));
        names.push(sql.slice(i + 1, j));
        from = j;
        i = j;
        continue;
      }
    }
    i++;
  }
  parts.push(sql.slice(from));
  return { parts, names };
}

function castFor(hint: unknown, name: string): string {
  if (hint === undefined || hint === null) return '';
  const cast = TYPE_HINT_CASTS[String(hint).toUpperCase()];
  if (!cast) throw new BindError(`Unsupported type hint ${String(hint)} for :${name}; expected one of ${Object.keys(TYPE_HINT_CASTS).join(', ')}.`);
  return `::${cast}`;
}

/**
 * Gateway choice: values are sent as untyped text parameters and Postgres infers their type from
 * where they are used (the Data API types them from the JSON value). An array without a hint
 * becomes a Postgres array (`{a,b}`, by `pg`); objects, and anything with the JSON hint, are sent
 * as JSON text.
 */
function toParameter(value: unknown, hint: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value) && String(hint ?? '').toUpperCase() !== 'JSON') return value;
  return JSON.stringify(value);
}

function skipQuoted(sql: string, start: number, quote: string): number {
  // E'...' strings allow backslash escapes.
  const escapes = quote === "'" && start > 0 && /[eE]/.test(sql[start - 1]!) && !(start > 1 && IDENT_PART.test(sql[start - 2]!));
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i]!;
    if (escapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}
