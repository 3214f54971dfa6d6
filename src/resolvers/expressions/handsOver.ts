/**
 * Load-time proof that a handler of the subset hands over to the sandbox on every run
 * (docs/resolvers.md#handlers-the-gateway-evaluates). Such a file is not evaluated in the gateway
 * (nor counted as evaluated): every run would pay for the evaluation and then cross anyway.
 *
 * The handler's statements are walked path by path with the values known at load: literals, the
 * handler's own consts (object literals with their keys, whatever member writes add to them), and
 * what `Object.keys`, `.length`, comparisons, `!`, `typeof`, `&&`, `||`, `??` and `? :` make of them.
 * Anything read from ctx, a helper, a function of the file or the top level is unknown. An `if`
 * whose test is unknown takes both paths. A path hands over where it meets a guard whose test is
 * known to hold, `runtime.earlyReturn` in a response handler, or an object written to the stash;
 * the proof holds when every path does. It only ever says "every run": a handler it cannot decide
 * (more than MAX_STEPS statements walked over all paths) is evaluated as before.
 */
import type { Node as AcornNode } from 'acorn';
import { ON_OBJECT, protoMask } from './evaluate.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- acorn's tree is read by node type
type AnyNode = AcornNode & Record<string, any>;

/** What the compiler (subset.ts) decided about the handler's nodes. */
export interface CompiledShapes {
  /** `if` statements compiled as guards (their test holding hands the run over). */
  readonly guards: ReadonlySet<AnyNode>;
  /** `runtime.earlyReturn(…)` calls. */
  readonly earlyReturns: ReadonlySet<AnyNode>;
  /** `ctx.stash.key = value` assignments. */
  readonly stashWrites: ReadonlySet<AnyNode>;
  /** Names bound at the top level (imports, constants, functions): unknown when read, and `Object` or `undefined` no longer the global. */
  readonly moduleNames: ReadonlySet<string>;
}

/** A value not known at load. */
const UNKNOWN: unique symbol = Symbol('unknown');
/** An object made by the handler, its keys in order (values may be unknown). Never changed: a write makes a new one. */
class KnownObject {
  constructor(readonly props: ReadonlyMap<string, Known>) {}
}
type Known = typeof UNKNOWN | null | undefined | boolean | number | string | KnownObject | Known[];
type Env = ReadonlyMap<string, Known>;

/** Statements walked over all paths before the proof gives up (it then claims nothing). */
const MAX_STEPS = 2_000;
/**
 * Largest known array, object (keys) or string: a value that would grow past it is unknown, so
 * values doubled by spreads or `+` (`[...a, ...a]` forty times) cost the analysis nothing.
 */
const MAX_KNOWN = 1_000;
class GiveUp {}

const isContainer = (v: Known): v is KnownObject | Known[] => v instanceof KnownObject || Array.isArray(v);
/** true, false, or undefined when unknown. */
const truth = (v: Known): boolean | undefined => (v === UNKNOWN ? undefined : isContainer(v) ? true : Boolean(v));

/**
 * Whether every run of the handler with this body hands over to the sandbox (see above). `isRequest`:
 * `runtime.earlyReturn` ends a request handler with a value, and hands a response handler over.
 */
export function handsOverOnEveryRun(body: AnyNode, isRequest: boolean, shapes: CompiledShapes): boolean {
  if (body.type !== 'BlockStatement') return false;
  let steps = 0;
  const evaluate = (node: AnyNode, env: Env, retained = true): Known => value(node, env, retained, shapes);

  /** Whether every path through `list` from `i`, then on through `next`, hands over. */
  const every = (list: AnyNode[], i: number, env: Env, next: (env: Env) => boolean): boolean => {
    if (++steps > MAX_STEPS) throw new GiveUp();
    if (i === list.length) return next(env);
    const s = list[i]!;
    const rest = (e: Env): boolean => every(list, i + 1, e, next);
    switch (s.type) {
      case 'VariableDeclaration': {
        const e = new Map(env);
        for (const d of s.declarations as AnyNode[]) {
          if (d.id.type === 'Identifier') e.set(d.id.name as string, evaluate(d.init, e));
          else for (const name of patternNames(d.id)) e.set(name, UNKNOWN);
        }
        return rest(e);
      }
      case 'ExpressionStatement': {
        const x = s.expression as AnyNode;
        if (shapes.earlyReturns.has(x)) return !isRequest;
        if (shapes.stashWrites.has(x)) return isContainer(evaluate(x.right, env)) || rest(env);
        if (x.type === 'AssignmentExpression') return rest(afterWrite(x, env, evaluate));
        return rest(env);
      }
      case 'IfStatement': {
        const held = truth(evaluate(s.test, env, false));
        if (shapes.guards.has(s)) return held === true || rest(env);
        const body = s.consequent.type === 'BlockStatement' ? (s.consequent.body as AnyNode[]) : [s.consequent as AnyNode];
        // Consts of the branch are its own: after it, the names are the outer ones again.
        const own = body.flatMap((b) => (b.type === 'VariableDeclaration' ? (b.declarations as AnyNode[]).flatMap((d) => patternNames(d.id)) : []));
        const taken = (): boolean =>
          every(body, 0, env, (e) => {
            const out = new Map(e);
            for (const name of own) {
              if (env.has(name)) out.set(name, env.get(name)!);
              else out.delete(name);
            }
            return rest(out);
          });
        if (held === true) return taken();
        if (held === false) return rest(env);
        return taken() && rest(env);
      }
      case 'ReturnStatement':
        return !isRequest && s.argument !== null && shapes.earlyReturns.has(s.argument);
      default:
        return rest(env);
    }
  };

  try {
    return every(body.body as AnyNode[], 0, new Map(), () => false);
  } catch (error) {
    if (error instanceof GiveUp) return false;
    throw error;
  }
}

/** The environment after `name.key op= value` (a member write of the subset: `name` is an object literal's const). */
function afterWrite(x: AnyNode, env: Env, evaluate: (node: AnyNode, env: Env) => Known): Env {
  const name = x.left.object.name as string;
  const target = env.get(name);
  // A top-level constant (written by functions of the file too) is not followed.
  if (!(target instanceof KnownObject)) return env;
  const key = x.left.computed ? String(x.left.property.value) : (x.left.property.name as string);
  const props = new Map(target.props);
  const had = props.has(key);
  const current = had ? props.get(key)! : undefined;
  const written = evaluate(x.right, env);
  switch (x.operator as string) {
    case '=':
      props.set(key, written);
      break;
    case '&&=':
      // A missing key is undefined: nothing is written.
      if (had) props.set(key, truth(current) === false ? current : truth(current) === true ? written : UNKNOWN);
      break;
    case '||=':
      props.set(key, truth(current) === true ? current : truth(current) === false ? written : UNKNOWN);
      break;
    case '??=':
      props.set(key, current === UNKNOWN ? UNKNOWN : current === null || current === undefined ? written : current);
      break;
    default:
      props.set(key, UNKNOWN);
  }
  const out = new Map(env);
  out.set(name, new KnownObject(props));
  return out;
}

/**
 * What an expression is known to give at load, or UNKNOWN. `retained`: the value may be kept (in a
 * literal, a const, a helper's arguments); a handler's object is then unknown, as it may be written
 * to after it was kept. Read at once (a member, `Object.keys`, a test) it is known.
 */
function value(node: AnyNode, env: Env, retained: boolean, shapes: CompiledShapes): Known {
  const at = (n: AnyNode, keep = true): Known => value(n, env, keep, shapes);
  switch (node.type) {
    case 'Literal':
      return node.regex || node.bigint !== undefined ? UNKNOWN : (node.value as Known);
    case 'TemplateLiteral':
      return (node.expressions as AnyNode[]).length === 0 ? ((node.quasis as AnyNode[])[0]!.value.cooked as string) : UNKNOWN;
    case 'Identifier': {
      const name = node.name as string;
      if (env.has(name)) {
        const v = env.get(name)!;
        return retained && isContainer(v) ? UNKNOWN : v;
      }
      return name === 'undefined' && !shapes.moduleNames.has(name) ? undefined : UNKNOWN;
    }
    case 'ObjectExpression': {
      const props = new Map<string, Known>();
      for (const p of node.properties as AnyNode[]) {
        if (p.type === 'SpreadElement') {
          const spread = at(p.argument, false);
          if (spread === null || spread === undefined) continue;
          if (!(spread instanceof KnownObject)) return UNKNOWN;
          for (const [k, v] of spread.props) props.set(k, v);
          continue;
        }
        const key = p.key.type === 'Identifier' && !p.computed ? (p.key.name as string) : p.key.type === 'Literal' ? String(p.key.value) : undefined;
        if (key === undefined) return UNKNOWN;
        props.set(key, at(p.value));
      }
      return props.size > MAX_KNOWN ? UNKNOWN : new KnownObject(props);
    }
    case 'ArrayExpression': {
      const items: Known[] = [];
      for (const e of node.elements as AnyNode[]) {
        if (e === null) return UNKNOWN;
        if (e.type !== 'SpreadElement') items.push(at(e));
        else {
          const spread = at(e.argument, false);
          if (!Array.isArray(spread) || items.length + spread.length > MAX_KNOWN) return UNKNOWN;
          for (const item of spread) items.push(item);
        }
      }
      return items;
    }
    case 'MemberExpression': {
      if (node.optional || (node.computed && node.property.type !== 'Literal')) return UNKNOWN;
      const key = node.computed ? String(node.property.value) : (node.property.name as string);
      return member(at(node.object, false), key);
    }
    case 'CallExpression': {
      const callee = node.callee as AnyNode;
      const args = node.arguments as AnyNode[];
      const isObjectMember =
        callee.type === 'MemberExpression' &&
        !callee.computed &&
        !callee.optional &&
        callee.object.type === 'Identifier' &&
        callee.object.name === 'Object' &&
        !env.has('Object') &&
        !shapes.moduleNames.has('Object');
      if (!isObjectMember || args.length !== 1) return UNKNOWN;
      const of = at(args[0]!, false);
      if (!isContainer(of)) return UNKNOWN;
      const keys = Array.isArray(of) ? of.map((_, i) => String(i)) : orderedKeys(of);
      switch (callee.property.name as string) {
        case 'keys':
          return keys;
        case 'values':
          return Array.isArray(of) ? UNKNOWN : keys.map((k) => of.props.get(k)!);
        default:
          return UNKNOWN;
      }
    }
    case 'UnaryExpression': {
      const v = at(node.argument, false);
      if (v === UNKNOWN) return UNKNOWN;
      if (node.operator === '!') return !truth(v);
      if (node.operator === 'typeof') return isContainer(v) ? 'object' : typeof v;
      if (node.operator === '-' && typeof v === 'number') return -v;
      return UNKNOWN;
    }
    case 'BinaryExpression': {
      const a = at(node.left, false);
      const b = at(node.right, false);
      if (a === UNKNOWN || b === UNKNOWN || isContainer(a) || isContainer(b)) {
        // An object is never === a primitive; two objects' identity is not followed.
        if ((node.operator === '===' || node.operator === '!==') && a !== UNKNOWN && b !== UNKNOWN && isContainer(a) !== isContainer(b)) {
          return node.operator === '!==';
        }
        return UNKNOWN;
      }
      return binary(node.operator as string, a, b);
    }
    case 'LogicalExpression': {
      const left = at(node.left, retained);
      const t = truth(left);
      if (node.operator === '??') return left === UNKNOWN ? UNKNOWN : left === null || left === undefined ? at(node.right, retained) : left;
      if (t === undefined) return UNKNOWN;
      if (node.operator === '&&') return t ? at(node.right, retained) : left;
      return t ? left : at(node.right, retained);
    }
    case 'ConditionalExpression': {
      const t = truth(at(node.test, false));
      return t === undefined ? UNKNOWN : at(t ? node.consequent : node.alternate, retained);
    }
    default:
      return UNKNOWN;
  }
}

/** `object[key]` for known values; a key a built-in prototype would supply, or a read that throws, is unknown. */
function member(object: Known, key: string): Known {
  if (object instanceof KnownObject) {
    if (object.props.has(key)) return object.props.get(key)!;
    return key === '__proto__' || (protoMask(key) & ON_OBJECT) !== 0 ? UNKNOWN : undefined;
  }
  if (Array.isArray(object) || typeof object === 'string') {
    if (key === 'length') return object.length;
    if (Array.isArray(object) && /^(0|[1-9]\d*)$/.test(key)) return Number(key) < object.length ? object[Number(key)]! : undefined;
  }
  return UNKNOWN;
}

/** An object's keys in JavaScript's order (integer-like keys first), as Object.keys gives them. */
function orderedKeys(object: KnownObject): string[] {
  const probe: Record<string, number> = {};
  for (const key of object.props.keys()) probe[key] = 0;
  return Object.keys(probe);
}

/** A binary operator on two known primitives, where its result is certain without conversions; else unknown. */
function binary(operator: string, a: Exclude<Known, typeof UNKNOWN | KnownObject | Known[]>, b: typeof a): Known {
  switch (operator) {
    case '===':
      return a === b;
    case '!==':
      return a !== b;
    case '<':
    case '>':
    case '<=':
    case '>=':
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return UNKNOWN;
      return operator === '<' ? a < b : operator === '>' ? a > b : operator === '<=' ? a <= b : a >= b;
    case '+':
      if (typeof a === 'number' && typeof b === 'number') return a + b;
      return typeof a === 'string' && typeof b === 'string' && a.length + b.length <= MAX_KNOWN ? a + b : UNKNOWN;
    default:
      return UNKNOWN;
  }
}

/** The names a declaration's target binds (a name, or the names of an object or array pattern). */
export function patternNames(target: AnyNode | null): string[] {
  if (target === null) return [];
  switch (target.type) {
    case 'Identifier':
      return [target.name as string];
    case 'ObjectPattern':
      return (target.properties as AnyNode[]).flatMap((p) => patternNames(p.type === 'RestElement' ? p.argument : p.value));
    case 'ArrayPattern':
      return (target.elements as Array<AnyNode | null>).flatMap(patternNames);
    case 'AssignmentPattern':
      return patternNames(target.left);
    case 'RestElement':
      return patternNames(target.argument);
    default:
      return [];
  }
}
