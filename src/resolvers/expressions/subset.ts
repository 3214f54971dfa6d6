/**
 * Load-time analysis of an APPSYNC_JS file for the subset the gateway evaluates itself
 * (docs/resolvers.md#handlers-the-gateway-evaluates): either a compiled pair of handlers (a tree of
 * closures made from acorn's syntax tree, evaluate.ts) or the reason the file is not eligible.
 * The user's code is never run as JavaScript in the gateway: only these closures walk it.
 */
import type { Node as AcornNode } from 'acorn';
import { acornModules } from '../appsync-js/acorn.js';
import { isTypeScript, stripTypes } from '../appsync-js/stripTypes.js';
import {
  add,
  arithmetic,
  callHelper,
  callStringMethod,
  compare,
  deepFreeze,
  destructureArray,
  Fallback,
  jsonParse,
  jsonStringify,
  MAX_UNITS,
  madeString,
  ON_OBJECT,
  mapArray,
  objectMembers,
  protoMask,
  put,
  readMember,
  SHORT,
  spend,
  spreadArray,
  spreadInto,
  STRING_METHODS,
  strictEquals,
  templateText,
  toNumber,
  toResult,
  toText,
  type CtxSource,
  type Frame,
  type Node,
} from './evaluate.js';
import { handsOverOnEveryRun, patternNames } from './handsOver.js';
import { HOST_MODULES, isHelper, SQL_TAG, UTIL_TABLE, type Helper, type HelperTable } from './hostHelpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- acorn's tree is read by node type
type AnyNode = AcornNode & Record<string, any>;

/** One handler compiled: run it with a ctx to get its value (not yet made JSON), or a thrown Fallback. */
export interface GatewayHandler {
  /**
   * The handler's value as the sandbox would hand it back (made JSON, at most `maxChars` of it), or
   * a thrown Fallback. A request handler that called `runtime.earlyReturn` gives an `EarlyReturn`
   * (its value made JSON the same way); in a response handler that call falls back.
   */
  run(ctx: CtxSource, maxChars: number): unknown;
}

/**
 * `runtime.earlyReturn(value, { skipTo })`: thrown through the evaluation with the value as given,
 * and handed to the caller by a request handler's `run` with the value made JSON.
 */
export class EarlyReturn {
  constructor(
    readonly value: unknown,
    readonly skipTo: 'END' | 'NEXT' | null,
  ) {}
}

/**
 * What the sandbox's answer frame of an early return (`{"k":"early","v":…,"skipTo":"NEXT"}`)
 * adds to that of a value (`{"k":"ok","v":…}`): the result limit counts it.
 */
export const EARLY_FRAME_EXTRA = 19;
const SKIP_TO_MASK = protoMask('skipTo');

/** A file's two handlers, both in the subset. */
export interface GatewayModule {
  request: GatewayHandler;
  response: GatewayHandler;
  /**
   * Whether a handler may write the stash (`ctx.stash.<key> = …`; in VTL a Java mutator or a
   * `#set($ctx.stash.x = …)`): once such a resolver called a data source other than NONE, execute.ts
   * takes the stash after each handler, to give it to a sandbox run opened at a hand-over.
   */
  writesStash: boolean;
}

export type Analysis = { module: GatewayModule; reason?: undefined } | { module?: undefined; reason: string };

/** Why a construct is outside the subset; caught once per file and reported as its reason. */
class NotEligible {
  constructor(readonly reason: string) {}
}

const line = (node: AnyNode, source: string): number => source.slice(0, node.start).split('\n').length;

type Binding =
  /** `owned`: a const bound to an object literal, a fresh object of this call that member writes may change. */
  | { kind: 'slot'; slot: number; owned?: boolean }
  | { kind: 'ctx' }
  | { kind: 'helpers'; entry: Helper | HelperTable }
  | { kind: 'refused'; name: string }
  | { kind: 'handler' }
  | { kind: 'function'; fn: LocalFunction }
  | { kind: 'runtime' }
  | { kind: 'builtin'; name: 'Number' | 'String' }
  | { kind: 'namespace'; name: 'Object' | 'JSON' }
  | { kind: 'declaredLater' };

/** The members of the built-in namespaces the subset calls (each with exactly one argument). */
const NAMESPACE_MEMBERS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['Object', new Set(['keys', 'values', 'entries'])],
  ['JSON', new Set(['stringify', 'parse'])],
]);

/**
 * A top-level function of the file other than the handlers (`function f(a) { … }`, `const f = (a) => …`),
 * called by name from a handler or another such function. No function is active twice at once
 * (recursion is refused), so its parameters and locals have fixed slots of the call's frame.
 */
interface LocalFunction {
  name: string;
  node: AnyNode;
  /** The parameters' slots, in order. */
  params: number[];
  /** Compiled once every top-level name is known. */
  body: Node | undefined;
  /** Work units a call spends before its body runs: one, plus one per syntax node of the function. */
  cost: number;
  /** The functions of the file its body calls. */
  calls: Set<LocalFunction>;
}

/**
 * Deepest chain of calls between the file's functions. Without recursion a chain is at most as long
 * as the file has functions; the limit keeps the evaluator's own stack small (deeper files go to the sandbox).
 */
export const MAX_CALL_DEPTH = 16;

/** Names visible at one point: the module's, then a handler's (consts are visible after their declaration only). */
class Scope {
  readonly names = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}
  lookup(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
}

const CONSTANT_UNDEFINED: Node = () => undefined;
/** What a handler's statement gives when the handler goes on to its next one. */
const CONTINUE: unique symbol = Symbol('continue');
const CONTINUE_NODE: Node = () => CONTINUE;
/** The assignment operators of a member write (`memberWrite`). */
const WRITE_OPERATORS: ReadonlySet<string> = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&&=', '||=', '??=']);

/** Compiles one file's syntax tree; throws NotEligible. */
class Compiler {
  slotCount = 0;
  /** Top-level constants evaluated per call (those that are not plain literals), in order. */
  readonly moduleInits: Array<{ slot: number; node: Node }> = [];
  /** Top-level constants made of literals only: evaluated once, frozen, shared by every call. */
  readonly moduleStatics: Array<{ slot: number; value: unknown }> = [];
  readonly handlers = new Map<string, { params: AnyNode[]; body: AnyNode; expression: boolean }>();
  /** `runtime` is a global of the sandbox as well as an export of @aws-appsync/utils. */
  readonly globals = new Scope();
  readonly module = new Scope(this.globals);
  /** The file's own functions, by name. */
  readonly localFunctions = new Map<string, LocalFunction>();
  /** The function whose body is being compiled (its calls are recorded), or undefined (a handler, a top-level constant). */
  compilingFunction: LocalFunction | undefined;
  /** True while a top-level constant's initialiser is compiled: it may not call the file's functions. */
  atTopLevel = false;
  /** Whether a handler writes `ctx.stash.<key>` (GatewayModule.writesStash). */
  writesStash = false;
  /** What the proof that a handler hands over on every run reads (handsOver.ts): guards, early returns, stash writes. */
  readonly guards = new Set<AnyNode>();
  readonly earlyReturns = new Set<AnyNode>();
  readonly stashWrites = new Set<AnyNode>();
  /** Names a member write anywhere in the file targets (`name.key = …`): such top-level constants are not shared between calls. */
  readonly writtenNames = new Set<string>();

  constructor(readonly source: string) {
    this.globals.names.set('runtime', { kind: 'runtime' });
    this.globals.names.set('Number', { kind: 'builtin', name: 'Number' });
    this.globals.names.set('String', { kind: 'builtin', name: 'String' });
    this.globals.names.set('Object', { kind: 'namespace', name: 'Object' });
    this.globals.names.set('JSON', { kind: 'namespace', name: 'JSON' });
    // The sandbox's global `util` is the object @aws-appsync/utils exports (guest/prelude.ts).
    this.globals.names.set('util', { kind: 'helpers', entry: UTIL_TABLE });
  }

  refuse(node: AnyNode, what: string): never {
    throw new NotEligible(`line ${line(node, this.source)}: ${what}`);
  }

  program(ast: AnyNode): void {
    acornModules().walk.full(ast, (n) => {
      const node = n as AnyNode;
      if (node.type === 'AssignmentExpression' && node.left.type === 'MemberExpression' && node.left.object.type === 'Identifier') {
        this.writtenNames.add(node.left.object.name as string);
      }
    });
    // `export { request, response }` (what esbuild makes of a .ts file): the functions are declared first.
    const exportLists: AnyNode[] = [];
    for (const item of ast.body as AnyNode[]) {
      switch (item.type) {
        case 'ImportDeclaration':
          this.importDeclaration(item);
          break;
        case 'ExportNamedDeclaration':
          if (item.source) this.refuse(item, 're-exports from another module');
          if (item.declaration) this.declaration(item.declaration, true);
          else exportLists.push(item);
          break;
        case 'VariableDeclaration':
        case 'FunctionDeclaration':
          this.declaration(item, false);
          break;
        case 'ExpressionStatement':
          if (item.directive === undefined) this.refuse(item, 'a top-level statement');
          break;
        case 'EmptyStatement':
          break;
        default:
          this.refuse(item, `a top-level ${describe(item)}`);
      }
    }
    for (const list of exportLists) {
      for (const spec of list.specifiers as AnyNode[]) {
        const exported = spec.exported.type === 'Identifier' ? (spec.exported.name as string) : String(spec.exported.value);
        const local = spec.local.name as string;
        const fn = this.functions.get(local);
        if ((exported !== 'request' && exported !== 'response') || !fn) this.refuse(spec, `an export other than the handlers (${exported})`);
        this.handler(fn, exported);
      }
    }
    for (const [name, fn] of this.functions) {
      if (!this.handlers.has(name) || this.handlers.get(name)!.body !== fn.body) this.refuse(fn, `a function ${name} (only the request and response handlers)`);
    }
    for (const name of ['request', 'response']) if (!this.handlers.has(name)) throw new NotEligible(`no exported ${name} handler in the subset`);
    this.compileLocalFunctions();
  }

  /** A top-level function other than the handlers: plain parameters, a body compiled later (it may call functions declared after it). */
  localFunction(name: string, fn: AnyNode): void {
    if (fn.async || fn.generator) this.refuse(fn, `an async or generator function ${name}`);
    if (this.localFunctions.has(name)) this.refuse(fn, `a second function named ${name}`);
    const params = (fn.params as AnyNode[]).map((p) => {
      if (p.type !== 'Identifier') this.refuse(p, `a parameter of ${name} that is not a plain name`);
      return this.slotCount++;
    });
    let cost = 1;
    acornModules().walk.full(fn.body, () => void (cost += 1));
    const local: LocalFunction = { name, node: fn, params, body: undefined, cost, calls: new Set() };
    this.localFunctions.set(name, local);
    this.module.names.set(name, { kind: 'function', fn: local });
  }

  /** Compiles the file's own functions, then refuses recursion and chains of calls deeper than MAX_CALL_DEPTH. */
  compileLocalFunctions(): void {
    for (const local of this.localFunctions.values()) {
      const fn = local.node;
      const scope = new Scope(this.module);
      (fn.params as AnyNode[]).forEach((p, i) => scope.names.set(p.name as string, { kind: 'slot', slot: local.params[i]! }));
      this.compilingFunction = local;
      local.body = fn.body.type === 'BlockStatement' ? this.block(fn.body, scope, undefined) : this.expression(fn.body, scope, undefined);
      this.compilingFunction = undefined;
    }
    // Longest chain of calls from each function, by depth-first search; a function met again on the way is recursion.
    const depths = new Map<LocalFunction, number>();
    const active = new Set<LocalFunction>();
    const depthOf = (local: LocalFunction): number => {
      const known = depths.get(local);
      if (known !== undefined) return known;
      if (active.has(local)) this.refuse(local.node, `recursion (${local.name} calls itself, directly or through another function)`);
      active.add(local);
      let depth = 1;
      for (const callee of local.calls) depth = Math.max(depth, 1 + depthOf(callee));
      active.delete(local);
      if (depth > MAX_CALL_DEPTH) this.refuse(local.node, `calls between the file's functions nested deeper than ${MAX_CALL_DEPTH}`);
      depths.set(local, depth);
      return depth;
    };
    for (const local of this.localFunctions.values()) depthOf(local);
  }

  /** Top-level function declarations: each must be exported as a handler. */
  readonly functions = new Map<string, AnyNode>();

  importDeclaration(item: AnyNode): void {
    const from = item.source.value as string;
    const table = HOST_MODULES.get(from);
    if (!table) this.refuse(item, `an import from ${JSON.stringify(from)}`);
    for (const spec of item.specifiers as AnyNode[]) {
      const local = spec.local.name as string;
      if (spec.type === 'ImportNamespaceSpecifier') this.module.names.set(local, { kind: 'helpers', entry: table });
      else if (spec.type === 'ImportDefaultSpecifier') this.module.names.set(local, { kind: 'refused', name: `the default import of ${from}` });
      else {
        const imported = spec.imported.type === 'Identifier' ? (spec.imported.name as string) : String(spec.imported.value);
        if (from === '@aws-appsync/utils' && imported === 'runtime') {
          this.module.names.set(local, { kind: 'runtime' });
          continue;
        }
        const entry = table.members.get(imported);
        this.module.names.set(local, entry ? { kind: 'helpers', entry } : { kind: 'refused', name: imported });
      }
    }
  }

  declaration(node: AnyNode, exported: boolean): void {
    if (node.type === 'FunctionDeclaration') {
      const name = node.id.name as string;
      if (name !== 'request' && name !== 'response') {
        if (exported) this.refuse(node, `an export other than the handlers (${name})`);
        this.localFunction(name, node);
        return;
      }
      this.functions.set(name, node);
      if (exported) this.handler(node, name);
      return;
    }
    if (node.type !== 'VariableDeclaration') this.refuse(node, `a ${describe(node)}`);
    if (node.kind !== 'const') this.refuse(node, `a top-level ${node.kind} declaration (only const)`);
    for (const d of node.declarations as AnyNode[]) {
      if (d.id.type !== 'Identifier') this.refuse(d, 'a destructuring top-level declaration');
      const name = d.id.name as string;
      const init = d.init as AnyNode;
      if (exported && (name === 'request' || name === 'response')) {
        if (init.type !== 'ArrowFunctionExpression' && init.type !== 'FunctionExpression') this.refuse(d, `an exported ${name} that is not a function`);
        this.handler(init, name);
        continue;
      }
      if (exported) this.refuse(d, `an export other than the handlers (${name})`);
      if (init && (init.type === 'ArrowFunctionExpression' || init.type === 'FunctionExpression')) {
        this.localFunction(name, init);
        continue;
      }
      const slot = this.slotCount++;
      // Visible to later declarations and to the handlers only: a reference before it is refused (TDZ).
      this.atTopLevel = true;
      const node = this.expression(init, this.module, undefined);
      this.atTopLevel = false;
      this.module.names.set(name, { kind: 'slot', slot, owned: init.type === 'ObjectExpression' });
      // A constant a member write changes is made afresh by each call, as the sandbox evaluates the module afresh.
      if (isLiteralTree(init) && !this.writtenNames.has(name)) {
        const f: Frame = { slots: [], ctx: NO_CTX, units: MAX_UNITS, weights: undefined };
        this.moduleStatics.push({ slot, value: deepFreeze(node(f)) });
      } else this.moduleInits.push({ slot, node });
    }
  }

  handler(fn: AnyNode, name: string): void {
    if (fn.async || fn.generator) this.refuse(fn, `an async or generator ${name} handler`);
    if ((fn.params as AnyNode[]).length > 1 || (fn.params as AnyNode[]).some((p) => p.type !== 'Identifier')) {
      this.refuse(fn, `${name} takes more than one plain parameter`);
    }
    this.module.names.set(name, { kind: 'handler' });
    this.handlers.set(name, { params: fn.params as AnyNode[], body: fn.body as AnyNode, expression: fn.body.type !== 'BlockStatement' });
  }

  /** Compiles a handler once every top-level name is known (handlers see constants declared after them). */
  compileHandler(name: string): GatewayHandler {
    const { params, body, expression } = this.handlers.get(name)!;
    const scope = new Scope(this.module);
    const ctxName = params[0]?.name as string | undefined;
    if (ctxName !== undefined) scope.names.set(ctxName, { kind: 'ctx' });
    const run = expression ? this.expression(body, scope, ctxName) : this.block(body, scope, ctxName);
    return makeHandler(this, run, name === 'request');
  }

  /** A handler's or function's body: its statements, then one return (or none: undefined). */
  block(block: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    return this.statements(block.body as AnyNode[], scope, ctxName, CONSTANT_UNDEFINED);
  }

  /**
   * A list of statements: const declarations, `if` statements, stash and member writes,
   * `runtime.earlyReturn(…);`, then at most one return as the last. Each step gives CONTINUE or
   * the handler's value; `end` is what the list gives when it has no return (undefined for a body,
   * CONTINUE for an `if`'s branch, after which the enclosing list goes on).
   */
  statements(statements: AnyNode[], scope: Scope, ctxName: string | undefined, end: Node): Node {
    const steps: Node[] = [];
    let result = end;
    // A name declared in this block hides an outer one from the block's start: read before its
    // declaration it is a ReferenceError in JavaScript (TDZ), not the outer value; refused here.
    for (const statement of statements) {
      if (statement.type !== 'VariableDeclaration') continue;
      for (const d of statement.declarations as AnyNode[]) for (const name of patternNames(d.id)) scope.names.set(name, { kind: 'declaredLater' });
    }
    for (let i = 0; i < statements.length; i++) {
      const statement = statements[i]!;
      switch (statement.type) {
        case 'VariableDeclaration':
          if (statement.kind !== 'const') this.refuse(statement, `a ${statement.kind} declaration (only const)`);
          for (const d of statement.declarations as AnyNode[]) steps.push(this.localDeclaration(d, scope, ctxName));
          break;
        case 'IfStatement':
          steps.push(this.guard(statement, scope, ctxName));
          break;
        case 'ExpressionStatement':
          if (this.isStashWrite(statement.expression, scope)) {
            steps.push(this.stashWrite(statement.expression, scope, ctxName));
            break;
          }
          if (statement.expression.type === 'AssignmentExpression') {
            steps.push(this.memberWrite(statement.expression, scope, ctxName));
            break;
          }
          // `runtime.earlyReturn(…);`, the one statement of the subset that is a call alone.
          if (!this.isEarlyReturn(statement.expression, scope)) this.refuse(statement, `a ${describe(statement)}`);
          steps.push(this.expression(statement.expression, scope, ctxName));
          break;
        case 'ReturnStatement':
          if (i !== statements.length - 1) this.refuse(statement, 'a return before the last statement');
          result = statement.argument ? this.expression(statement.argument, scope, ctxName) : CONSTANT_UNDEFINED;
          break;
        case 'EmptyStatement':
          break;
        default:
          this.refuse(statement, `a ${describe(statement)}`);
      }
    }
    if (steps.length === 0) return result;
    return (f) => {
      for (let i = 0; i < steps.length; i++) {
        const returned = steps[i]!(f);
        if (returned !== CONTINUE) return returned;
      }
      return result(f);
    };
  }

  /**
   * `if (test) …` with no else. When its body is statements of the subset (member writes such as
   * `if (title) values.title = title;`, an early return `if (test) return expr;`,
   * `runtime.earlyReturn(…)`, nested `if`s…) it runs here when the test holds. Anything else is a
   * guard: when the test holds, the handler is left to the sandbox (the usual
   * `if (ctx.error) util.error(…)`), its body never evaluated here. A `var` in it would be a
   * binding of the whole handler, so it is refused. A step gives CONTINUE, or the handler's value.
   */
  guard(statement: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    if (statement.alternate) this.refuse(statement, 'an if statement with an else branch');
    const { walk } = acornModules();
    walk.full(statement.consequent, (n) => {
      if (n.type === 'VariableDeclaration' && (n as AnyNode).kind === 'var') this.refuse(n as AnyNode, 'a var declaration');
    });
    const test = this.expression(statement.test, scope, ctxName);
    const body = statement.consequent as AnyNode;
    const branch = this.tryBranch(body.type === 'BlockStatement' ? (body.body as AnyNode[]) : [body], scope, ctxName);
    if (branch) return (f) => (test(f) ? branch(f) : CONTINUE);
    this.guards.add(statement);
    return (f) => {
      if (test(f)) throw new Fallback('a guard held');
      return CONTINUE;
    };
  }

  /**
   * An `if`'s body compiled as statements of the subset, or undefined when it is not (a guard).
   * What a failed attempt recorded (a stash write, calls of the file's functions) is undone: the
   * body is then never evaluated here.
   */
  tryBranch(body: AnyNode[], scope: Scope, ctxName: string | undefined): Node | undefined {
    const { writesStash } = this;
    const calls = this.compilingFunction ? new Set(this.compilingFunction.calls) : undefined;
    try {
      return this.statements(body, new Scope(scope), ctxName, CONTINUE_NODE);
    } catch (error) {
      if (!(error instanceof NotEligible)) throw error;
      this.writesStash = writesStash;
      if (calls) this.compilingFunction!.calls = calls;
      return undefined;
    }
  }

  /**
   * `name.key = value;` (`name['key']`, and `+=`, `-=`, `*=`, `/=`, `%=`, `&&=`, `||=`, `??=`) as a
   * statement, with `name` a const bound to an object literal (`const values = {};`): an object
   * this call made, which no input, helper table or other run shares, so writing to it changes
   * nothing the sandbox would not (its ctx, a helper's result or anything else is refused at load).
   * A key `Object.prototype` has is refused, `__proto__` (which sets the prototype in the sandbox)
   * included: the sandbox's frozen prototype makes `constructor` and the like throw there, and
   * `toString`/`valueOf` go through SES's override handling. A write costs a unit and forgets the
   * sizes measured so far in the call (they may include this object).
   */
  memberWrite(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    const target = node.left as AnyNode;
    if (target.type !== 'MemberExpression') this.refuse(node, `an assignment to ${describe(target)}`);
    if (target.optional) this.refuse(node, 'an optional chain written to');
    const operator = node.operator as string;
    if (!WRITE_OPERATORS.has(operator)) this.refuse(node, `the ${operator} operator`);
    const object = target.object as AnyNode;
    const binding = object.type === 'Identifier' ? scope.lookup(object.name as string) : undefined;
    if (binding?.kind === 'declaredLater') this.refuse(node, `the name ${object.name as string} before its declaration`);
    if (binding?.kind !== 'slot' || !binding.owned) {
      this.refuse(node, 'a member write to something other than a const bound to an object literal of the file');
    }
    let key: string | undefined;
    if (!target.computed) key = target.property.name as string;
    else if (target.property.type === 'Literal' && (typeof target.property.value === 'string' || typeof target.property.value === 'number')) {
      key = String(target.property.value);
    } else this.refuse(node, 'a computed member written to that is not a literal');
    if (key === '__proto__' || (protoMask(key) & ON_OBJECT) !== 0) this.refuse(node, `a member write of a key Object.prototype has (${key})`);
    const value = this.expression(node.right, scope, ctxName);
    const { slot } = binding;
    const k = key;
    const assign = (f: Frame, v: unknown): typeof CONTINUE => {
      spend(f, 1);
      (f.slots[slot] as Record<string, unknown>)[k] = v;
      f.weights = undefined;
      return CONTINUE;
    };
    const current = (f: Frame): unknown => readMember(f.slots[slot], k, 0);
    switch (operator) {
      case '=':
        return (f) => assign(f, value(f));
      case '+=':
        return (f) => assign(f, add(f, current(f), value(f)));
      case '&&=':
        return (f) => (current(f) ? assign(f, value(f)) : CONTINUE);
      case '||=':
        return (f) => (current(f) ? CONTINUE : assign(f, value(f)));
      case '??=':
        return (f) => {
          const v = current(f);
          return v === null || v === undefined ? assign(f, value(f)) : CONTINUE;
        };
      default: {
        const op = operator.slice(0, -1);
        return (f) => assign(f, arithmetic(op, current(f), value(f)));
      }
    }
  }

  localDeclaration(d: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    const init = this.expression(d.init, scope, ctxName);
    if (d.id.type === 'Identifier') {
      const slot = this.slotCount++;
      scope.names.set(d.id.name, { kind: 'slot', slot, owned: d.init.type === 'ObjectExpression' });
      return (f) => {
        f.slots[slot] = init(f);
        return CONTINUE;
      };
    }
    if (d.id.type === 'ArrayPattern') return this.arrayPattern(d.id, init, scope, ctxName);
    if (d.id.type !== 'ObjectPattern') this.refuse(d, `a ${describe(d.id)} declaration`);
    const fromCtx = d.init.type === 'Identifier' && ctxName !== undefined && d.init.name === ctxName && scope.lookup(ctxName)?.kind === 'ctx';
    const parts: Array<{ key: string; mask: number; slot: number; fallback?: Node }> = [];
    let rest: number | undefined;
    for (const p of d.id.properties as AnyNode[]) {
      if (p.type === 'RestElement') {
        if (p.argument.type !== 'Identifier') this.refuse(p, 'a rest element that is not a name');
        rest = this.slotCount++;
        continue;
      }
      if (p.computed) this.refuse(p, 'a computed key in a pattern');
      const key = staticKey(p.key);
      if (key === undefined || key === '__proto__') this.refuse(p, 'a pattern key that is not a plain name');
      let target = p.value as AnyNode;
      let fallback: Node | undefined;
      if (target.type === 'AssignmentPattern') {
        fallback = this.expression(target.right, scope, ctxName);
        target = target.left;
      }
      if (target.type !== 'Identifier') this.refuse(target, 'a nested pattern');
      parts.push({ key, mask: protoMask(key), slot: this.slotCount++, fallback });
    }
    // Bound after the initialiser and defaults were compiled: they cannot see these names (TDZ).
    let index = 0;
    for (const p of d.id.properties as AnyNode[]) {
      if (p.type === 'RestElement') scope.names.set(p.argument.name, { kind: 'slot', slot: rest! });
      else {
        const target = p.value.type === 'AssignmentPattern' ? p.value.left : p.value;
        scope.names.set(target.name, { kind: 'slot', slot: parts[index++]!.slot });
      }
    }
    const keys = new Set(parts.map((p) => p.key));
    return (f) => {
      const value = fromCtx ? undefined : init(f);
      if (!fromCtx && (value === null || value === undefined)) throw new Fallback('destructuring null or undefined');
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        let v = fromCtx ? ctxMember(f, part.key, part.mask) : readMember(value, part.key, part.mask);
        if (v === undefined && part.fallback) v = part.fallback(f);
        f.slots[part.slot] = v;
      }
      if (rest !== undefined) {
        const source = fromCtx ? f.ctx.whole() : value;
        if (typeof source !== 'object') throw new Fallback('a rest element of a primitive');
        const out: Record<string, unknown> = {};
        const names = Object.keys(source as object);
        spend(f, names.length);
        for (const name of names) if (!keys.has(name)) put(out, name, (source as Record<string, unknown>)[name]);
        f.slots[rest] = out;
      }
      return CONTINUE;
    };
  }

  /**
   * `const [a, , b = 1, ...rest] = value` (names, holes, defaults and a rest name; no nested
   * patterns), on a plain array only (evaluate.ts `destructureArray`). A default sees the names
   * bound before it, as in JavaScript; a later one is refused (block() marked them).
   */
  arrayPattern(pattern: AnyNode, init: Node, scope: Scope, ctxName: string | undefined): Node {
    const parts: Array<{ index: number; slot: number; fallback?: Node }> = [];
    let rest: number | undefined;
    const elements = pattern.elements as Array<AnyNode | null>;
    for (let index = 0; index < elements.length; index++) {
      const element = elements[index];
      if (element === null) continue;
      if (element.type === 'RestElement') {
        if (element.argument.type !== 'Identifier') this.refuse(element, 'a rest element that is not a name');
        rest = this.slotCount++;
        scope.names.set(element.argument.name, { kind: 'slot', slot: rest });
        continue;
      }
      let target = element;
      let fallback: Node | undefined;
      if (target.type === 'AssignmentPattern') {
        fallback = this.expression(target.right, scope, ctxName);
        target = target.left;
      }
      if (target.type !== 'Identifier') this.refuse(target, 'a nested pattern');
      const slot = this.slotCount++;
      scope.names.set(target.name, { kind: 'slot', slot });
      parts.push({ index, slot, fallback });
    }
    const count = elements.length - (rest === undefined ? 0 : 1);
    return (f) => {
      const values = destructureArray(f, init(f), count, rest !== undefined);
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i]!;
        let v = values[part.index];
        if (v === undefined && part.fallback) v = part.fallback(f);
        f.slots[part.slot] = v;
      }
      if (rest !== undefined) f.slots[rest] = values[count];
      return CONTINUE;
    };
  }

  expression(node: AnyNode, scope: Scope, ctxName: string | undefined, inChain = false): Node {
    switch (node.type) {
      case 'Literal': {
        if (node.regex || node.bigint !== undefined) this.refuse(node, 'a regular expression or BigInt literal');
        const value = node.value as unknown;
        return () => value;
      }
      case 'TemplateLiteral':
        return this.template(node, scope, ctxName);
      case 'TaggedTemplateExpression':
        return this.taggedTemplate(node, scope, ctxName);
      case 'Identifier':
        return this.identifier(node, scope);
      case 'ChainExpression': {
        const inner = this.expression(node.expression, scope, ctxName, true);
        return (f) => {
          const v = inner(f);
          return v === SHORT ? undefined : v;
        };
      }
      case 'MemberExpression':
        return this.member(node, scope, ctxName, inChain);
      case 'CallExpression':
        return this.call(node, scope, ctxName);
      case 'ObjectExpression':
        return this.object(node, scope, ctxName);
      case 'ArrayExpression':
        return this.array(node, scope, ctxName);
      case 'ConditionalExpression': {
        const test = this.expression(node.test, scope, ctxName);
        const yes = this.expression(node.consequent, scope, ctxName);
        const no = this.expression(node.alternate, scope, ctxName);
        return (f) => (test(f) ? yes(f) : no(f));
      }
      case 'LogicalExpression': {
        const left = this.expression(node.left, scope, ctxName);
        const right = this.expression(node.right, scope, ctxName);
        if (node.operator === '&&') return (f) => left(f) && right(f);
        if (node.operator === '||') return (f) => left(f) || right(f);
        return (f) => left(f) ?? right(f);
      }
      case 'UnaryExpression':
        return this.unary(node, scope, ctxName);
      case 'BinaryExpression':
        return this.binary(node, scope, ctxName);
      default:
        this.refuse(node, `a ${describe(node)}`);
    }
  }

  identifier(node: AnyNode, scope: Scope): Node {
    const name = node.name as string;
    const binding = scope.lookup(name);
    if (!binding) {
      if (name === 'undefined') return CONSTANT_UNDEFINED;
      this.refuse(node, `the name ${name} (not a parameter, constant or helper of the subset)`);
    }
    switch (binding.kind) {
      case 'slot': {
        const slot = binding.slot;
        return (f) => f.slots[slot];
      }
      case 'ctx':
        return (f) => f.ctx.whole();
      case 'refused':
        this.refuse(node, `${binding.name}, which the subset does not call`);
      // eslint-disable-next-line no-fallthrough -- refuse throws
      case 'function':
        this.refuse(node, `the function ${name} used as a value (the file's functions may only be called, or given to map)`);
      // eslint-disable-next-line no-fallthrough -- refuse throws
      case 'declaredLater':
        this.refuse(node, `the name ${name} before its declaration`);
      // eslint-disable-next-line no-fallthrough -- refuse throws
      case 'builtin':
      case 'namespace':
        this.refuse(node, `${name} used as a value (it may only be called)`);
      // eslint-disable-next-line no-fallthrough -- refuse throws
      default:
        this.refuse(node, `${name} used as a value (helpers may only be called)`);
    }
  }

  member(node: AnyNode, scope: Scope, ctxName: string | undefined, inChain: boolean): Node {
    let key: string | undefined;
    if (!node.computed) key = node.property.name as string;
    else if (node.property.type === 'Literal' && (typeof node.property.value === 'string' || typeof node.property.value === 'number')) {
      key = String(node.property.value);
    } else this.refuse(node, 'a computed member that is not a literal');
    if (key === '__proto__') this.refuse(node, 'reading __proto__');
    const mask = protoMask(key);
    const object = node.object as AnyNode;
    if (object.type === 'Identifier' && scope.lookup(object.name)?.kind === 'ctx') {
      const name = key;
      return (f) => ctxMember(f, name, mask);
    }
    const target = this.expression(object, scope, ctxName, inChain);
    const optional = node.optional === true;
    const k = key;
    if (!inChain) return (f) => readMember(target(f), k, mask);
    return (f) => {
      const value = target(f);
      if (value === SHORT || (optional && (value === null || value === undefined))) return SHORT;
      return readMember(value, k, mask);
    };
  }

  /** The helper a callee names: a path of plain member names from an import. */
  helperOf(callee: AnyNode, scope: Scope): Helper {
    const path: string[] = [];
    let node = callee;
    while (node.type === 'MemberExpression') {
      if (node.optional) this.refuse(node, 'an optional call of a helper');
      const key = node.computed ? (node.property.type === 'Literal' ? String(node.property.value) : undefined) : (node.property.name as string);
      if (key === undefined) this.refuse(node, 'a computed helper name');
      path.unshift(key);
      node = node.object;
    }
    if (node.type !== 'Identifier') this.refuse(callee, 'a call of something other than a listed helper');
    const binding = scope.lookup(node.name);
    if (binding?.kind === 'refused') this.refuse(callee, `${binding.name}, which the subset does not call`);
    if (binding?.kind !== 'helpers') this.refuse(callee, `a call of ${node.name} (only listed helpers are called)`);
    let entry: Helper | HelperTable = binding.entry;
    for (const key of path) {
      const next: Helper | HelperTable | undefined = isHelper(entry) ? undefined : entry.members.get(key);
      if (!next) this.refuse(callee, `${[node.name, ...path].join('.')}, which the subset does not call`);
      entry = next;
    }
    if (!isHelper(entry)) this.refuse(callee, `${[node.name, ...path].join('.')} is not a function`);
    return entry;
  }

  call(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    if (node.optional) this.refuse(node, 'an optional call');
    if (node.callee.type === 'Identifier') {
      const binding = scope.lookup(node.callee.name);
      if (binding?.kind === 'function') return this.localCall(node, binding.fn, scope, ctxName);
      if (binding?.kind === 'builtin') return this.builtinCall(node, binding.name, scope, ctxName);
    }
    const namespaced = this.namespaceCall(node, scope, ctxName);
    if (namespaced) return namespaced;
    if (this.isEarlyReturn(node, scope)) return this.earlyReturn(node, scope, ctxName);
    const method = this.methodCall(node, scope, ctxName);
    if (method) return method;
    const helper = this.helperOf(node.callee, scope);
    const args = this.callArguments(node, scope, ctxName);
    return (f) => {
      const values = evaluateAll(args, f);
      return callHelper(f, helper, values);
    };
  }

  /** A call's arguments compiled left to right; a spread argument is refused. */
  callArguments(node: AnyNode, scope: Scope, ctxName: string | undefined): Node[] {
    return (node.arguments as AnyNode[]).map((a) => {
      if (a.type === 'SpreadElement') this.refuse(a, 'a spread argument');
      return this.expression(a, scope, ctxName);
    });
  }

  /** `Number(x)` / `String(x)` with one argument, on JSON's primitives (evaluate.ts; anything else falls back). */
  builtinCall(node: AnyNode, name: 'Number' | 'String', scope: Scope, ctxName: string | undefined): Node {
    const args = node.arguments as AnyNode[];
    if (args.length !== 1 || args[0]!.type === 'SpreadElement') this.refuse(node, `${name}() with other than one argument`);
    const argument = this.expression(args[0]!, scope, ctxName);
    if (name === 'Number') return (f) => toNumber(f, argument(f));
    return (f) => toText(argument(f));
  }

  /**
   * `Object.keys|values|entries(x)`, `JSON.stringify(x)` or `JSON.parse(text)`, with exactly one
   * argument (a replacer, indent or reviver runs or shapes through code the subset does not take);
   * undefined when the callee is not a member of Object or JSON. The value's kind is checked when
   * the handler runs (evaluate.ts): anything but plain data falls back.
   */
  namespaceCall(node: AnyNode, scope: Scope, ctxName: string | undefined): Node | undefined {
    const callee = node.callee as AnyNode;
    if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier') return undefined;
    const binding = scope.lookup(callee.object.name);
    if (binding?.kind !== 'namespace') return undefined;
    const member = callee.computed ? undefined : (callee.property.name as string);
    if (callee.optional || member === undefined || !NAMESPACE_MEMBERS.get(binding.name)!.has(member)) {
      this.refuse(node, `${binding.name}.${member ?? '[…]'}, which the subset does not call`);
    }
    if ((node.arguments as AnyNode[]).length !== 1) this.refuse(node, `${binding.name}.${member}() with other than one argument`);
    const argument = this.callArguments(node, scope, ctxName)[0]!;
    if (binding.name === 'JSON') {
      if (member === 'stringify') return (f) => jsonStringify(f, argument(f));
      return (f) => jsonParse(f, argument(f));
    }
    const which = member as 'keys' | 'values' | 'entries';
    return (f) => objectMembers(f, which, argument(f));
  }

  /**
   * `x.method(…)` for a string method of STRING_METHODS or `x.map(fn)` with `fn` one of the file's
   * functions; undefined when the callee is not such a member (a helper's path, say). Whether `x`
   * is a string (or an array for map) is known only at run time: otherwise the call falls back.
   */
  methodCall(node: AnyNode, scope: Scope, ctxName: string | undefined): Node | undefined {
    const callee = node.callee as AnyNode;
    if (callee.type !== 'MemberExpression' || callee.computed || callee.optional) return undefined;
    const method = callee.property.name as string;
    if (method !== 'map' && !STRING_METHODS.has(method)) return undefined;
    let root = callee.object as AnyNode;
    while (root.type === 'MemberExpression') root = root.object;
    if (root.type === 'Identifier') {
      const kind = scope.lookup(root.name)?.kind;
      if (kind === 'helpers' || kind === 'runtime' || kind === 'refused' || kind === 'builtin' || kind === 'namespace') return undefined;
    }
    const receiver = this.expression(callee.object, scope, ctxName);
    const argNodes = node.arguments as AnyNode[];
    if (argNodes.some((a) => a.type === 'SpreadElement')) this.refuse(node, 'a spread argument');
    if (method === 'map') return this.mapCall(node, receiver, scope);
    const { min, max } = STRING_METHODS.get(method)!;
    if (argNodes.length < min || argNodes.length > max) this.refuse(node, `${method} with ${argNodes.length} arguments`);
    const args = argNodes.map((a) => this.expression(a, scope, ctxName));
    return (f) => {
      const target = receiver(f);
      const values = evaluateAll(args, f);
      return callStringMethod(f, method, target, values);
    };
  }

  /** `x.map(fn)`: `fn` names one of the file's functions with at most one parameter; each element's call is paid as a call. */
  mapCall(node: AnyNode, receiver: Node, scope: Scope): Node {
    const args = node.arguments as AnyNode[];
    const fn = args[0];
    const binding = args.length === 1 && fn!.type === 'Identifier' ? scope.lookup(fn!.name) : undefined;
    if (binding?.kind !== 'function') this.refuse(node, "map with other than one of the file's functions, by name");
    const local = binding.fn;
    if (local.params.length > 1) this.refuse(node, `map with ${local.name}, which takes more than one parameter (map passes value, index and array)`);
    if (this.atTopLevel) this.refuse(node, `a call of ${local.name} at the top level`);
    this.compilingFunction?.calls.add(local);
    const { params, cost } = local;
    const each = (f: Frame, value: unknown): unknown => {
      spend(f, cost);
      if (params.length === 1) f.slots[params[0]!] = value;
      return local.body!(f);
    };
    return (f) => mapArray(f, receiver(f), each);
  }

  /**
   * `f(a, b)` of one of the file's functions: the arguments left to right, then its parameters
   * set (missing ones undefined) and its body evaluated. Each call spends the function's size in
   * work units first, so calls that multiply (f calls g twice, g calls h twice…) meet the budget.
   */
  localCall(node: AnyNode, local: LocalFunction, scope: Scope, ctxName: string | undefined): Node {
    if (this.atTopLevel) this.refuse(node, `a call of ${local.name} at the top level`);
    this.compilingFunction?.calls.add(local);
    const args = this.callArguments(node, scope, ctxName);
    const { params, cost } = local;
    return (f) => {
      const values = evaluateAll(args, f);
      spend(f, cost);
      for (let i = 0; i < params.length; i++) f.slots[params[i]!] = values[i];
      return local.body!(f);
    };
  }

  /** Whether `node` is `ctx.stash.<key> = value` (or `ctx.stash['key']`) with `ctx` the handler's parameter. */
  isStashWrite(node: AnyNode, scope: Scope): boolean {
    if (node.type !== 'AssignmentExpression' || node.left.type !== 'MemberExpression') return false;
    const stash = node.left.object as AnyNode;
    return (
      stash.type === 'MemberExpression' &&
      !stash.computed &&
      stash.property.name === 'stash' &&
      stash.object.type === 'Identifier' &&
      scope.lookup(stash.object.name)?.kind === 'ctx'
    );
  }

  /**
   * `ctx.stash.<key> = value;` as a statement of a handler: the run's one stash (context.ts) gets
   * the value, as the sandbox's does. Only a primitive is written (an object could be told apart
   * from the sandbox's by identity: there each handler's ctx.prev.result, say, is its own copy);
   * anything else falls back. A key a built-in prototype has (`toString`…) is refused: in the
   * sandbox, with Object.prototype frozen, writing it goes through SES's override handling.
   */
  stashWrite(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    const target = node.left as AnyNode;
    if (node.operator !== '=') this.refuse(node, `the ${node.operator as string} operator on the stash`);
    if (target.optional) this.refuse(node, 'an optional chain written to');
    let key: string | undefined;
    if (!target.computed) key = target.property.name as string;
    else if (target.property.type === 'Literal' && (typeof target.property.value === 'string' || typeof target.property.value === 'number')) {
      key = String(target.property.value);
    } else this.refuse(node, 'a computed stash key that is not a literal');
    if (key === '__proto__' || (protoMask(key) & ON_OBJECT) !== 0) this.refuse(node, `a stash key a built-in prototype has (${key})`);
    const value = this.expression(node.right, scope, ctxName);
    this.writesStash = true;
    this.stashWrites.add(node);
    const k = key;
    return (f) => {
      const v = value(f);
      if ((typeof v === 'object' && v !== null) || typeof v === 'function') throw new Fallback('an object written to the stash');
      spend(f, 1);
      (f.ctx.root('stash') as Record<string, unknown>)[k] = v;
      return CONTINUE;
    };
  }

  /** Whether `node` is a call of `runtime.earlyReturn` (`runtime` the global or the import). */
  isEarlyReturn(node: AnyNode, scope: Scope): boolean {
    if (node.type !== 'CallExpression' || node.optional) return false;
    const callee = node.callee as AnyNode;
    return (
      callee.type === 'MemberExpression' &&
      !callee.computed &&
      !callee.optional &&
      callee.property.name === 'earlyReturn' &&
      callee.object.type === 'Identifier' &&
      scope.lookup(callee.object.name)?.kind === 'runtime'
    );
  }

  /**
   * `runtime.earlyReturn(value, options)` as the sandbox's runtime does it (guest/globals/runtime.ts):
   * the arguments evaluated, `undefined` made null, `options?.skipTo` read; it ends the handler by
   * throwing EarlyReturn through the evaluation. A `skipTo` other than END or NEXT falls back (the
   * sandbox would send it as it is).
   */
  earlyReturn(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    if (this.atTopLevel) this.refuse(node, 'runtime.earlyReturn at the top level');
    const args = this.callArguments(node, scope, ctxName);
    this.earlyReturns.add(node);
    return (f) => {
      const values = evaluateAll(args, f);
      const [value, options] = values;
      const skipTo = options === null || options === undefined ? undefined : readMember(options, 'skipTo', SKIP_TO_MASK);
      if (skipTo !== undefined && skipTo !== null && skipTo !== 'END' && skipTo !== 'NEXT') throw new Fallback('a skipTo other than END or NEXT');
      throw new EarlyReturn(value === undefined ? null : value, skipTo ?? null);
    };
  }

  template(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    const quasis = (node.quasis as AnyNode[]).map((q) => q.value.cooked as string);
    const parts = (node.expressions as AnyNode[]).map((e) => this.expression(e, scope, ctxName));
    if (parts.length === 0) {
      const text = quasis[0]!;
      return () => text;
    }
    return (f) => {
      let text = quasis[0]!;
      for (let i = 0; i < parts.length; i++) text += templateText(parts[i]!(f)) + quasis[i + 1]!;
      return madeString(f, text);
    };
  }

  /** sql`…` of the rds module: the tag gets its call site's one frozen array of parts (with `raw`), as JavaScript gives it. */
  taggedTemplate(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    let helper: Helper | undefined;
    try {
      helper = this.helperOf(node.tag, scope);
    } catch (error) {
      if (!(error instanceof NotEligible)) throw error;
    }
    if (!helper || helper.fn !== SQL_TAG) this.refuse(node, 'a tagged template other than sql`…`');
    const quasi = node.quasi as AnyNode;
    const strings = (quasi.quasis as AnyNode[]).map((q) => (q.value.cooked ?? undefined) as string);
    Object.defineProperty(strings, 'raw', { value: Object.freeze((quasi.quasis as AnyNode[]).map((q) => q.value.raw as string)) });
    Object.freeze(strings);
    const parts = (quasi.expressions as AnyNode[]).map((e) => this.expression(e, scope, ctxName));
    return (f) => {
      const values: unknown[] = [strings];
      for (let i = 0; i < parts.length; i++) values.push(parts[i]!(f));
      return callHelper(f, helper, values);
    };
  }

  object(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    const props: Array<{ key: string | undefined; value: Node }> = [];
    for (const p of node.properties as AnyNode[]) {
      if (p.type === 'SpreadElement') {
        props.push({ key: undefined, value: this.expression(p.argument, scope, ctxName) });
        continue;
      }
      if (p.kind !== 'init' || p.method || p.computed) this.refuse(p, 'a method, accessor or computed key');
      const key = staticKey(p.key);
      if (key === undefined || key === '__proto__') this.refuse(p, 'an object key that is not a plain name');
      props.push({ key, value: this.expression(p.value, scope, ctxName) });
    }
    return (f) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < props.length; i++) {
        const p = props[i]!;
        if (p.key === undefined) spreadInto(f, out, p.value(f));
        else out[p.key] = p.value(f);
      }
      return out;
    };
  }

  array(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    const items = (node.elements as Array<AnyNode | null>).map((e) => {
      if (e === null) this.refuse(node, 'an array with holes');
      return e.type === 'SpreadElement'
        ? { spread: true, value: this.expression(e.argument, scope, ctxName) }
        : { spread: false, value: this.expression(e, scope, ctxName) };
    });
    return (f) => {
      const out: unknown[] = [];
      for (let i = 0; i < items.length; i++) {
        const item = items[i]!;
        if (item.spread) spreadArray(f, out, item.value(f));
        else out.push(item.value(f));
      }
      return out;
    };
  }

  unary(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    const operator = node.operator as string;
    if (operator === 'typeof' && node.argument.type === 'Identifier' && !scope.lookup(node.argument.name) && node.argument.name !== 'undefined') {
      this.refuse(node, `typeof ${node.argument.name} (not a name of the subset)`);
    }
    const argument = this.expression(node.argument, scope, ctxName);
    switch (operator) {
      case '!':
        return (f) => !argument(f);
      case 'typeof':
        return (f) => typeof argument(f);
      case '-':
        return (f) => {
          const v = argument(f);
          if (typeof v !== 'number') throw new Fallback('- on a value that is not a number');
          return -v;
        };
      default:
        this.refuse(node, `the ${operator} operator`);
    }
  }

  binary(node: AnyNode, scope: Scope, ctxName: string | undefined): Node {
    const operator = node.operator as string;
    const left = this.expression(node.left, scope, ctxName);
    const right = this.expression(node.right, scope, ctxName);
    switch (operator) {
      case '===':
        return (f) => strictEquals(f, left(f), right(f));
      case '!==':
        return (f) => !strictEquals(f, left(f), right(f));
      case '+':
        return (f) => add(f, left(f), right(f));
      case '-':
      case '*':
      case '/':
      case '%':
        return (f) => arithmetic(operator, left(f), right(f));
      case '<':
      case '>':
      case '<=':
      case '>=':
        return (f) => compare(f, operator, left(f), right(f));
      default:
        this.refuse(node, `the ${operator} operator`);
    }
  }
}

/** `ctx.<name>`: a name ctx does not have reads as on any plain object. */
function ctxMember(f: Frame, name: string, mask: number): unknown {
  const value = f.ctx.root(name);
  if (value === undefined && (mask & 1) !== 0) throw new Fallback(`reading ctx.${name}`);
  return value;
}

const NO_CTX: CtxSource = {
  root: () => {
    throw new Fallback('ctx at the top level');
  },
  whole: () => {
    throw new Fallback('ctx at the top level');
  },
  authMode: '',
};

function makeHandler(compiler: Compiler, body: Node, isRequest: boolean): GatewayHandler {
  const template = new Array<unknown>(compiler.slotCount);
  for (const s of compiler.moduleStatics) template[s.slot] = s.value;
  const inits = compiler.moduleInits.slice();
  return {
    run(ctx: CtxSource, maxChars: number): unknown {
      const f: Frame = { slots: template.slice(), ctx, units: MAX_UNITS, weights: undefined };
      for (let i = 0; i < inits.length; i++) f.slots[inits[i]!.slot] = inits[i]!.node(f);
      let value: unknown;
      try {
        value = body(f);
      } catch (thrown) {
        if (!(thrown instanceof EarlyReturn)) throw thrown;
        // The sandbox makes it a Code error: the sandbox says so.
        if (!isRequest) throw new Fallback('runtime.earlyReturn in a response handler');
        return new EarlyReturn(toResult(f, thrown.value, maxChars - EARLY_FRAME_EXTRA), thrown.skipTo);
      }
      return toResult(f, value, maxChars);
    },
  };
}

function staticKey(key: AnyNode): string | undefined {
  if (key.type === 'Identifier') return key.name as string;
  if (key.type === 'Literal' && (typeof key.value === 'string' || typeof key.value === 'number')) return String(key.value);
  return undefined;
}

/** Literals, and objects, arrays and substitution-free templates of them: a value fixed at load. */
function isLiteralTree(node: AnyNode): boolean {
  switch (node.type) {
    case 'Literal':
      return !node.regex && node.bigint === undefined;
    case 'TemplateLiteral':
      return (node.expressions as AnyNode[]).length === 0;
    case 'UnaryExpression':
      return node.operator === '-' && node.argument.type === 'Literal' && typeof node.argument.value === 'number';
    case 'ArrayExpression':
      return (node.elements as Array<AnyNode | null>).every((e) => e !== null && e.type !== 'SpreadElement' && isLiteralTree(e));
    case 'ObjectExpression':
      return (node.properties as AnyNode[]).every((p) => p.type === 'Property' && !p.computed && isLiteralTree(p.value));
    default:
      return false;
  }
}

function describe(node: AnyNode): string {
  return node.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/**
 * Analyses JavaScript source (a `.ts` file's esbuild transform output): the compiled handlers when
 * the whole file is in the subset, else the first reason it is not.
 */
export function analyseSource(source: string): Analysis {
  const { acorn } = acornModules();
  let ast: AnyNode;
  try {
    ast = acorn.parse(source, { ecmaVersion: 'latest', sourceType: 'module' }) as AnyNode;
  } catch (error) {
    return { reason: `it does not parse: ${(error as Error).message}` };
  }
  const compiler = new Compiler(source);
  try {
    compiler.program(ast);
    const request = compiler.compileHandler('request');
    const response = compiler.compileHandler('response');
    const { guards, earlyReturns, stashWrites } = compiler;
    const shapes = { guards, earlyReturns, stashWrites, moduleNames: new Set(compiler.module.names.keys()) };
    for (const name of ['request', 'response']) {
      const { body } = compiler.handlers.get(name)!;
      if (handsOverOnEveryRun(body, name === 'request', shapes)) {
        return {
          reason:
            `line ${line(body, source)}: the ${name} handler hands over to the sandbox on every run ` +
            '(on each path a guard holds, runtime.earlyReturn ends a response handler or an object is written to the stash)',
        };
      }
    }
    return { module: { request, response, writesStash: compiler.writesStash } };
  } catch (error) {
    if (error instanceof NotEligible) return { reason: error.reason };
    throw error;
  }
}

/**
 * `analyseSource` for a resolver file: `.ts` (and .mts/.cts) are analysed as their type-stripped
 * text, `stripped` when the caller has it (kept from the load's lint or the compile cache), else
 * stripped here.
 */
export async function analyseFile(file: string, source: string, stripped?: string): Promise<Analysis> {
  if (!isTypeScript(file)) return analyseSource(source);
  if (stripped === undefined) {
    try {
      ({ code: stripped } = await stripTypes(file, source));
    } catch (error) {
      return { reason: `esbuild could not strip its types: ${(error as Error).message}` };
    }
  }
  return analyseSource(stripped);
}

/** The values of a call's compiled arguments, left to right. */
function evaluateAll(args: readonly Node[], f: Frame): unknown[] {
  const values = new Array<unknown>(args.length);
  for (let i = 0; i < args.length; i++) values[i] = args[i]!(f);
  return values;
}
