/**
 * Parser for the JSONPath dialect Amazon States Language uses (AWS evaluates paths with the
 * Jayway JsonPath library): `$`, `$$` (context object), `$name` (a variable), dot and bracket
 * notation, indexes, index lists, slices, `*`, `..` deep scan and `[?( … )]` filters.
 *
 * Parsed paths are cached by source text: definitions are parsed once, evaluated many times.
 */

/** One step of a path. */
export type Segment =
  | { kind: 'prop'; names: string[] }
  | { kind: 'index'; indexes: number[] }
  | { kind: 'slice'; start?: number; end?: number }
  | { kind: 'wildcard' }
  | { kind: 'filter'; expr: FilterExpr }
  | { kind: 'deep'; inner: Segment };

/** A filter expression inside `[?( … )]`. */
export type FilterExpr =
  | { kind: 'or' | 'and'; left: FilterExpr; right: FilterExpr }
  | { kind: 'not'; operand: FilterExpr }
  | { kind: 'compare'; op: string; left: FilterOperand; right: FilterOperand }
  | { kind: 'exists'; operand: FilterOperand };

export type FilterOperand = { kind: 'literal'; value: unknown } | { kind: 'regex'; regex: RegExp } | { kind: 'path'; root: '@' | '$'; segments: Segment[] };

/** A parsed path. */
export interface ParsedPath {
  source: string;
  /** `input` for `$…`, `context` for `$$…`, `variable` for `$name…`. */
  root: 'input' | 'context' | 'variable';
  variable?: string;
  segments: Segment[];
  /** True when the path can select at most one node (no `*`, slice, filter, `..` or index list). */
  definite: boolean;
}

/** Thrown for text that is not a valid path; `message` says why. */
export class PathSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathSyntaxError';
  }
}

const cache = new Map<string, ParsedPath>();

/** Parses (and caches) a path; throws {@link PathSyntaxError}. */
export function parsePath(source: string): ParsedPath {
  let parsed = cache.get(source);
  if (parsed === undefined) {
    parsed = new PathReader(source).readPath();
    if (cache.size > 10_000) cache.clear();
    cache.set(source, parsed);
  }
  return parsed;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

class PathReader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(why: string): never {
    throw new PathSyntaxError(why);
  }

  readPath(): ParsedPath {
    const t = this.text;
    if (t[0] !== '$') this.fail(`Path must start with '$'`);
    this.pos = 1;
    let root: ParsedPath['root'] = 'input';
    let variable: string | undefined;
    if (t[1] === '$') {
      root = 'context';
      this.pos = 2;
    } else if (t[1] !== undefined && IDENT_START.test(t[1])) {
      root = 'variable';
      const start = 1;
      while (this.pos < t.length && IDENT_PART.test(t[this.pos]!)) this.pos++;
      variable = t.slice(start, this.pos);
    }
    const segments = this.readSegments(false);
    if (this.pos < t.length) this.fail(`Unexpected character '${t[this.pos]}' at position ${this.pos}`);
    const definite = segments.every(isDefiniteSegment);
    return { source: t, root, variable, segments, definite };
  }

  /** Reads segments until the end (or, inside a filter, until a character that cannot continue a path). */
  readSegments(inFilter: boolean): Segment[] {
    const t = this.text;
    const segments: Segment[] = [];
    while (this.pos < t.length) {
      const c = t[this.pos];
      if (c === '.') {
        if (t[this.pos + 1] === '.') {
          this.pos += 2;
          let inner: Segment;
          if (t[this.pos] === '[') inner = this.readBracket();
          else if (t[this.pos] === '*') {
            this.pos++;
            inner = { kind: 'wildcard' };
          } else inner = { kind: 'prop', names: [this.readName()] };
          segments.push({ kind: 'deep', inner });
        } else {
          this.pos++;
          if (t[this.pos] === '*') {
            this.pos++;
            segments.push({ kind: 'wildcard' });
          } else if (t[this.pos] === '[') {
            // `$.['a']` is accepted by Jayway as `$['a']`.
            segments.push(this.readBracket());
          } else segments.push({ kind: 'prop', names: [this.readName()] });
        }
      } else if (c === '[') {
        segments.push(this.readBracket());
      } else if (inFilter) {
        break;
      } else {
        this.fail(`Unexpected character '${c}' at position ${this.pos}`);
      }
    }
    return segments;
  }

  readName(): string {
    const t = this.text;
    const start = this.pos;
    // Jayway allows any character in a dot-notation name except the path delimiters.
    while (this.pos < t.length && !'.[]() \t\n\r,=!<>&|'.includes(t[this.pos]!)) this.pos++;
    if (this.pos === start) this.fail(`Path contains an empty property name at position ${start}`);
    return t.slice(start, this.pos);
  }

  skipSpaces(): void {
    while (this.text[this.pos] === ' ') this.pos++;
  }

  readBracket(): Segment {
    const t = this.text;
    this.pos++; // '['
    this.skipSpaces();
    const c = t[this.pos];
    let segment: Segment;
    if (c === '*') {
      this.pos++;
      segment = { kind: 'wildcard' };
    } else if (c === '?') {
      this.pos++;
      this.skipSpaces();
      if (t[this.pos] !== '(') this.fail(`Expected '(' after '?' at position ${this.pos}`);
      this.pos++;
      const expr = this.readOr();
      this.skipSpaces();
      if (t[this.pos] !== ')') this.fail(`Expected ')' at position ${this.pos}`);
      this.pos++;
      segment = { kind: 'filter', expr };
    } else if (c === "'" || c === '"') {
      const names = [this.readQuoted(true)];
      this.skipSpaces();
      while (t[this.pos] === ',') {
        this.pos++;
        this.skipSpaces();
        names.push(this.readQuoted(true));
        this.skipSpaces();
      }
      segment = { kind: 'prop', names };
    } else {
      segment = this.readIndexOrSlice();
    }
    this.skipSpaces();
    if (t[this.pos] !== ']') this.fail(`Expected ']' at position ${this.pos}`);
    this.pos++;
    return segment;
  }

  /**
   * Reads a quoted string. A backslash always stops the next character from closing the string;
   * `raw` keeps the backslash in the text, as Jayway (and so AWS) does for bracket-notation names:
   * `$['Test\""Name"']` selects the key `Test\""Name"` (issue #26).
   */
  readQuoted(raw = false): string {
    const t = this.text;
    const quote = t[this.pos];
    if (quote !== "'" && quote !== '"') this.fail(`Expected a quoted name at position ${this.pos}`);
    this.pos++;
    let out = '';
    while (this.pos < t.length && t[this.pos] !== quote) {
      if (t[this.pos] === '\\' && this.pos + 1 < t.length) {
        if (raw) out += '\\';
        this.pos++;
      }
      out += t[this.pos];
      this.pos++;
    }
    if (t[this.pos] !== quote) this.fail('Unterminated quoted name');
    this.pos++;
    return out;
  }

  readInt(): number | undefined {
    const t = this.text;
    const m = /^-?\d+/.exec(t.slice(this.pos));
    if (!m) return undefined;
    this.pos += m[0].length;
    return Number(m[0]);
  }

  readIndexOrSlice(): Segment {
    const t = this.text;
    const first = this.readInt();
    this.skipSpaces();
    if (t[this.pos] === ':') {
      this.pos++;
      this.skipSpaces();
      const end = this.readInt();
      this.skipSpaces();
      return { kind: 'slice', start: first, end };
    }
    if (first === undefined) this.fail(`Invalid array index at position ${this.pos}`);
    const indexes = [first];
    while (t[this.pos] === ',') {
      this.pos++;
      this.skipSpaces();
      const next = this.readInt();
      if (next === undefined) this.fail(`Invalid array index at position ${this.pos}`);
      indexes.push(next);
      this.skipSpaces();
    }
    return { kind: 'index', indexes };
  }

  // ---- filter expressions ----

  readOr(): FilterExpr {
    let left = this.readAnd();
    for (;;) {
      this.skipSpaces();
      if (this.text.startsWith('||', this.pos)) {
        this.pos += 2;
        left = { kind: 'or', left, right: this.readAnd() };
      } else return left;
    }
  }

  readAnd(): FilterExpr {
    let left = this.readUnary();
    for (;;) {
      this.skipSpaces();
      if (this.text.startsWith('&&', this.pos)) {
        this.pos += 2;
        left = { kind: 'and', left, right: this.readUnary() };
      } else return left;
    }
  }

  readUnary(): FilterExpr {
    this.skipSpaces();
    const t = this.text;
    if (t[this.pos] === '!' && t[this.pos + 1] !== '=') {
      this.pos++;
      return { kind: 'not', operand: this.readUnary() };
    }
    if (t[this.pos] === '(') {
      this.pos++;
      const inner = this.readOr();
      this.skipSpaces();
      if (t[this.pos] !== ')') this.fail(`Expected ')' at position ${this.pos}`);
      this.pos++;
      return inner;
    }
    const left = this.readOperand();
    this.skipSpaces();
    const op = /^(==|!=|<=|>=|=~|<|>|\s*nin\b|\s*in\b)/.exec(t.slice(this.pos));
    if (!op) return { kind: 'exists', operand: left };
    this.pos += op[0].length;
    this.skipSpaces();
    const right = this.readOperand();
    return { kind: 'compare', op: op[0].trim(), left, right };
  }

  readOperand(): FilterOperand {
    const t = this.text;
    this.skipSpaces();
    const c = t[this.pos];
    if (c === '@' || c === '$') {
      this.pos++;
      return { kind: 'path', root: c, segments: this.readSegments(true) };
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.readQuoted() };
    if (c === '/') {
      const end = t.indexOf('/', this.pos + 1);
      if (end < 0) this.fail('Unterminated regular expression');
      const body = t.slice(this.pos + 1, end);
      this.pos = end + 1;
      const flags = /^[a-z]*/.exec(t.slice(this.pos))![0];
      this.pos += flags.length;
      try {
        return { kind: 'regex', regex: new RegExp(body, flags.replace(/[^gimsuy]/g, '')) };
      } catch {
        this.fail(`Invalid regular expression /${body}/`);
      }
    }
    if (c === '[') {
      // A literal list for `in` / `nin`.
      const end = t.indexOf(']', this.pos);
      if (end < 0) this.fail('Unterminated list');
      const body = t.slice(this.pos, end + 1).replace(/'((?:[^'\\]|\\.)*)'/g, (_m, s: string) => JSON.stringify(s));
      this.pos = end + 1;
      try {
        return { kind: 'literal', value: JSON.parse(body) };
      } catch {
        this.fail(`Invalid list ${body}`);
      }
    }
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(t.slice(this.pos));
    if (!m) this.fail(`Invalid filter operand at position ${this.pos}`);
    this.pos += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) };
  }
}

function isDefiniteSegment(s: Segment): boolean {
  return s.kind === 'prop' || (s.kind === 'index' && s.indexes.length === 1);
}

/**
 * The path as Jayway prints it in its messages (`$['a'][0]['b']`), used in AWS's
 * "No results for path" causes.
 */
export function normalizedPath(parsed: ParsedPath): string {
  return '$' + parsed.segments.map(segmentText).join('');
}

function segmentText(s: Segment): string {
  switch (s.kind) {
    case 'prop':
      return `[${s.names.map((n) => `'${n}'`).join(',')}]`;
    case 'index':
      return `[${s.indexes.join(',')}]`;
    case 'slice':
      return `[${s.start ?? ''}:${s.end ?? ''}]`;
    case 'wildcard':
      return '[*]';
    case 'filter':
      return '[?]';
    case 'deep':
      return '..' + segmentText(s.inner);
  }
}

/** True for a Reference Path (what ResultPath accepts): only single names and single indexes. */
export function isReferencePath(parsed: ParsedPath): boolean {
  return parsed.root === 'input' && parsed.segments.every((s) => (s.kind === 'prop' && s.names.length === 1) || (s.kind === 'index' && s.indexes.length === 1));
}
