/** APPSYNC_JS language subset (docs/resolvers.md#the-language-subset): each unsupported feature is flagged. */
import { describe, expect, it } from 'vitest';
import { lintAppSyncJs } from '../../../src/resolvers/appsync-js/lint.js';

const cases: Array<{ name: string; code: string; feature?: string }> = [
  { name: '§2 statements: while', code: 'export function f() { while (true) {} }', feature: 'while loops' },
  { name: '§2 statements: do-while', code: 'export function f() { do {} while (false) }', feature: 'do-while loops' },
  {
    name: '§2 statements: classic for',
    code: 'export function f() { for (let i = 0; i < 1; i += 1) {} }',
    feature: 'classic for(;;) loops (use for-of or for-in)',
  },
  { name: '§2 statements: try', code: 'export function f() { try { f() } catch (e) {} }', feature: 'try/catch/finally' },
  { name: '§2 statements: throw', code: 'export function f() { throw new Error("x") }', feature: 'throw (use util.error)' },
  { name: '§2 statements: continue', code: 'export function f(a) { for (const x of a) { continue } }', feature: 'continue' },
  { name: '§2 statements: labels', code: 'export function f(a) { outer: for (const x of a) { break outer } }', feature: 'labeled statements' },
  { name: '§2 operators: ++', code: 'export function f() { let a = 1; a++; return a }', feature: 'the ++ operator' },
  { name: '§2 operators: ~', code: 'export function f(a) { return ~a }', feature: 'the ~ operator' },
  { name: '§2 operators: in', code: 'export function f(a) { return "x" in a }', feature: 'the in operator (use Object.hasOwn)' },
  { name: '§2 functions: apply', code: 'export function f(g) { return g.apply(null, []) }', feature: 'Function.prototype.apply' },
  { name: '§2 functions: Function constructor', code: 'export function f() { return new Function("1") }', feature: 'the Function constructor' },
  { name: '§2 functions: recursion', code: 'export function f(n) { return n ? f(n - 1) : 0 }', feature: 'recursion' },
  {
    name: '§2 functions: higher-order',
    code: 'function g(cb) { return cb() } export function f() { return g(() => 1) }',
    feature: 'passing a function as an argument',
  },
  { name: '§2 async', code: 'export async function f() { return 1 }', feature: 'async functions' },
  { name: '§2 classes', code: 'class A {} export function f() { return A }', feature: 'classes' },
  { name: '§2 regex literal', code: 'export function f(s) { return /a/.test(s) }', feature: 'regular expression literals' },
  { name: '§2 Date', code: 'export function f() { return new Date() }', feature: 'Date (use util.time)' },
  { name: '§2 Array sort comparator', code: 'export function f(a) { return a.sort((x, y) => x - y) }', feature: 'Array.prototype.sort with a comparator' },
  {
    name: '§2 allowed: for-of, array callbacks, spread, ??',
    code: 'export function f(a) { const out = []; for (const x of a) { out.push(x ?? 0) } return [...out].map((x) => x * 2).filter((x) => x > 1) }',
  },
];

describe('lintAppSyncJs', () => {
  it.each(cases)('$name', async ({ code, feature }) => {
    const findings = await lintAppSyncJs('code.js', code);
    if (feature) expect(findings.map((f) => f.feature)).toContain(feature);
    else expect(findings).toEqual([]);
  });

  it('reports the original line of TypeScript code', async () => {
    const code = ['type A = { a: number };', '', 'export function f(x: A) {', '  while (x.a) {}', '}'].join('\n');
    const findings = await lintAppSyncJs('code.ts', code);
    expect(findings).toEqual([{ file: 'code.ts', line: 4, column: 3, feature: 'while loops' }]);
  });
});
