/**
 * VTL mapping templates the gateway evaluates itself (docs/resolvers.md#handlers-the-gateway-evaluates):
 * at load, a resolver's or pipeline function's request and response templates, parsed by the sandbox's own parser
 * (guest/vtl/parseTemplate.ts), are turned into closures when every node of both is in a small
 * subset whose meaning is exactly the sandbox engine's (guest/vtl/engine.ts: velocityjs with
 * AppSync's patches). The closures walk the template as the engine does, with the engine's own
 * pieces where they decide a value (Velocity's truthiness, `==`, how a value prints, how the text
 * is read as JSON) and the same `$util` functions, so a handler gives the sandbox's value or falls
 * back (evaluate.ts Fallback) and the sandbox answers, errors included.
 *
 * The subset: literal text, comments, `#[[raw]]#`; references `$x`, `$!x`, `${x}` rooted at
 * `$ctx`/`$context`, at a `#set` variable, at a loop's variables, or at a call of a listed
 * `$util`/`$utils` member (hostHelpers.ts VTL_UTIL_TABLE), with property, literal index and
 * read-only Java method steps (READ_ONLY_METHODS, called through the engine's own java.ts table);
 * `#set($name = …)` of a plain name and `#set($ctx.stash.name = …)`; `#if/#elseif/#else` (a branch
 * outside the subset is a guard: taken, it falls back); `#foreach` (its body likewise) and `#break`
 * inside it; `#return` and `#return(value)`; the Java mutators (MUTATORS) on a list or map the run
 * made (CtxSource.writable: the stash, literals of templates that write, a response's ctx.result);
 * literals (strings, double-quoted ones with references in them too, numbers, booleans, `null`,
 * lists, maps), `==`, `!=`, `&&`, `||`, `!`, `<`, `>`, `<=`, `>=`, `+`, `-`, `*`, `/`, `%`, unary `-`
 * and parentheses. Out of it, and left to the sandbox: macros, `#define`, `#stop`, ranges
 * (`[1..n]`), Java methods that take a regular expression, `#set` of another path, `$extensions`,
 * `$util` members that act on the run (`error`, `appendError`, `unauthorized`, `validate`, `log`)
 * or are not listed. What the subset writes is the stash and the lists and maps the run made,
 * never a shared object (identity, headers and the like are frozen copies shared by runs; a
 * mutator on any value the run did not make falls back); a template that may write says so
 * (GatewayModule.writesStash), and execute.ts carries the stash across a hand-over
 * (stashText.ts). Every loop iteration, node and copy is paid for from the same budget as the JS
 * evaluator's (evaluate.ts MAX_UNITS), and text is capped at the engine's 5 MB, so a template that
 * loops forever or builds a huge list falls back and the sandbox's limits decide.
 */
import { Helper as VelocityHelper } from 'velocityjs';
import { javaText, MAX_FOREACH_ITERATIONS, MAX_OUTPUT_CHARS, passesResult, truthy, velocityEquals } from '../guest/vtl/engine.js';
import { callJavaMethod, NO_METHOD } from '../guest/vtl/java.js';
import { parseTemplate, type TemplateAst } from '../guest/vtl/parseTemplate.js';
import { parseRenderedJson, RenderedJsonError } from '../guest/vtl/renderedJson.js';
import {
  callHelper,
  Fallback,
  madeString,
  MAX_UNITS,
  ON_OBJECT,
  protoMask,
  readMember,
  spend,
  toResult,
  type CtxSource,
  type Frame,
  type Node,
} from './evaluate.js';
import { isHelper, VTL_UTIL_TABLE, type Helper, type HelperTable } from './hostHelpers.js';
import { checkListCall, checkMapCall, MUTATORS, PAIRWISE_HELPERS, payFor, sizeOf, writable } from './vtlMutators.js';
import { EARLY_FRAME_EXTRA, EarlyReturn, type Analysis, type GatewayHandler } from './subset.js';

/** A template's text, and its tree when the load has it already (the template cache's JSON). */
export interface TemplateSource {
  text: string;
  astJson?: string;
}

// velocityjs's AST, read loosely (its types do not name every field the parser sets).
type Ast = Record<string, any>;

/** Why a template is outside the subset; caught once per resolver and reported as its reason. */
class NotEligible {
  constructor(readonly reason: string) {}
}

/** `#return`: thrown through the evaluation with its value, as the engine's VtlReturn. */
class Returned {
  constructor(readonly value: unknown) {}
}

/** Names the sandbox's variables object holds (or would read from Object.prototype): never a `#set` variable here. */
const RESERVED = new Set(['ctx', 'context', 'util', 'utils', 'extensions', 'foreach', 'velocityCount', '__proto__', 'constructor', 'prototype']);
/** Keys velocityjs and the engine read by special rules (blocked unless own, or always). */
const GUARDED = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Java methods on values (guest/vtl/java.ts) that change nothing and whose work is bounded by what
 * they are given, for every Java type that has them: called through the engine's own table. Left
 * out: the mutators (`add`, `put`, `remove`, `set`, `clear`…), the regular expressions (`matches`,
 * `replaceAll`, `replaceFirst`, `split`) and `replace` (its result can be far larger than its input).
 */
const READ_ONLY_METHODS = new Set([
  'length',
  'size',
  'isEmpty',
  'contains',
  'containsKey',
  'containsValue',
  'startsWith',
  'endsWith',
  'indexOf',
  'lastIndexOf',
  'charAt',
  'substring',
  'subList',
  'trim',
  'toLowerCase',
  'toUpperCase',
  'equals',
  'equalsIgnoreCase',
  'concat',
  'get',
  'keySet',
  'values',
  'entrySet',
  'getKey',
  'getValue',
  'intValue',
  'longValue',
  'doubleValue',
  'floatValue',
  'booleanValue',
  'toString',
  'hashCode',
]);
/** The engine's JavaBean getters: `$m.getName()` / `$m.isDone()` read `name` / `done` of a map. */
const BEAN_GETTER = /^(?:get|is)([A-Z].*)$/;
/** The `$foreach` objects of loops evaluated here (`$foreach.hasNext()` is a method of them only, as in the engine). */
const foreachScopes = new WeakSet<object>();

/** A `#foreach` the compiler is inside: the slots of its variable, `$foreach` and `$velocityCount`. */
interface Loop {
  name: string;
  item: number;
  scope: number;
  count: number;
}

/** A piece of a template: its text (a directive's is empty). */
type Render = (f: Frame) => string;

class Compiler {
  readonly slots = new Map<string, number>();
  /** The `#foreach` blocks around what is being compiled, innermost last. */
  readonly loops: Loop[] = [];
  /** Inside a double-quoted string (where `#break` is refused: its text is rendered apart). */
  inString = 0;
  /** Whether the template calls a Java mutator or sets a stash path (it may write the stash). */
  writes = false;
  /** Read at run time: set once the whole template is compiled, when it writes (its literals are then marked as the run's own). */
  readonly marks = { literals: false };

  refuse(ast: Ast | undefined, what: string): never {
    const at = ast?.pos?.first_line;
    throw new NotEligible(`${at !== undefined ? `line ${at}: ` : ''}${what}`);
  }

  slot(name: string): number {
    let slot = this.slots.get(name);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(name, slot);
    }
    return slot;
  }

  /** The engine's renderAstList over `list`: each item's text in turn, refused past 5 MB (the engine's VtlLimitError). */
  list(list: ReadonlyArray<Ast | string>): Render {
    const items = list.map((item) => this.item(item));
    if (items.length === 1) {
      const only = items[0]!;
      return (f) => {
        const out = only(f);
        if (out.length > MAX_OUTPUT_CHARS) throw new Fallback('the rendered text is longer than the limit');
        return out;
      };
    }
    return (f) => {
      let out = '';
      for (let i = 0; i < items.length; i++) {
        out += items[i]!(f);
        if (out.length > MAX_OUTPUT_CHARS) throw new Fallback('the rendered text is longer than the limit');
        // `#break`: the engine's renderAstList stops every list up to the loop's.
        if (f.broke === true) break;
      }
      return out;
    };
  }

  item(ast: Ast | string): Render {
    if (typeof ast === 'string') return () => ast;
    if (Array.isArray(ast)) return this.block(ast);
    switch (ast.type) {
      case 'references':
        return this.rendered(ast);
      case 'set':
        return this.set(ast);
      case 'comment':
        return () => '';
      case 'break':
        if (this.loops.length === 0 || this.inString > 0) return this.refuse(ast, '#break outside a #foreach');
        return (f) => {
          f.broke = true;
          return '';
        };
      case 'raw': {
        const text = String(ast.value);
        return () => text;
      }
      case 'macro_call':
        if (ast.id === 'return') return this.return(ast);
        return this.refuse(ast, `#${String(ast.id)}`);
      default:
        return this.refuse(ast, `#${String(ast.type)}`);
    }
  }

  block(block: Ast[]): Render {
    const head = block[0] as Ast;
    if (head?.type === 'foreach') return this.foreach(block);
    if (head?.type !== 'if') return this.refuse(head, `#${String(head?.type)}`);
    // [#if, body…, #elseif, body…, #else, body…] as the engine's getBlockIf reads it.
    const branches: Array<{ test: Node | undefined; body: Array<Ast | string> }> = [];
    for (const ast of block) {
      if (typeof ast === 'object' && !Array.isArray(ast) && (ast.type === 'if' || ast.type === 'elseif')) {
        branches.push({ test: this.expression(ast.condition), body: [] });
      } else if (typeof ast === 'object' && !Array.isArray(ast) && ast.type === 'else') branches.push({ test: undefined, body: [] });
      else branches[branches.length - 1]!.body.push(ast);
    }
    const compiled = branches.map((b) => ({ test: b.test, body: this.guarded(b.body) }));
    return (f) => {
      spend(f, 1);
      for (const { test, body } of compiled) {
        if (test === undefined || truthy(test(f))) return body(f);
      }
      return '';
    };
  }

  /**
   * `#foreach($x in …)` as the engine's getBlockEach: a list's elements (read live: a body that adds
   * to the list it loops over loops on, and pays for it) or a map's values, with `$x`, `$foreach`
   * and `$velocityCount` the loop's own variables (each loop its own slots: the engine's locals are
   * found innermost first, as the compiler finds them here); anything else loops zero times. More
   * than AppSync's 1,000 items falls back (the sandbox reports the MappingTemplate error). A body
   * outside the subset is a guard, as a branch's is.
   */
  foreach(block: Ast[]): Render {
    const head = block[0] as Ast;
    const name = String(head.to);
    if (RESERVED.has(name) || (protoMask(name) & ON_OBJECT) !== 0) return this.refuse(head, `#foreach($${name} in …)`);
    if (this.loops.some((loop) => loop.name === name)) return this.refuse(head, `a #foreach($${name}) inside one over the same name`);
    const from = this.literal(head.from as Ast);
    const depth = this.loops.length;
    // Names no template variable can have: each loop's variables are apart from the template's.
    const loop: Loop = { name, item: this.slot(`#${depth}:${name}`), scope: this.slot(`#${depth}:foreach`), count: this.slot(`#${depth}:velocityCount`) };
    this.loops.push(loop);
    let body: Render;
    try {
      body = this.guarded(block.slice(1));
    } finally {
      this.loops.pop();
    }
    const { item, scope, count } = loop;
    return (f) => {
      spend(f, 1);
      const value = from(f);
      if (!value || typeof value !== 'object') return '';
      let items: unknown[];
      if (Array.isArray(value)) items = value;
      else {
        spend(f, Object.keys(value).length);
        items = Object.values(value);
      }
      if (items.length > MAX_FOREACH_ITERATIONS) throw new Fallback('a #foreach over more items than AppSync allows');
      let out = '';
      for (let i = 0; i < items.length; i++) {
        if (f.broke === true) break;
        spend(f, 1);
        const at = { count: i + 1, index: i, hasNext: i + 1 < items.length, first: i === 0, last: i + 1 === items.length };
        foreachScopes.add(at);
        f.slots[item] = items[i];
        f.slots[scope] = at;
        f.slots[count] = i + 1;
        out += body(f);
        if (out.length > MAX_OUTPUT_CHARS) throw new Fallback('the rendered text is longer than the limit');
      }
      f.broke = false;
      // After the loop its variables are gone (the engine empties its locals).
      f.slots[item] = f.slots[scope] = f.slots[count] = undefined;
      return out;
    };
  }

  /** The innermost loop whose variable `name` is (`foreach` and `velocityCount`: the innermost loop). */
  loopOf(name: string): Loop | undefined {
    for (let i = this.loops.length - 1; i >= 0; i--) {
      const loop = this.loops[i]!;
      if (name === 'foreach' || name === 'velocityCount' || loop.name === name) return loop;
    }
    return undefined;
  }

  /**
   * A branch's body; one outside the subset is a **guard** (`#if($ctx.error)$util.error(…)#end`):
   * when its branch is taken, the handler falls back and the sandbox renders the template from its
   * start, from the stash as it stood before it (execute.ts): the subset acts on nothing else.
   */
  guarded(body: Array<Ast | string>): Render {
    try {
      return this.list(body);
    } catch (error) {
      if (!(error instanceof NotEligible)) throw error;
      const reason = `a branch the sandbox renders (${error.reason})`;
      return () => {
        throw new Fallback(reason);
      };
    }
  }

  set(ast: Ast): Render {
    const [target, source] = ast.equal as [Ast, Ast];
    const name = String(target.id);
    if (target.path !== undefined && target.args === undefined && (name === 'ctx' || name === 'context')) return this.setStash(ast, target, source);
    if (target.path !== undefined || target.args !== undefined) return this.refuse(ast, `#set of a path ($${name}.…)`);
    if (RESERVED.has(name) || (protoMask(name) & ON_OBJECT) !== 0) return this.refuse(ast, `#set($${name})`);
    if (this.loopOf(name)?.name === name) return this.refuse(ast, `#set of the #foreach variable $${name}`);
    const slot = this.slot(name);
    const value = this.expression(source);
    return (f) => {
      spend(f, 1);
      f.slots[slot] = value(f);
      return '';
    };
  }

  /**
   * `#set($ctx.stash.name = value)`: velocityjs's setValue along the path, which here is always the
   * run's stash (it has every key a map has, and names a prototype has are refused).
   */
  setStash(ast: Ast, target: Ast, source: Ast): Render {
    const path = target.path as Ast[];
    if (path.length !== 2 || path[0]!.type !== 'property' || String(path[0]!.id) !== 'stash')
      return this.refuse(ast, '#set of a $ctx path other than $ctx.stash.name');
    const key = this.stepKey(ast, path[1]!);
    if (key === '__proto__' || (protoMask(key) & ON_OBJECT) !== 0) return this.refuse(ast, `#set($ctx.stash.${key})`);
    const value = this.expression(source);
    this.writes = true;
    return (f) => {
      spend(f, 1);
      const v = value(f);
      (f.ctx.root('stash') as Record<string, unknown>)[key] = v;
      f.weights = undefined;
      return '';
    };
  }

  return(ast: Ast): Render {
    const args = Array.isArray(ast.args) ? (ast.args as Ast[]) : [];
    const value = args.length > 0 ? this.literal(args[0]!) : undefined;
    return (f) => {
      throw new Returned(value === undefined ? null : (value(f) ?? null));
    };
  }

  /** A reference as the engine renders it: null and undefined as its own text, or nothing after `$!`. */
  rendered(ast: Ast): Render {
    const value = this.reference(ast);
    const silent = ast.leader === '$!';
    const text = silent ? '' : VelocityHelper.getRefText(ast as never);
    return (f) => {
      const v = value(f);
      if (v === undefined || v === null) return text;
      if (typeof v === 'object') payFor(f, v);
      else if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw new Fallback(`a ${typeof v} rendered`);
      return madeString(f, String(javaText(v)));
    };
  }

  /** The engine's getExpression: operators, else a literal. */
  expression(ast: Ast): Node {
    if (ast.type !== 'math') return this.literal(ast);
    const [x, y] = (ast.expression as Ast[]).map((e) => this.expression(e)) as [Node, Node | undefined];
    const op = String(ast.operator);
    switch (op) {
      case 'parenthesis':
        return x;
      case 'not':
        return (f) => !truthy(x(f));
      case 'minus':
        return (f) => {
          const a = x(f);
          if (typeof a !== 'number') throw new Fallback('unary - of a value that is not a number');
          return -a;
        };
    }
    if (y === undefined) return this.refuse(ast, `the operator ${op}`);
    switch (op) {
      case '&&':
        return (f) => truthy(x(f)) && truthy(y(f));
      case '||':
        return (f) => truthy(x(f)) || truthy(y(f));
      case '==':
        return (f) => velocityEquals(x(f), y(f));
      case '!=':
        return (f) => !velocityEquals(x(f), y(f));
      case '+':
        return (f) => {
          const a = x(f);
          const b = y(f);
          if (typeof a === 'number' && typeof b === 'number') return a + b;
          if (typeof a === 'string' && typeof b === 'string') return madeString(f, a + b);
          throw new Fallback('+ of values other than two numbers or two strings');
        };
      case '-':
      case '*':
        return (f) => {
          const a = x(f);
          const b = y(f);
          if (typeof a !== 'number' || typeof b !== 'number') throw new Fallback(`${op} of values other than numbers`);
          return op === '-' ? a - b : a * b;
        };
      case '/':
      case '%':
        // The engine's: null for other values and an integer division by zero; integers truncate as Java's.
        return (f) => {
          const a = x(f);
          const b = y(f);
          if (typeof a !== 'number' || typeof b !== 'number') return null;
          if (Number.isInteger(a) && Number.isInteger(b)) {
            if (b === 0) return null;
            return op === '/' ? Math.trunc(a / b) : a % b;
          }
          return op === '/' ? a / b : a % b;
        };
      case '<':
      case '>':
      case '<=':
      case '>=':
        return (f) => {
          const a = x(f);
          const b = y(f);
          if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
            throw new Fallback(`${op} of values other than two numbers or two strings`);
          }
          if (typeof a === 'string') spend(f, 1 + (Math.min(a.length, (b as string).length) >> 6));
          return op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
        };
      default:
        return this.refuse(ast, `the operator ${op}`);
    }
  }

  /** The engine's getLiteral. */
  literal(ast: Ast): Node {
    switch (ast.type) {
      case 'string': {
        const text = String(ast.value);
        if (!(ast.isEval === true && (text.includes('#') || text.includes('$')))) return () => text;
        // A double-quoted string with references in it is rendered as a template (the engine's evalStr).
        let parsed: TemplateAst;
        try {
          parsed = parseTemplate(text);
        } catch {
          return this.refuse(ast, 'a string that does not parse as a template');
        }
        this.inString++;
        let render: Render;
        try {
          render = this.list(parsed as Array<Ast | string>);
        } finally {
          this.inString--;
        }
        return (f) => madeString(f, render(f));
      }
      case 'integer': {
        const value = parseInt(ast.value, 10);
        return () => value;
      }
      case 'decimal': {
        const value = parseFloat(ast.value);
        return () => value;
      }
      case 'bool': {
        const value = ast.value === 'true' ? true : ast.value === 'false' ? false : ast.value === 'null' ? null : undefined;
        return () => value;
      }
      case 'array': {
        if (ast.isRange === true) return this.refuse(ast, 'a range [a..b]');
        const items = (ast.value as Ast[]).map((item) => this.literal(item));
        const { marks } = this;
        return (f) => {
          spend(f, 1 + items.length);
          const out = new Array<unknown>(items.length);
          for (let i = 0; i < items.length; i++) out[i] = items[i]!(f);
          if (marks.literals) f.ctx.writable?.add(out);
          return out;
        };
      }
      case 'map': {
        const map = (ast.value ?? {}) as Record<string, Ast>;
        const keys = Object.keys(map);
        if (keys.some((key) => GUARDED.has(key))) return this.refuse(ast, 'a map key __proto__, constructor or prototype');
        const values = keys.map((key) => this.literal(map[key]!));
        const { marks } = this;
        return (f) => {
          spend(f, 1 + keys.length);
          const out: Record<string, unknown> = {};
          for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i]!(f);
          if (marks.literals) f.ctx.writable?.add(out);
          return out;
        };
      }
      case 'references':
        return this.reference(ast);
      default:
        return this.refuse(ast, `${String(ast.type)} where a value is read`);
    }
  }

  /** A reference's value (the engine's getReferences without rendering): undefined where a step meets null or undefined. */
  reference(ast: Ast): Node {
    const id = String(ast.id);
    if (ast.args !== undefined) return this.refuse(ast, `$${id}(…)`);
    const path = (Array.isArray(ast.path) ? ast.path : []) as Ast[];
    if (id === 'util' || id === 'utils') return this.utilCall(ast, path);
    if (id === 'ctx' || id === 'context') return this.ctxPath(ast, path);
    const loop = this.loopOf(id);
    if (loop !== undefined) {
      const slot = id === 'foreach' ? loop.scope : id === 'velocityCount' ? loop.count : loop.item;
      return this.steps(ast, (f) => f.slots[slot], path);
    }
    if (RESERVED.has(id) || (protoMask(id) & ON_OBJECT) !== 0) return this.refuse(ast, `$${id}`);
    const slot = this.slot(id);
    return this.steps(ast, (f) => f.slots[slot], path);
  }

  ctxPath(ast: Ast, path: Ast[]): Node {
    if (path.length === 0) return (f) => f.ctx.whole();
    const first = path[0]!;
    const name = this.stepKey(ast, first);
    // The sandbox's ctx is a plain object: a name Object.prototype has would read its member there.
    if ((protoMask(name) & ON_OBJECT) !== 0) return this.refuse(ast, `$ctx.${name}`);
    return this.steps(ast, (f) => f.ctx.root(name), path.slice(1));
  }

  /** A property or literal index step's key; anything else is refused. */
  stepKey(ast: Ast, step: Ast): string {
    let key: string;
    if (step.type === 'property') key = String(step.id);
    else if (step.type === 'index' && (step.id?.type === 'integer' || step.id?.type === 'string')) key = String(step.id.value);
    else if (step.type === 'method') return this.refuse(ast, `the method ${String(step.id)}() there`);
    else return this.refuse(ast, 'an index that is not a literal');
    if (GUARDED.has(key)) return this.refuse(ast, `the key ${key}`);
    return key;
  }

  /**
   * Property, literal index and read-only method steps from `base` on, as the engine takes them: a
   * null or undefined value ends the path as undefined.
   */
  steps(ast: Ast, base: Node, path: Ast[]): Node {
    if (path.length === 0) return base;
    const steps = path.map((step) => (step.type === 'method' ? this.method(ast, step) : this.read(this.stepKey(ast, step))));
    return (f) => {
      let value = base(f);
      for (let i = 0; i < steps.length; i++) {
        if (value === undefined || value === null) return undefined;
        value = steps[i]!(f, value);
      }
      return value;
    };
  }

  read(key: string): (f: Frame, value: unknown) => unknown {
    const mask = protoMask(key);
    // Own members of plain values, and keys no built-in prototype has: readMember falls back on the rest.
    return (_f, value) => readMember(value, key, mask);
  }

  /** `.name(args)` on a value: the engine's getPropMethod for a read-only Java method or a JavaBean getter. */
  method(ast: Ast, step: Ast): (f: Frame, value: unknown) => unknown {
    const name = String(step.id);
    const getter = BEAN_GETTER.exec(name);
    const args = (Array.isArray(step.args) ? (step.args as Ast[]) : []).map((arg) => this.literal(arg));
    if (MUTATORS.has(name)) return this.mutator(name, args);
    if (name === 'hasNext' && args.length === 0) {
      // The engine's: a method of `$foreach` objects only; on any other value, no such Java method.
      return (f, value) => {
        spend(f, 1);
        return typeof value === 'object' && value !== null && foreachScopes.has(value) ? (value as { hasNext: unknown }).hasNext : undefined;
      };
    }
    if (!READ_ONLY_METHODS.has(name) && !getter) return this.refuse(ast, `the method ${name}()`);
    const key = getter ? getter[1]!.charAt(0).toLowerCase() + getter[1]!.slice(1) : undefined;
    return (f, value) => {
      spend(f, 1);
      const values = new Array<unknown>(args.length);
      for (let i = 0; i < args.length; i++) {
        values[i] = args[i]!(f);
        payFor(f, values[i]);
      }
      payFor(f, value);
      // The engine calls a function member of a map as it is: no JSON value has one.
      if (typeof value === 'object' && Object.hasOwn(value as object, name) && typeof (value as Record<string, unknown>)[name] === 'function') {
        throw new Fallback(`a map with a function ${name}`);
      }
      const result = callJavaMethod(value, name, values);
      if (result !== NO_METHOD) return typeof result === 'string' ? madeString(f, result) : result;
      if (key !== undefined && values.length === 0 && typeof value === 'object' && !Array.isArray(value)) {
        return Object.hasOwn(value as object, key) ? (value as Record<string, unknown>)[key] : undefined;
      }
      return undefined;
    };
  }

  /**
   * A Java mutator (`$map.put(k, v)`, `$list.add(x)`…) through the engine's own table, on a value
   * the run made; on a string, number or boolean it is the engine's no-such-method (undefined). Each
   * is paid for by what it copies or searches before it runs, and a key a built-in prototype has,
   * or an index outside the list, falls back (the sandbox decides those). The measured sizes of
   * this call's values are forgotten: they may have changed.
   */
  mutator(name: string, args: Node[]): (f: Frame, value: unknown) => unknown {
    this.writes = true;
    return (f, value) => {
      spend(f, 1);
      const values = new Array<unknown>(args.length);
      for (let i = 0; i < args.length; i++) values[i] = args[i]!(f);
      if (typeof value !== 'object' || value === null) {
        if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') throw new Fallback(`${name}() on a ${typeof value}`);
        return undefined;
      }
      if (!writable(f, value)) throw new Fallback(`${name}() on a value the handler's run did not make`);
      if (Array.isArray(value)) checkListCall(f, name, value, values);
      else checkMapCall(f, name, value as Record<string, unknown>, values);
      f.weights = undefined;
      const result = callJavaMethod(value, name, values);
      return result === NO_METHOD ? undefined : result;
    };
  }

  /** `$util.a.b(args)` followed by property steps: a listed helper, called as the engine calls it. */
  utilCall(ast: Ast, path: Ast[]): Node {
    let entry: Helper | HelperTable = VTL_UTIL_TABLE;
    let at = 0;
    for (; at < path.length; at++) {
      const step = path[at]!;
      const name = String(step.id);
      const member: Helper | HelperTable | undefined = isHelper(entry) ? undefined : entry.members.get(name);
      if (member === undefined) return this.refuse(ast, `$util…${name}, which is not evaluated in the gateway`);
      if (step.type === 'method') {
        if (!isHelper(member)) return this.refuse(ast, `$util…${name}() of a namespace`);
        entry = member;
        break;
      }
      if (step.type !== 'property' || isHelper(member)) return this.refuse(ast, `$util…${name} as a value`);
      entry = member;
    }
    if (!isHelper(entry)) return this.refuse(ast, '$util as a value');
    const helper = entry;
    const pairwise = PAIRWISE_HELPERS.has(helper.path);
    const args = (Array.isArray(path[at]!.args) ? (path[at]!.args as Ast[]) : []).map((arg) => this.literal(arg));
    const call: Node = (f) => {
      spend(f, 1);
      const values = new Array<unknown>(args.length);
      for (let i = 0; i < args.length; i++) {
        values[i] = args[i]!(f);
        payFor(f, values[i]);
      }
      if (pairwise) spend(f, sizeOf(values[0]) * sizeOf(values[1]));
      const result = callHelper(f, helper, values);
      // The engine renders a void method as nothing.
      return result === undefined ? '' : result;
    };
    return this.steps(ast, call, path.slice(at + 1));
  }
}

/** One template's handler; `isRequest` gives `#return` its meaning there (skip the data source and the response). */
function handlerOf(source: TemplateSource, isRequest: boolean, compiler: Compiler): GatewayHandler {
  // The sandbox does not render such a response template: its value is ctx.result (engine.ts passesResult).
  if (!isRequest && passesResult(source.text)) {
    return { run: (ctx: CtxSource, maxChars: number) => toResult(frame(ctx, 0), ctx.root('result') ?? null, maxChars) };
  }
  const ast = (source.astJson !== undefined ? JSON.parse(source.astJson) : parseTemplate(source.text)) as Array<Ast | string>;
  const body = compiler.list(ast);
  compiler.marks.literals = compiler.writes;
  return {
    run(ctx: CtxSource, maxChars: number): unknown {
      const f = frame(ctx, compiler.slots.size);
      let text: string;
      try {
        text = body(f);
      } catch (thrown) {
        if (!(thrown instanceof Returned)) throw thrown;
        if (isRequest) return new EarlyReturn(toResult(f, thrown.value, maxChars - EARLY_FRAME_EXTRA), null);
        return toResult(f, thrown.value, maxChars);
      }
      let value: unknown;
      try {
        spend(f, 1 + (text.length >> 6));
        value = parseRenderedJson(text, JSON.parse);
      } catch (error) {
        // The sandbox words the error as AppSync does (MappingTemplate).
        if (error instanceof RenderedJsonError) throw new Fallback('the rendered template is not JSON');
        throw error;
      }
      const result = toResult(f, value, maxChars);
      // A 2017-02-28 request changes what the run does with the data source's answer: the sandbox's rules.
      if (isRequest && typeof result === 'object' && result !== null && (result as { version?: unknown }).version === '2017-02-28') {
        throw new Fallback('a 2017-02-28 request template');
      }
      return result;
    },
  };
}

function frame(ctx: CtxSource, slots: number): Frame {
  return { slots: new Array<unknown>(slots), ctx, units: MAX_UNITS, weights: undefined, broke: false };
}

/**
 * Analyses a VTL resolver's templates (the response absent: the default `$util.toJson($ctx.result)`):
 * its handlers when both are in the subset, else the first reason one is not.
 */
export function analyseTemplates(request: TemplateSource, response: TemplateSource | null): Analysis {
  // Each template its own variables, as each render has its own variables object in the sandbox.
  let writes = false;
  const compile = (source: TemplateSource, isRequest: boolean): GatewayHandler | string => {
    try {
      const compiler = new Compiler();
      const handler = handlerOf(source, isRequest, compiler);
      writes ||= compiler.writes;
      return handler;
    } catch (error) {
      if (error instanceof NotEligible) return `the ${isRequest ? 'request' : 'response'} template: ${error.reason}`;
      throw error;
    }
  };
  const requestHandler = compile(request, true);
  if (typeof requestHandler === 'string') return { reason: requestHandler };
  const responseHandler = compile(response ?? { text: DEFAULT_RESPONSE_TEMPLATE }, false);
  if (typeof responseHandler === 'string') return { reason: responseHandler };
  return { module: { request: requestHandler, response: responseHandler, writesStash: writes } };
}

/** What a resolver without a response template renders (guest/prelude.ts registerVtl). */
const DEFAULT_RESPONSE_TEMPLATE = '$util.toJson($ctx.result)';
