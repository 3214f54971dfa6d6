/**
 * Parser for intrinsic function calls (`States.Format('{}', $.x)`): string literals in single
 * quotes with `\'`, `\\`, `\{`, `\}` escapes, numbers, booleans, null, paths (`$.x`, `$$.x`,
 * `$var`, `$`) and nested calls. Parsed calls are cached by source text.
 */

export type IntrinsicArg =
  | { kind: 'string'; value: string; raw: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'path'; path: string }
  | { kind: 'call'; call: IntrinsicCall };

export interface IntrinsicCall {
  /** Full name, e.g. `States.Format`. */
  name: string;
  args: IntrinsicArg[];
  /** The source text of this call. */
  source: string;
}

export class IntrinsicSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntrinsicSyntaxError';
  }
}

const cache = new Map<string, IntrinsicCall>();

/** Parses (and caches) an intrinsic call; throws {@link IntrinsicSyntaxError}. */
export function parseIntrinsic(source: string): IntrinsicCall {
  let call = cache.get(source);
  if (call === undefined) {
    const r = new Reader(source);
    r.skip();
    call = r.readCall();
    r.skip();
    if (r.pos < source.length) r.fail(`Unexpected text after the function call: '${source.slice(r.pos)}'`);
    if (cache.size > 10_000) cache.clear();
    cache.set(source, call);
  }
  return call;
}

class Reader {
  pos = 0;
  constructor(readonly text: string) {}

  fail(why: string): never {
    throw new IntrinsicSyntaxError(why);
  }

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  readCall(): IntrinsicCall {
    const t = this.text;
    const start = this.pos;
    const m = /^States\.[A-Za-z0-9]+/.exec(t.slice(this.pos));
    if (!m) this.fail(`Expected an intrinsic function name at position ${this.pos}`);
    this.pos += m[0].length;
    this.skip();
    if (t[this.pos] !== '(') this.fail(`Expected '(' after ${m[0]}`);
    this.pos++;
    const args: IntrinsicArg[] = [];
    this.skip();
    if (t[this.pos] === ')') {
      this.pos++;
      return { name: m[0], args, source: t.slice(start, this.pos) };
    }
    for (;;) {
      this.skip();
      args.push(this.readArg());
      this.skip();
      if (t[this.pos] === ',') {
        this.pos++;
        continue;
      }
      if (t[this.pos] === ')') {
        this.pos++;
        return { name: m[0], args, source: t.slice(start, this.pos) };
      }
      this.fail(this.pos >= t.length ? `Missing ')' in ${t.slice(start)}` : `Unexpected character '${t[this.pos]}' at position ${this.pos}`);
    }
  }

  readArg(): IntrinsicArg {
    const t = this.text;
    const c = t[this.pos];
    if (c === "'") return this.readString();
    if (c === '$') return { kind: 'path', path: this.readPathText() };
    if (t.startsWith('States.', this.pos)) return { kind: 'call', call: this.readCall() };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)(?=[\s,)])/.exec(t.slice(this.pos));
    if (!m) this.fail(`Invalid argument at position ${this.pos}: '${t.slice(this.pos)}'`);
    this.pos += m[0].length;
    if (m[0] === 'null') return { kind: 'null' };
    if (m[0] === 'true' || m[0] === 'false') return { kind: 'boolean', value: m[0] === 'true' };
    return { kind: 'number', value: Number(m[0]) };
  }

  readString(): IntrinsicArg {
    const t = this.text;
    const start = this.pos;
    this.pos++;
    let value = '';
    let raw = '';
    while (this.pos < t.length && t[this.pos] !== "'") {
      if (t[this.pos] === '\\') {
        const n = t[this.pos + 1];
        if (n === undefined) this.fail('Unterminated string literal');
        // `\{` and `\}` keep their backslash in the raw text so States.Format can tell a literal
        // brace from a placeholder; every escape means the next character itself.
        raw += t[this.pos]! + n;
        value += n;
        this.pos += 2;
      } else {
        raw += t[this.pos];
        value += t[this.pos];
        this.pos++;
      }
    }
    if (t[this.pos] !== "'") this.fail(`Unterminated string literal starting at position ${start}`);
    this.pos++;
    return { kind: 'string', value, raw };
  }

  /** A path runs until a top-level `,` or `)`; brackets and quotes inside it are skipped over. */
  readPathText(): string {
    const t = this.text;
    const start = this.pos;
    let depth = 0;
    let quote: string | undefined;
    while (this.pos < t.length) {
      const c = t[this.pos]!;
      if (quote) {
        if (c === '\\') this.pos++;
        else if (c === quote) quote = undefined;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === '[' || c === '(') depth++;
      else if (c === ']' || (c === ')' && depth > 0)) depth--;
      else if (depth === 0 && (c === ',' || c === ')' || /\s/.test(c))) break;
      this.pos++;
    }
    return t.slice(start, this.pos);
  }
}
