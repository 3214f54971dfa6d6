/**
 * Java `Pattern` syntax (used by `util.matches`, docs/resolvers.md#util-in-detail) translated to a JavaScript
 * RegExp source, for the constructs that differ: possessive quantifiers and atomic groups
 * (approximated by their greedy forms), `\A`, `\Z`, `\z`, `\Q…\E`, POSIX classes `\p{Alpha}` …,
 * and inline flags `(?i)` at the start.
 */
const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
};

export function javaRegexToJs(pattern: string): { source: string; flags: string } {
  let source = String(pattern);
  let flags = '';
  const inline = /^\(\?([imsx]+)\)/.exec(source);
  if (inline) {
    for (const f of inline[1]!) if (f === 'i' || f === 'm' || f === 's') flags += f;
    source = source.slice(inline[0].length);
  }
  source = source.replace(/\\Q([\s\S]*?)(?:\\E|$)/g, (_m, literal: string) => literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  source = source
    .replace(/\\A/g, '^')
    .replace(/\\[Zz]/g, '$')
    .replace(/\\p\{(?:Is)?([A-Za-z]+)\}/g, (m, name: string) => (POSIX[name] ? `[${POSIX[name]}]` : m))
    .replace(/\\P\{(?:Is)?([A-Za-z]+)\}/g, (m, name: string) => (POSIX[name] ? `[^${POSIX[name]}]` : m))
    .replace(/([*+?}])\+/g, '$1')
    .replace(/\(\?>/g, '(?:');
  return { source, flags };
}

/** Whole-string match, as Java's `Pattern.matches`. */
export function javaMatches(pattern: string, value: string): boolean {
  const { source, flags } = javaRegexToJs(pattern);
  return new RegExp(`^(?:${source})$`, flags).test(String(value));
}
