/**
 * Parsing a VTL mapping template with velocityjs's grammar (docs/resolvers.md#vtl-mapping-templates).
 * Used in the sandbox (the engine) and by the gateway at load time (to refuse a template that does
 * not parse, naming `line:column`); pure, so both sides can import it.
 *
 * Patched before parsing: a bare `#return` or `#stop` (no parentheses) becomes `#return()` /
 * `#stop()`, since velocityjs reads these directives without parentheses as text; a property named
 * like a word operator (`$ctx.stash.authFilter.or`, which Amplify's generated resolvers use and
 * Velocity 1.7 reads as a property) becomes an index (`…authFilter['or']`), since velocityjs's
 * lexer reads `or` there as `||`.
 */
import { parse } from 'velocityjs';

export type TemplateAst = ReturnType<typeof parse>;

/** Where and why a template failed to parse. */
export interface TemplateSyntaxError {
  line: number;
  column: number;
  reason: string;
}

const BARE_DIRECTIVE = /#\{?(return|stop)\}?(?![\w(])/g;

const WORD_OPERATOR_PROPERTY = /(\$!?\{?[A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*|\[[^\]\n]*\])*)\.(or|and|not|eq|ne|lt|le|gt|ge)\b(?![\w(-])/g;

export function parseTemplate(text: string): TemplateAst {
  // Single quotes: the reference may sit inside a double-quoted string ("$ctx.args.title.eq", as
  // Amplify's sort-key conditions have it), which a double quote would end.
  return parse(text.replace(BARE_DIRECTIVE, '#$1()').replace(WORD_OPERATOR_PROPERTY, "$1['$2']"));
}

/**
 * What parsing depends on besides the text (the patterns above and the parse step): part of the
 * key of a cached tree (src/resolvers/vtl/templateCache.ts), with velocityjs's version.
 */
export const PARSE_IDENTITY = [BARE_DIRECTIVE.source, WORD_OPERATOR_PROPERTY.source, parseTemplate.toString()].join('\n');

/** The template's parse error, or null when it parses. */
export function templateSyntaxError(text: string): TemplateSyntaxError | null {
  const parsed = parsedTemplate(text);
  return 'syntax' in parsed ? parsed.syntax : null;
}

/** The template's tree, or its parse error. */
export function parsedTemplate(text: string): { ast: TemplateAst } | { syntax: TemplateSyntaxError } {
  try {
    return { ast: parseTemplate(text) };
  } catch (error) {
    const e = error as {
      message?: unknown;
      hash?: { loc?: { first_line?: number; first_column?: number }; line?: number; expected?: string[]; token?: string };
    };
    const loc = e.hash?.loc;
    const line = loc?.first_line ?? (typeof e.hash?.line === 'number' ? e.hash.line + 1 : 1);
    const column = (loc?.first_column ?? 0) + 1;
    const message = String(e.message ?? error);
    // jison's message repeats the line with a caret; keep what it expected and what it got.
    const expecting = /Expecting (.+)$/m.exec(message)?.[1];
    const reason = expecting
      ? `unexpected ${expecting.replace(/^.*, got /, '')}; expected ${expecting.replace(/, got .*$/, '')}`
      : (message.split('\n').pop() ?? message);
    return { syntax: { line, column, reason } };
  }
}
