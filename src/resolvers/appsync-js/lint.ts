/**
 * Flags code AppSync would refuse at save time: the language features APPSYNC_JS does not support
 * (docs/resolvers.md#the-language-subset). The gateway runs such code anyway (warning) unless `--strict`
 * turns the findings into load errors, so users learn before they deploy.
 *
 * AWS publishes `@aws-appsync/eslint-plugin` for this, but it needs a whole ESLint install at
 * run time; these checks walk the acorn AST directly.
 */
import type { Node } from 'acorn';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { acornModules } from './acorn.js';
import { isTypeScript, stripTypes, type StrippedTypes } from './stripTypes.js';

export interface LintFinding {
  file: string;
  line: number;
  column: number;
  /** The unsupported feature, e.g. `while loops`. */
  feature: string;
}

const FORBIDDEN_GLOBALS: Record<string, string> = {
  RegExp: 'RegExp',
  Function: 'the Function constructor',
  Map: 'Map',
  Set: 'Set',
  WeakMap: 'WeakMap',
  WeakSet: 'WeakSet',
  Symbol: 'Symbol',
  Proxy: 'Proxy',
  Promise: 'Promises',
  Date: 'Date (use util.time)',
  eval: 'eval',
};

/** Array methods whose callbacks APPSYNC_JS allows. */
const ARRAY_CALLBACK_METHODS = new Set([
  'forEach',
  'map',
  'flatMap',
  'filter',
  'reduce',
  'reduceRight',
  'find',
  'some',
  'every',
  'findIndex',
  'findLast',
  'findLastIndex',
  'sort',
]);

type AnyNode = Node & Record<string, any>;

/** This module's file: compileCache.ts fingerprints the code that produced cached findings. */
export const MODULE_URL = import.meta.url;

/**
 * Lints one resolver source (JS, or TS after type stripping). Returns findings in source order.
 * `stripped`: a TypeScript file's type-stripped text when the caller has it (stripTypes.ts).
 */
export async function lintAppSyncJs(file: string, source: string, stripped?: StrippedTypes): Promise<LintFinding[]> {
  let code = source;
  let map: TraceMap | undefined;
  if (isTypeScript(file)) {
    stripped ??= await stripTypes(file, source);
    code = stripped.code;
    map = new TraceMap(stripped.map);
  }
  const { acorn, walk } = acornModules();
  let ast: AnyNode;
  try {
    ast = acorn.parse(code, { ecmaVersion: 'latest', sourceType: 'module', locations: true }) as AnyNode;
  } catch {
    return []; // syntax errors are reported by the compiler with a better message
  }
  const findings: LintFinding[] = [];
  const report = (node: AnyNode, feature: string) => {
    let { line, column } = node.loc!.start;
    if (map) {
      const original = originalPositionFor(map, { line, column });
      if (original.line !== null) ({ line, column } = { line: original.line, column: original.column ?? 0 });
    }
    findings.push({ file, line, column: column + 1, feature });
  };

  walk.ancestor(ast as Node, {
    WhileStatement: (n) => report(n as AnyNode, 'while loops'),
    DoWhileStatement: (n) => report(n as AnyNode, 'do-while loops'),
    ForStatement: (n) => report(n as AnyNode, 'classic for(;;) loops (use for-of or for-in)'),
    TryStatement: (n) => report(n as AnyNode, 'try/catch/finally'),
    ThrowStatement: (n) => report(n as AnyNode, 'throw (use util.error)'),
    ContinueStatement: (n) => report(n as AnyNode, 'continue'),
    LabeledStatement: (n) => report(n as AnyNode, 'labeled statements'),
    UpdateExpression: (n) => report(n as AnyNode, `the ${(n as AnyNode).operator} operator`),
    UnaryExpression: (n) => {
      if ((n as AnyNode).operator === '~') report(n as AnyNode, 'the ~ operator');
    },
    BinaryExpression: (n) => {
      if ((n as AnyNode).operator === 'in') report(n as AnyNode, 'the in operator (use Object.hasOwn)');
    },
    ClassDeclaration: (n) => report(n as AnyNode, 'classes'),
    ClassExpression: (n) => report(n as AnyNode, 'classes'),
    AwaitExpression: (n) => report(n as AnyNode, 'async/await'),
    ImportExpression: (n) => report(n as AnyNode, 'dynamic import()'),
    YieldExpression: (n) => report(n as AnyNode, 'generators'),
    Literal: (n) => {
      if ((n as AnyNode).regex) report(n as AnyNode, 'regular expression literals');
    },
    NewExpression: (n) => {
      const callee = (n as AnyNode).callee as AnyNode;
      if (callee.type === 'Identifier' && FORBIDDEN_GLOBALS[callee.name]) report(n as AnyNode, FORBIDDEN_GLOBALS[callee.name]!);
    },
    CallExpression: (n, _state, ancestors) => {
      const node = n as AnyNode;
      const callee = node.callee as AnyNode;
      if (callee.type === 'Identifier' && FORBIDDEN_GLOBALS[callee.name]) report(node, FORBIDDEN_GLOBALS[callee.name]!);
      if (callee.type === 'MemberExpression' && !callee.computed && ['apply', 'bind', 'call'].includes(callee.property.name)) {
        report(node, `Function.prototype.${callee.property.name}`);
      }
      if (callee.type === 'MemberExpression' && !callee.computed && callee.property.name === 'sort' && node.arguments.length > 0) {
        report(node, 'Array.prototype.sort with a comparator');
      }
      const allowsCallbacks = callee.type === 'MemberExpression' && !callee.computed && ARRAY_CALLBACK_METHODS.has(callee.property.name);
      if (!allowsCallbacks && node.arguments.some((a: AnyNode) => a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression')) {
        report(node, 'passing a function as an argument');
      }
      // Direct recursion: a call to the name of an enclosing function declaration.
      if (callee.type === 'Identifier') {
        for (const a of ancestors as AnyNode[]) {
          if ((a.type === 'FunctionDeclaration' || a.type === 'FunctionExpression') && a.id?.name === callee.name) {
            report(node, 'recursion');
            break;
          }
        }
      }
    },
    Function: (n) => {
      const node = n as AnyNode;
      if (node.async) report(node, 'async functions');
      if (node.generator) report(node, 'generators');
    },
  });
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return findings;
}

/** `file:line:column: APPSYNC_JS does not support <feature>` */
export function formatLintFinding(f: LintFinding): string {
  return `${f.file}:${f.line}:${f.column}: APPSYNC_JS does not support ${f.feature}`;
}
