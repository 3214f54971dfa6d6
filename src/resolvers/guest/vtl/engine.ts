/**
 * The VTL engine of the sandbox (docs/resolvers.md#vtl-mapping-templates): velocityjs's compiler
 * with AppSync's directives and Java value semantics on top. Runs only inside the sandbox
 * processes, under their time and memory limits.
 *
 * What is patched over velocityjs 2.x, and why (each a method of AppSyncVelocity below):
 * - method calls (`getPropMethod`): Java's String/List/Map methods (java.ts) instead of the JS
 *   ones; only functions the prelude put on `$util`/`$ctx` are called as they are. velocityjs also
 *   writes an `eval` member onto every object a method is called on, which fails on the frozen
 *   `$util` and would leak into rendered maps.
 * - `null` renders as the reference's text (`$x`), `$!x` as nothing, as in Velocity 1.7;
 *   a void method renders as nothing.
 * - truthiness (`#if`, `&&`, `||`, `!`): only `null` and `false` are false, as in Velocity 1.7
 *   (velocityjs uses JavaScript's, where `""` and `0` are false).
 * - arithmetic: integer `/` and `%` truncate as Java's `Integer`/`Long` do; `==` compares lists and
 *   maps by value and other values of different types by their text (Velocity's ASTEQNode).
 * - `#foreach`: AppSync's cap of 1,000 iterations (a MappingTemplate error beyond it, Gateway
 *   choice), maps iterate their values, `#break` no longer leaks out of a loop over a map; a range
 *   literal (`[1..n]`) longer than the cap is refused before it is built.
 * - `#return` / `#return(value)`: ends the template with the value (AppSync's directive).
 * - macros nest at most 20 calls deep (Velocity's `velocimacro.max.depth`).
 * - output: at most 5 MB of rendered text (AppSync's evaluated template limit).
 */
import { Compile, Helper } from 'velocityjs';
import { callJavaMethod, javaEquals, NO_METHOD, VOID } from './java.js';
import { parseTemplate, type TemplateAst } from './parseTemplate.js';

// Inside the sandbox's vm context every global name read goes through node:vm's interceptors on
// the contextified global (~0.1 µs each, see prelude.ts); the render path reads these copies.
const isArray = Array.isArray;
const objectHasOwn = Object.prototype.hasOwnProperty;
const objectKeys = Object.keys;
const objectValues = Object.values;
const toText = String;
const isInteger = Number.isInteger;
const truncate = Math.trunc;
const toInt = parseInt;
const toFloat = parseFloat;

/** AppSync's per-loop cap (docs/resolvers.md#vtl-mapping-templates). */
export const MAX_FOREACH_ITERATIONS = 1000;
/** AppSync's evaluated mapping template size. */
export const MAX_OUTPUT_CHARS = 5 * 1024 * 1024;
/** Velocity's default `velocimacro.max.depth`. */
export const MAX_MACRO_DEPTH = 20;

/** Thrown by `#return`: the template's value. */
export class VtlReturn {
  constructor(readonly value: unknown) {}
}

/** A template that broke one of AppSync's limits; reported as a MappingTemplate error. */
export class VtlLimitError {
  constructor(readonly message: string) {}
}

type Ast = Record<string, unknown> & { type?: string; id?: string; args?: Ast[]; leader?: string; pos?: { first_line: number; first_column: number } };

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !isArray(v);
/** The `$foreach` objects of running loops: Velocity's ForeachScope, whose `hasNext()` is a method. */
const foreachScopes = new WeakSet<object>();
const hasOwn = (o: object, k: string): boolean => objectHasOwn.call(o, k);

/** Velocity 1.7's truthiness. */
export const truthy = (v: unknown): boolean => v !== null && v !== undefined && v !== false;

/** Velocity's `==` (the gateway's evaluator of templates uses it too: src/resolvers/expressions/vtlSubset.ts). */
export function velocityEquals(a: unknown, b: unknown): boolean {
  const an = a === undefined ? null : a;
  const bn = b === undefined ? null : b;
  if (an === null || bn === null) return an === bn;
  if (typeof an === typeof bn) return javaEquals(an, bn);
  if (typeof an === 'object' || typeof bn === 'object') return false;
  return toText(an) === toText(bn);
}

/** A value as Velocity prints it: Java's `toString` of lists (`[a, b]`) and maps (`{k=v}`). */
export function javaText(value: unknown): unknown {
  if (isArray(value)) return `[${value.map((v) => toText(javaText(v))).join(', ')}]`;
  if (isMap(value))
    return `{${objectKeys(value)
      .map((k) => `${k}=${toText(javaText(value[k]))}`)
      .join(', ')}}`;
  return value;
}

/** Parsed double-quoted strings (`"Hello $name"`), which velocityjs would parse at every use. */
const stringAsts = new Map<string, TemplateAst>();
const MAX_CACHED_STRINGS = 2000;

// velocityjs's methods are typed against its own AST types; the overrides read the same shapes loosely.
class AppSyncVelocity extends Compile {
  #depth = 0;
  #loops = 0;
  /** What `render` installs as `macros`: built once per engine (velocityjs builds it, and binds `eval`, at every render). */
  #builtins: Record<string, unknown> | undefined;

  /**
   * velocityjs's, for an engine kept with its template and rendered again and again (one engine
   * per template saves building one per call): every piece of per-render state starts afresh,
   * even after a render that threw half-way.
   */
  override render(context?: any): string {
    if (!this.#builtins) {
      const builtins: Record<string, unknown> = {
        stop: () => {
          this.runState.stop = true;
          return '';
        },
      };
      Object.defineProperty(builtins, 'eval', { value: this.eval.bind(this) });
      this.#builtins = builtins;
    }
    this.silence = false;
    this.context = context ?? {};
    this.macros = this.#builtins as typeof this.macros;
    this.defines = {};
    this.conditions = [];
    this.local = {};
    this.contextId = '';
    this.macrosStore = {};
    this.runState = { stop: false, break: false };
    this.#depth = 0;
    this.#loops = 0;
    return this.renderAstList();
  }

  /** velocityjs's, but `#break` and `#stop` end the list at once (velocityjs renders on to its end). */
  override renderAstList(asts?: any, contextId?: string): string {
    const list = (asts ?? this.asts) as any[];
    if (contextId) {
      if (contextId !== this.contextId && !this.conditions.includes(contextId)) this.conditions.unshift(contextId);
      this.contextId = contextId;
    } else this.contextId = '';
    let out = '';
    for (const ast of list) {
      if (this.runState.stop || this.runState.break) break;
      if (typeof ast === 'string') {
        out += ast;
        continue;
      }
      switch (ast.type) {
        case 'references':
          out += javaText(this.getReferences(ast, true));
          break;
        case 'set':
          this.setValue(ast);
          break;
        case 'break':
          this.runState.break = true;
          break;
        case 'macro_call':
          out += this.getMacro(ast);
          break;
        case 'comment':
          break;
        case 'raw':
          out += ast.value;
          break;
        default:
          out += this.getBlock(ast);
      }
      if (out.length > MAX_OUTPUT_CHARS)
        throw new VtlLimitError(`The evaluated mapping template is larger than ${MAX_OUTPUT_CHARS} characters (AppSync's limit is 5 MB).`);
    }
    return out;
  }

  /**
   * velocityjs's, less the lookup of every reference's printed text as a context key (a feature
   * templates never use, and the largest cost of rendering a reference), and with Velocity's
   * rendering of null.
   */
  protected override getReferences(ast: any, isVal?: boolean): any {
    if (ast.prue) {
      const define = this.defines[ast.id];
      if (isArray(define)) return this.renderAstList(define);
    }
    const id = toText(ast.id);
    const context = this.context;
    const blocked = id === '__proto__' || ((id === 'constructor' || id === 'prototype') && !hasOwn(context, id));
    let value: unknown = blocked ? undefined : context[id];
    if (value !== undefined && ast.args !== undefined) value = this.getPropMethod(ast, context, ast);
    // Outside #foreach and macros there are no locals: skip velocityjs's lookup (and its allocation).
    if (this.conditions.length > 0) {
      const local = (this as any).getLocal(ast) as { value: unknown; isLocal: boolean };
      if (local.isLocal) value = local.value;
    }
    if (isArray(ast.path)) {
      for (const property of ast.path) {
        if (value === undefined || value === null) {
          value = undefined;
          break;
        }
        if (property.type === 'property') {
          // `$a.b`, the common step, read here: velocityjs's getAttributes checks the key against a Set first.
          const key = toText(property.id);
          const guarded = key === '__proto__' || key === 'constructor' || key === 'prototype';
          value = guarded && !(typeof value === 'object' && hasOwn(value, key)) ? undefined : (value as Record<string, unknown>)[key];
        } else value = (this as any).getAttributes(property, value, ast);
      }
    }
    if (isVal && (value === undefined || value === null)) return ast.leader === '$!' ? '' : textOf(ast);
    return value;
  }

  /** velocityjs's, without its global reads (parseInt, Object.keys) and its table for booleans. */
  getLiteral(literal: any): any {
    switch (literal.type) {
      case 'string': {
        // A double-quoted string with a reference or directive in it is rendered (velocityjs's getString).
        const text = literal.value as string;
        return literal.isEval && (text.includes('#') || text.includes('$')) ? this.evalStr(text) : text;
      }
      case 'integer':
        return toInt(literal.value, 10);
      case 'decimal':
        return toFloat(literal.value);
      case 'array':
        return this.getArray(literal);
      case 'map': {
        const out: Record<string, unknown> = {};
        const map = (literal.value ?? {}) as Record<string, unknown>;
        for (const key of objectKeys(map)) out[key] = this.getLiteral(map[key]);
        return out;
      }
      case 'bool':
        return literal.value === 'true' ? true : literal.value === 'false' ? false : literal.value === 'null' ? null : undefined;
      default:
        return this.getReferences(literal);
    }
  }

  protected getPropMethod(property: any, baseRef: any, ast: any): unknown {
    const name = toText(property.id);
    const args = isArray(property.args) ? (property.args as Ast[]).map((arg) => this.getLiteral(arg as any) as unknown) : [];
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') return undefined;
    if (isMap(baseRef) && hasOwn(baseRef, name) && typeof baseRef[name] === 'function') {
      const result = (baseRef[name] as (...a: unknown[]) => unknown).apply(baseRef, args);
      return result === undefined ? VOID : result;
    }
    // `$foreach.hasNext()` (Amplify's update resolvers join their SET clauses with it); the getters
    // (`getCount()`, `isLast()`, ...) are the JavaBean rule below.
    if (name === 'hasNext' && args.length === 0 && isMap(baseRef) && foreachScopes.has(baseRef)) return baseRef.hasNext;
    const result = callJavaMethod(baseRef, name, args);
    if (result !== NO_METHOD) return result;
    // JavaBean getters: `$map.getFoo()` / `$map.isFoo()` read `foo`.
    const bean = /^(?:get|is)([A-Z].*)$/.exec(name);
    if (bean && isMap(baseRef) && args.length === 0) {
      const key = bean[1]!.charAt(0).toLowerCase() + bean[1]!.slice(1);
      return hasOwn(baseRef, key) ? baseRef[key] : undefined;
    }
    void ast;
    return undefined;
  }

  protected override getExpression(ast: any): any {
    if (ast.type !== 'math') return super.getExpression(ast);
    const [x, y] = ast.expression as any[];
    switch (ast.operator) {
      case '/':
      case '%': {
        const a = this.getExpression(x);
        const b = this.getExpression(y);
        if (typeof a !== 'number' || typeof b !== 'number') return null;
        if (isInteger(a) && isInteger(b)) {
          if (b === 0) return null;
          return ast.operator === '/' ? truncate(a / b) : a % b;
        }
        return ast.operator === '/' ? a / b : a % b;
      }
      case '==':
        return velocityEquals(this.getExpression(x), this.getExpression(y));
      case '!=':
        return !velocityEquals(this.getExpression(x), this.getExpression(y));
      case '&&':
        return truthy(this.getExpression(x)) && truthy(this.getExpression(y));
      case '||':
        return truthy(this.getExpression(x)) || truthy(this.getExpression(y));
      case 'not':
        return !truthy(this.getExpression(x));
      default:
        return super.getExpression(ast);
    }
  }

  getBlockIf(block: any[]): string {
    let received = false;
    const asts: any[] = [];
    block.some((ast) => {
      const hasCondition = ast.type === 'elseif' || ast.type === 'if';
      if (!(hasCondition || ast.type === 'else')) {
        if (received) asts.push(ast);
        return false;
      }
      if (received) return true;
      received = hasCondition ? truthy(this.getExpression(ast.condition)) : true;
      return false;
    });
    return this.renderAstList(asts, this.contextId);
  }

  getArray(literal: any): unknown[] {
    if (literal.isRange === true) {
      const [begin, end] = (literal.value as any[]).map((exp) =>
        typeof exp === 'string' ? parseInt(exp, 10) : typeof exp === 'number' ? exp : this.getReferences(exp),
      );
      if (typeof begin === 'number' && typeof end === 'number' && Math.abs(end - begin) + 1 > MAX_FOREACH_ITERATIONS) {
        throw new VtlLimitError(
          `The range [${begin}..${end}] has ${Math.abs(end - begin) + 1} elements; AppSync allows at most ${MAX_FOREACH_ITERATIONS} iterations per loop.`,
        );
      }
    }
    // velocityjs mixes its literal compiler's methods into Compile.prototype.
    return (Compile.prototype as unknown as { getArray(this: unknown, l: unknown): unknown[] }).getArray.call(this, literal);
  }

  getBlockEach(block: any[]): string {
    const ast = block[0];
    const from = this.getLiteral({ ...ast.from, pos: ast.pos }) as unknown;
    const body = block.slice(1);
    const name = ast.to as string;
    if (!from || typeof from !== 'object') return '';
    const items = isArray(from) ? from : objectValues(from as object);
    if (items.length > MAX_FOREACH_ITERATIONS) {
      throw new VtlLimitError(
        `#foreach would loop ${items.length} times at line ${ast.pos?.first_line ?? '?'}; ` +
          `AppSync allows at most ${MAX_FOREACH_ITERATIONS} iterations per loop.`,
      );
    }
    const local: Record<string, unknown> = {};
    const contextId = `foreach:${++this.#loops}`;
    let out = '';
    for (let i = 0; i < items.length; i++) {
      if (this.runState.break || this.runState.stop) break;
      local[name] = items[i];
      const scope = { count: i + 1, index: i, hasNext: i + 1 < items.length, first: i === 0, last: i + 1 === items.length };
      foreachScopes.add(scope);
      local.foreach = scope;
      local.velocityCount = i + 1;
      this.local[contextId] = local;
      out += this.renderAstList(body, contextId);
      if (out.length > MAX_OUTPUT_CHARS)
        throw new VtlLimitError(`The evaluated mapping template is larger than ${MAX_OUTPUT_CHARS} characters (AppSync's limit is 5 MB).`);
    }
    this.runState.break = false;
    if (items.length > 0) {
      this.local[contextId] = {};
      this.conditions.shift();
      this.contextId = this.conditions[0] ?? '';
    }
    return out;
  }

  protected override getMacro(ast: any, bodyContent?: string): string {
    if (ast.id === 'return' && !this.macrosStore.return) {
      const args = isArray(ast.args) ? (ast.args as any[]) : [];
      throw new VtlReturn(args.length > 0 ? (this.getLiteral(args[0]) ?? null) : null);
    }
    if (this.#depth >= MAX_MACRO_DEPTH)
      throw new VtlLimitError(`Macro #${toText(ast.id)} calls nest more than ${MAX_MACRO_DEPTH} deep (Velocity's velocimacro.max.depth).`);
    this.#depth++;
    try {
      return (super.getMacro as unknown as (this: unknown, a: unknown, b?: string) => string).call(this, ast, bodyContent);
    } finally {
      this.#depth--;
    }
  }

  protected override evalStr(str: string): string {
    let asts = stringAsts.get(str);
    if (!asts) {
      asts = parseTemplate(str);
      if (stringAsts.size >= MAX_CACHED_STRINGS) stringAsts.clear();
      stringAsts.set(str, asts);
    }
    return this.renderAstList(asts, this.contextId);
  }
}

/** `$x`'s own text, as Velocity renders a reference it cannot resolve. */
function textOf(ast: Ast): string {
  return Helper.getRefText(ast as never);
}

/**
 * Whether a template is just `$util.toJson($ctx.result)` (the most common response template, and
 * the default one): its value is `$ctx.result` itself, which came in as JSON, so rendering and
 * reading the text back can be skipped.
 */
export const passesResult = (text: string): boolean => /^\s*\$utils?\.toJson\(\s*\$(?:ctx|context)\.result\s*\)\s*$/.test(text);

/** What a rendering gives: the text, or the value of `#return`. */
export type Rendered = { text: string; returned: false } | { returned: true; value: unknown };

/** A parsed template, rendered once per handler call against fresh variables. */
export class VtlTemplate {
  readonly #engine: AppSyncVelocity;
  /** The template is just `$util.toJson($ctx.result)`: see {@link passesResult}. */
  readonly passesResult: boolean;
  /** `astJson`: the template parsed already (parseTemplate's tree as JSON), read instead of parsing `text` again. */
  constructor(text: string, astJson?: string) {
    this.#engine = new AppSyncVelocity(astJson === undefined ? parseTemplate(text) : (JSON.parse(astJson) as TemplateAst), { escape: false });
    this.passesResult = passesResult(text);
  }

  render(variables: Record<string, unknown>): Rendered {
    try {
      return { text: this.#engine.render(variables), returned: false };
    } catch (thrown) {
      if (thrown instanceof VtlReturn) return { returned: true, value: thrown.value };
      throw thrown;
    }
  }
}
