/**
 * A rendered mapping template's text read as strict JSON, as AppSync does
 * (docs/resolvers.md#vtl-mapping-templates): unquoted keys, single quotes, comments and trailing
 * commas all fail, with AppSync's wording (errorType `MappingTemplate`). AppSync parses with
 * Jackson, so a syntax error names the character, what Jackson expected there and the place as
 * `line: L, column: C` (Jackson's column counts one past the character read).
 *
 * Hand-written: JSON.parse is as strict as AppSync's reader and reads every valid text; the walk
 * below runs only when it fails, to word the error as AppSync does.
 */

/** A rendered template that is not JSON: `message` is AppSync's wording. */
export class RenderedJsonError {
  constructor(readonly message: string) {}
}

const WS = (c: string | undefined): boolean => c === ' ' || c === '\n' || c === '\r' || c === '\t';

/** Parses `text`; an empty (all-whitespace) text is null. Throws RenderedJsonError. */
export function parseRenderedJson(text: string, parse: (text: string) => unknown): unknown {
  let i = 0;
  let parsed: unknown;
  let valid = true;
  try {
    parsed = parse(text);
  } catch {
    valid = false;
  }
  if (valid) return parsed;
  // Not JSON: the walk below says why, in AppSync's words.
  while (WS(text[i])) i++;
  if (i === text.length) return null;
  const first = text[i]!;
  // Text that does not even start like a JSON value (a stray comment line, a forgotten #if).
  if (!/[{["\-0-9tfn]/.test(first)) throw new RenderedJsonError(`Unable to convert ${text} to Object.`);
  const fail = (at: number, reason: string): never => {
    let line = 1;
    let lineStart = 0;
    for (let k = 0; k < at && k < text.length; k++) {
      if (text[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    const column = at - lineStart + 2;
    throw new RenderedJsonError(`Unable to parse the JSON document: '${reason}\n at [Source: (String)"${text}"; line: ${line}, column: ${column}]'`);
  };
  const unexpected = (at: number, expecting: string): never => {
    if (at >= text.length) return fail(at, `Unexpected end-of-input: ${expecting}`);
    const c = text[at]!;
    return fail(at, `Unexpected character ('${c}' (code ${c.charCodeAt(0)})): ${expecting}`);
  };
  const skip = (): void => {
    while (WS(text[i])) i++;
  };
  const value = (): void => {
    skip();
    const c = text[i];
    if (c === '{') {
      i++;
      skip();
      if (text[i] === '}') return void i++;
      for (;;) {
        skip();
        if (text[i] !== '"') unexpected(i, 'was expecting double-quote to start field name');
        string();
        skip();
        if (text[i] !== ':') unexpected(i, 'was expecting a colon to separate field name and value');
        i++;
        value();
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else unexpected(i, 'was expecting comma to separate Object entries');
      }
    }
    if (c === '[') {
      i++;
      skip();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        skip();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else unexpected(i, 'was expecting comma to separate Array entries');
      }
    }
    if (c === '"') return string();
    const literal = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?![A-Za-z0-9_$])/.exec(text.slice(i, i + 400));
    if (literal) return void (i += literal[0].length);
    unexpected(i, "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
  };
  const string = (): void => {
    const start = i;
    i++;
    for (;;) {
      const c = text[i];
      if (c === undefined) fail(start, 'Unexpected end-of-input: was expecting closing quote for a string value');
      if (c === '"') return void i++;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6;
        else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(i + 1, `Unrecognized character escape '${e ?? ''}' (code ${e === undefined ? -1 : e.charCodeAt(0)})`);
        continue;
      }
      if (c.charCodeAt(0) < 0x20)
        fail(i, `Illegal unquoted character ((CTRL-CHAR, code ${c.charCodeAt(0)})): has to be escaped using backslash to be included in string value`);
      i++;
    }
  };
  value();
  skip();
  if (i < text.length) throw new RenderedJsonError('Trailing characters at the end of the JSON string are not allowed.');
  throw new RenderedJsonError(`Unable to parse the JSON document: '${text}'`);
}
