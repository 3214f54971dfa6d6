/**
 * The load-time analysis (src/resolvers/expressions/subset.ts): which files are in the subset the
 * gateway evaluates itself, and the reason given for each one that is not. Pure logic: no gateway.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyseFile, analyseSource } from '../../../src/resolvers/expressions/subset.js';

const handlers = (request: string, response = 'return ctx.result;', top = '') =>
  `${top}\nexport function request(ctx) {\n${request}\n}\nexport function response(ctx) {\n${response}\n}\n`;

const ELIGIBLE: Array<[string, string]> = [
  [
    'Object.keys, values and entries; JSON.stringify and parse',
    handlers(
      'return { payload: [Object.keys(ctx.args), Object.values(ctx.args).length, Object.entries(ctx.args)[0], JSON.stringify(ctx.args), JSON.parse(ctx.args.s)] };',
    ),
  ],
  [
    'array patterns: names, holes, defaults (seeing earlier names) and a rest',
    handlers(
      'const [a, , b = a, ...rest] = ctx.args.l;\nconst [first] = toJsonObject(ctx.result);\nreturn { payload: [a, b, rest, first] };',
      undefined,
      "import { toJsonObject } from '@aws-appsync/utils/rds';",
    ),
  ],
  ['stash writes', handlers("ctx.stash.a = 1;\nctx.stash['b-c'] = ctx.args.x;\nctx.stash[2] = ctx.stash.a;\nreturn {};")],
  [
    'member writes to object literals of the handler, a function and the top level, in branches too',
    handlers(
      "const values = { ...ctx.args };\nvalues.a = 1;\nvalues['b-c'] += 'x';\nvalues[2] ??= f();\nif (ctx.args.x) values.prototype = 2;\nif (ctx.args.y) {\n  const inner = {};\n  inner.n = 1;\n  values.inner = inner;\n}\nTOP.k = 1;\nreturn values;",
      undefined,
      'const TOP = { k: 0 };\nfunction f() {\n  const o = {};\n  o.x ||= 1;\n  o.y &&= 2;\n  o.z -= 1;\n  return o;\n}',
    ),
  ],
  [
    'the global util, as the import',
    handlers('return { payload: util.autoUlid() };', 'if (ctx.error) util.error(ctx.error.message);\nreturn util.dynamodb.toMapValues(ctx.result);'),
  ],
  ['the NONE echo', handlers('return { payload: ctx.args.msg };')],
  ['no parameter', 'export function request() { return { payload: 1 }; }\nexport function response() { return 2; }'],
  ['no return', handlers('const x = 1;')],
  ['an export list', 'function request(ctx) { return 1; }\nfunction response(ctx) { return 2; }\nexport { request, response };'],
  ['arrow handlers', 'export const request = (ctx) => ({ payload: ctx.args });\nexport const response = (ctx) => ctx.result;'],
  ['function expressions', 'export const request = function (ctx) { return 1; };\nexport const response = function named(ctx) { return 2; };'],
  [
    'imports of listed helpers',
    handlers(
      'return get({ key: { id: ctx.args.id } });',
      'return util.dynamodb.toMapValues(ctx.result);',
      "import { util } from '@aws-appsync/utils';\nimport { get } from '@aws-appsync/utils/dynamodb';",
    ),
  ],
  ['an unused import of a refused name', handlers('return 1;', 'return 2;', "import { util, runtime, extensions } from '@aws-appsync/utils';")],
  [
    'a namespace import',
    handlers('return ddb.put({ key: {}, item: {} });', 'return ddb.operations.increment(1);', "import * as ddb from '@aws-appsync/utils/dynamodb';"),
  ],
  [
    'sql templates',
    handlers(
      'return createPgStatement(sql`select ${ctx.args.id}`);',
      'return toJsonObject(ctx.result)[0];',
      "import { createPgStatement, sql, toJsonObject } from '@aws-appsync/utils/rds';",
    ),
  ],
  [
    'top-level constants and a directive',
    handlers('return { payload: [A, B, C] };', 'return ctx.result;', "'use strict';\nconst A = [1, 'x', { y: -2 }];\nconst B = `t`;\nconst C = A;"),
  ],
  ['constants declared after the handlers', `${handlers('return { payload: LATER };')}\nconst LATER = 1;`],
  [
    'every operator of the subset',
    handlers(
      'return { payload: [a + 1, a - 1, a * 2, a / 2, a % 2, a < 1, a > 1, a <= 1, a >= 1, a === 1, a !== 1, !a, -a, typeof a, a ?? 1, a || 1, a && 1, a ? 1 : 2, `${a}`] };',
      undefined,
      'const a = 3;',
    ),
  ],
  ['early returns', handlers('if (!ctx.args.id) return null;\nif (ctx.args.x) { return { payload: 1 }; }\nreturn 2;')],
  [
    'a guard with anything inside',
    handlers('if (ctx.error) { util.error(ctx.error.message); for (;;) {} }\nreturn ctx.result;', undefined, "import { util } from '@aws-appsync/utils';"),
  ],
  [
    'patterns with defaults, aliases and rest',
    handlers('const { a, b: c, d = 1, ...rest } = ctx.args;\nconst { args } = ctx;\nreturn { payload: [a, c, d, rest, args] };'),
  ],
  ['optional chains and literal members', handlers("return { payload: [ctx.args?.a?.b, ctx.args.list[0], ctx.args['x-y'], ctx.args.s.length] };")],
  ['runtime.earlyReturn, imported', handlers('return runtime.earlyReturn(1);', undefined, "import { runtime } from '@aws-appsync/utils';")],
  [
    'runtime.earlyReturn, the global, as a statement and in guards',
    handlers("if (!ctx.args.id) runtime.earlyReturn();\nif (ctx.args.x) { runtime.earlyReturn(1, { skipTo: 'END' }); }\nruntime.earlyReturn(2);"),
  ],
  ['a function of its own', `${handlers('return { payload: twice(ctx.args.n) };')}\nfunction twice(n) { return n * 2; }`],
  [
    'functions calling functions, declared before and after, as arrows and expressions',
    `const K = 1;\nconst add = (a, b) => a + b + K;\nconst shape = function (row) {\n  if (!row) return null;\n  const { id, ...rest } = row;\n  return { id: add(id, 0), rest, more: last() };\n};\n${handlers('return shape(ctx.args);', 'return shape(ctx.result);')}\nfunction last() { return add(1, 2); }`,
  ],
  ['a function given the whole ctx', `${handlers('return pick(ctx);')}\nfunction pick(c) { return c.args.id; }`],
  [
    'Number(), String() and string methods',
    handlers(
      "return { payload: [Number(ctx.args.p), String(ctx.args.n), ctx.args.d.replace(' ', 'T'), ctx.args.s.toUpperCase(), ctx.args.s.toLowerCase(), ctx.args.s.trim(), ctx.args.s.startsWith('a', 1), ctx.args.s.endsWith('a'), ctx.args.s.includes('a'), ctx.args.s.slice(1, 2), ctx.args.s.slice(), ctx.args.s.split(',')] };",
    ),
  ],
  [
    "map with a function of the file's",
    `${handlers('return ctx.args.l.map(f);', 'return toJsonObject(ctx.result)[0].map(g);', "import { toJsonObject } from '@aws-appsync/utils/rds';")}\nfunction f(v) { return v; }\nconst g = () => 1;`,
  ],
  [
    "a string method on a member of a helper's result",
    handlers('return util.str.toUpper(ctx.args.s).trim();', undefined, "import { util } from '@aws-appsync/utils';"),
  ],
  [
    'calls nested as deep as the limit (16)',
    `${Array.from({ length: 16 }, (_, i) => (i === 0 ? 'function f0(x) { return x; }' : `function f${i}(x) { return f${i - 1}(x); }`)).join('\n')}\n${handlers('return f15(1);')}`,
  ],
];

const REFUSED: Array<[string, string, RegExp]> = [
  ['util.error as a statement', handlers("util.error('x');\nreturn 1;", undefined, "import { util } from '@aws-appsync/utils';"), /a expression statement/],
  [
    'util.error in an expression',
    handlers("return util.error('x');", undefined, "import { util } from '@aws-appsync/utils';"),
    /util\.error, which the subset does not call/,
  ],
  ['runtime used as a value', handlers('return runtime;'), /runtime used as a value/],
  ['another member of runtime', handlers('return runtime.other(1);'), /a call of runtime/],
  ['runtime.earlyReturn at the top level', `const X = runtime.earlyReturn(1);\n${handlers('return X;')}`, /runtime\.earlyReturn at the top level/],
  ['a call alone other than runtime.earlyReturn', handlers('ctx.args.x;\nreturn 1;'), /a expression statement/],
  [
    'util.matches',
    handlers("return util.matches('a', 'b');", undefined, "import { util } from '@aws-appsync/utils';"),
    /util\.matches, which the subset does not call/,
  ],
  [
    'extensions',
    handlers('return extensions.setSubscriptionFilter({});', undefined, "import { extensions } from '@aws-appsync/utils';"),
    /extensions, which the subset does not call/,
  ],
  ['console', handlers("console.log('x');\nreturn 1;"), /line 3: a expression statement/],
  ['console in an expression', handlers("return console.log('x');"), /a call of console/],
  ['a global', handlers('return Math.max(ctx.args.a, 1);'), /a call of Math/],
  ['JSON.stringify with an indent', handlers('return JSON.stringify(ctx.args, null, 2);'), /JSON\.stringify\(\) with other than one argument/],
  [
    'JSON.parse with a reviver',
    handlers('return JSON.parse(ctx.args.s, f);') + 'function f(k, v) { return v; }',
    /JSON\.parse\(\) with other than one argument/,
  ],
  ['another member of JSON', handlers('return JSON.rawJSON(ctx.args.s);'), /JSON\.rawJSON, which the subset does not call/],
  ['another member of Object', handlers('return Object.assign({}, ctx.args);'), /Object\.assign, which the subset does not call/],
  ['a computed member of Object', handlers("return Object['keys'](ctx.args);"), /Object\.\[…\], which the subset does not call/],
  ['Object.keys with a spread argument', handlers('return Object.keys(...ctx.args.l);'), /spread argument/],
  ['Object used as a value', handlers('return { o: Object };'), /Object used as a value/],
  ['JSON.parse used as a value', handlers('return [JSON.parse];'), /JSON used as a value/],
  ['a nested array pattern', handlers('const [[a]] = ctx.args.l;\nreturn a;'), /nested pattern/],
  ['an array pattern at the top level', `const [A] = [1];\n${handlers('return A;')}`, /destructuring top-level declaration/],
  ['an array pattern default reading a later name', handlers('const [a = b, b] = ctx.args.l;\nreturn a;'), /the name b before its declaration/],
  [
    'a const read before its declaration hides the outer one',
    `const x = 1;\n${handlers('const y = x;\nconst x = 2;\nreturn y;')}`,
    /the name x before its declaration/,
  ],
  ['a const initialised with itself', `const x = 1;\n${handlers('const x = x + 1;\nreturn x;')}`, /the name x before its declaration/],
  ['util shadowed by a constant', handlers('const util = ctx.args;\nreturn util.autoId();'), /a call of util/],
  ['a global as a value', handlers('return Math;'), /the name Math/],
  ['a relative import', handlers('return x;', undefined, "import { x } from './x.js';"), /an import from "\.\/x\.js"/],
  ['a default import', handlers('return u.util.autoId();', undefined, "import u from '@aws-appsync/utils';"), /default import/],
  ['let', handlers('let x = 1;\nreturn x;'), /a let declaration/],
  ['a loop', handlers('for (const x of []) {}\nreturn 1;'), /a for of statement/],
  ['an assignment', handlers('const o = {};\nreturn (o.x = 1);'), /assignment expression/],
  ['a function outside the subset', `${handlers('return helper();')}\nfunction helper() { let x = 1; return x; }`, /line 9: a let declaration/],
  ['recursion', `${handlers('return f(3);')}\nfunction f(n) { return n ? f(n - 1) : 0; }`, /recursion \(f calls itself/],
  ['recursion through another function', `${handlers('return f(3);')}\nfunction f(n) { return g(n); }\nconst g = (n) => f(n);`, /recursion/],
  [
    'calls nested deeper than the limit',
    `${Array.from({ length: 17 }, (_, i) => (i === 0 ? 'function f0(x) { return x; }' : `function f${i}(x) { return f${i - 1}(x); }`)).join('\n')}\n${handlers('return f16(1);')}`,
    /nested deeper than 16/,
  ],
  ['a function used as a value', `${handlers('return { payload: helper };')}\nfunction helper() { return 1; }`, /the function helper used as a value/],
  ['a call of a function at the top level', `function one() { return 1; }\nconst ONE = one();\n${handlers('return ONE;')}`, /a call of one at the top level/],
  ['a parameter with a default', `${handlers('return f();')}\nfunction f(x = 1) { return x; }`, /a parameter of f that is not a plain name/],
  ['a destructured parameter', `${handlers('return f(ctx.args);')}\nconst f = ({ a }) => a;`, /a parameter of f that is not a plain name/],
  [
    'an exported function other than the handlers',
    `${handlers('return 1;')}\nexport function helper() { return 1; }`,
    /an export other than the handlers \(helper\)/,
  ],
  ['arguments in a function', `${handlers('return f(1);')}\nfunction f() { return arguments; }`, /the name arguments/],
  ['a function defined in a handler', handlers('return [1].map((x) => x);'), /map with other than one of the file's functions, by name/],
  ['Number used as a value', handlers('return [Number];'), /Number used as a value/],
  ['String() without an argument', handlers('return String();'), /String\(\) with other than one argument/],
  ['Number() with two arguments', handlers('return Number(ctx.args.a, 2);'), /Number\(\) with other than one argument/],
  ['a string method with too many arguments', handlers("return ctx.args.s.split(',', 2);"), /split with 2 arguments/],
  ['replace with one argument', handlers("return ctx.args.s.replace('a');"), /replace with 1 arguments/],
  ['a computed method name', handlers("return ctx.args.s['trim']();"), /a call of ctx/],
  ['map with a helper', handlers('return ctx.args.l.map(util.autoId);', undefined, "import { util } from '@aws-appsync/utils';"), /map with other than/],
  [
    'map with a function of two parameters',
    `${handlers('return ctx.args.l.map(f);')}\nfunction f(v, i) { return i; }`,
    /f, which takes more than one parameter/,
  ],
  ['map at the top level', `function f(v) { return v; }\nconst L = [1].map(f);\n${handlers('return L;')}`, /a call of f at the top level/],
  ['recursion through map', `${handlers('return f([1]);')}\nfunction f(v) { return v.map(f); }`, /recursion \(f calls itself/],
  ['a method call outside the subset', handlers("return ctx.args.s.padStart(4, '-');"), /a call of ctx/],
  ['new', handlers('return new Date();'), /new expression/],
  ['a top-level let', `let x = 1;\n${handlers('return x;')}`, /a top-level let declaration/],
  ['a top-level statement', `if (true) {}\n${handlers('return 1;')}`, /a top-level if statement/],
  ['another export', `export const x = 1;\n${handlers('return 1;')}`, /an export other than the handlers/],
  [
    'an export list naming something else',
    `function request(ctx) { return 1; }\nfunction response(ctx) { return 1; }\nexport { request, response as other };`,
    /an export other than the handlers \(other\)/,
  ],
  ['a handler declared but not exported', `function request(ctx) { return 1; }\nexport function response(ctx) { return 1; }`, /a function request/],
  ['a missing handler', 'export function request(ctx) { return 1; }', /no exported response handler/],
  ['an async handler', 'export async function request(ctx) { return 1; }\nexport function response(ctx) { return 1; }', /async or generator/],
  ['two parameters', 'export function request(ctx, x) { return 1; }\nexport function response(ctx) { return 1; }', /more than one plain parameter/],
  ['an else branch', handlers('if (ctx.x) { return 1; } else { return 2; }'), /else branch/],
  ['a return in a guard is fine, but a return before the end is not', handlers('return 1;\nconst x = 2;'), /return before the last statement/],
  ['a var in a guard', handlers('if (ctx.args.x) { var y = 1; }\nreturn 1;'), /a var declaration/],
  ['a computed member', handlers('const k = "a";\nreturn ctx.args[k];'), /computed member that is not a literal/],
  ['__proto__', handlers('return ctx.args.__proto__;'), /reading __proto__/],
  ['a __proto__ key', handlers('return { __proto__: null };'), /not a plain name/],
  ['a method in an object', handlers('return { m() {} };'), /method, accessor or computed key/],
  [
    'a spread argument',
    handlers('return util.dynamodb.toMapValues(...ctx.args.list);', undefined, "import { util } from '@aws-appsync/utils';"),
    /spread argument/,
  ],
  ['a helper used as a value', handlers('return { payload: get };', undefined, "import { get } from '@aws-appsync/utils/dynamodb';"), /used as a value/],
  ['== (not in the subset)', handlers('return ctx.args.a == 1;'), /the == operator/],
  ['in', handlers("return 'a' in ctx.args;"), /the in operator/],
  ['a regular expression', handlers('return /a+/;'), /regular expression/],
  ['a tagged template other than sql', handlers('return String.raw`x`;'), /tagged template other than sql/],
  ['a const used before its declaration', handlers('const a = b;\nconst b = 1;\nreturn a;'), /the name b/],
  ['typeof an unknown name', handlers('return typeof window;'), /typeof window/],
  ['a syntax error', 'export function request(ctx) { return ; ; }}', /does not parse/],
  ['a nested pattern', handlers('const { a: { b } } = ctx.args;\nreturn b;'), /nested pattern/],
  ['a compound write to the stash', handlers('ctx.stash.n += 1;\nreturn 1;'), /the \+= operator on the stash/],
  ['a stash key of Object.prototype', handlers('ctx.stash.toString = 1;\nreturn 1;'), /a stash key a built-in prototype has \(toString\)/],
  ['a __proto__ stash key', handlers("ctx.stash['__proto__'] = 1;\nreturn 1;"), /a stash key a built-in prototype has/],
  ['a computed stash key', handlers('ctx.stash[ctx.args.k] = 1;\nreturn 1;'), /computed stash key that is not a literal/],
  ['a write below the stash', handlers('ctx.stash.a.b = 1;\nreturn 1;'), /member write to something other than a const bound to an object literal/],
  ['a write to ctx', handlers('ctx.x = 1;\nreturn 1;'), /member write to something other than a const bound to an object literal/],
  [
    'a stash write in a function of the file',
    `${handlers('return f(ctx);')}\nfunction f(c) { c.stash.x = 1; return 1; }`,
    /member write to something other than a const bound to an object literal/,
  ],
  ['a member write to a helper result', handlers('const k = util.dynamodb.toMapValues({ a: 1 });\nk.b = 2;\nreturn k;'), /member write to something other/],
  ['a member write to a parameter', `${handlers('return f({});')}\nfunction f(o) { o.x = 1; return o; }`, /member write to something other/],
  ['a member write to an array literal', handlers('const l = [];\nl[0] = 1;\nreturn l;'), /member write to something other/],
  ['a member write below an object literal', handlers('const o = { a: {} };\no.a.b = 1;\nreturn o;'), /member write to something other/],
  ['a member write before its const', handlers('o.x = 1;\nconst o = {};\nreturn o;'), /before its declaration/],
  ['a member write of __proto__', handlers('const o = {};\no.__proto__ = { x: 1 };\nreturn o.x;'), /a key Object.prototype has \(__proto__\)/],
  ["a member write of ['__proto__']", handlers("const o = {};\no['__proto__'] = null;\nreturn o;"), /a key Object.prototype has \(__proto__\)/],
  ['a member write of constructor', handlers('const o = {};\no.constructor = 1;\nreturn o;'), /a key Object.prototype has \(constructor\)/],
  ['a member write of toString', handlers('const o = {};\no.toString = 1;\nreturn o;'), /a key Object.prototype has \(toString\)/],
  ['a member write of a computed key', handlers('const o = {};\no[ctx.args.k] = 1;\nreturn o;'), /computed member written to/],
  ['a member write as an expression', handlers('const o = {};\nreturn (o.x = 1);'), /assignment expression/],
  ['a member write with **=', handlers('const o = { n: 2 };\no.n **= 2;\nreturn o;'), /the \*\*= operator/],
  ['an assignment to a name', handlers('const o = {};\no = 1;\nreturn o;'), /an assignment to identifier/],
  ['a stash write as an expression', handlers('return (ctx.stash.x = 1);'), /assignment expression/],
  ['a call of the global util outside the listed helpers', handlers("return util.matches('a', ctx.args.s);"), /util\.matches, which the subset does not call/],
  ['this', handlers('return this;'), /this expression/],
];

describe('analysis: files in the subset', () => {
  for (const [name, source] of ELIGIBLE) {
    it(name, () => {
      const analysis = analyseSource(source);
      expect(analysis.reason).toBeUndefined();
      expect(analysis.module).toBeDefined();
    });
  }
});

describe('analysis: files outside it, with the reason', () => {
  for (const [name, source, reason] of REFUSED) {
    it(name, () => {
      const analysis = analyseSource(source);
      expect(analysis.module).toBeUndefined();
      expect(analysis.reason).toMatch(reason);
    });
  }
});

describe('analysis of files', () => {
  it('a .ts file is analysed as its type-stripped code', async () => {
    const ts =
      "import { util } from '@aws-appsync/utils';\ntype Args = { id: string };\nexport function request(ctx: { args: Args }) {\n  return { payload: ctx.args.id as string };\n}\nexport function response(ctx: any): unknown {\n  return ctx.result;\n}\n";
    expect((await analyseFile('/x/r.ts', ts)).module).toBeDefined();
    expect((await analyseFile('/x/r.ts', `${ts}\nenum E { A }\n`)).reason).toMatch(/top-level/);
  });

  it('the bench fixtures are all in the subset', async () => {
    const dir = new URL('../../bench/fixtures/', import.meta.url);
    const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const file of files) expect((await analyseFile(file, readFileSync(new URL(file, dir), 'utf8'))).reason).toBeUndefined();
  });

  it('a file that writes the stash says so (it is evaluated only where no data source but NONE is called)', () => {
    expect(analyseSource(handlers('ctx.stash.a = 1;\nreturn {};')).module?.writesStash).toBe(true);
    expect(analyseSource(handlers('return ctx.stash.a;')).module?.writesStash).toBe(false);
    // A write in a guard's body is never evaluated: the guard hands the run over.
    expect(analyseSource(handlers("if (ctx.args.x) { ctx.stash.a = 1; util.error('no'); }\nreturn {};")).module?.writesStash).toBe(false);
    // In a branch of the subset it is.
    expect(analyseSource(handlers('if (ctx.args.x) { ctx.stash.a = 1; }\nreturn {};')).module?.writesStash).toBe(true);
  });

  it("the example's library resolvers: all in the subset", async () => {
    const dir = new URL('../../../resolvers/library/', import.meta.url);
    const reasons: Record<string, string | undefined> = {};
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.js')))
      reasons[file] = (await analyseFile(file, readFileSync(new URL(file, dir), 'utf8'))).reason;
    // createTwoBooks destructures an array and updateBook calls Object.keys: both in since the subset takes them.
    expect(Object.entries(reasons).filter(([, reason]) => reason !== undefined)).toEqual([]);
    expect(Object.keys(reasons).length).toBe(9);
  });
});

/** The example's updateBook request with its branches' bodies outside the subset (padStart): each `if` is a guard. */
const UPDATE_BOOK_GUARDS = handlers(
  "const { id, title, price } = ctx.args;\nconst values = {};\nif (title !== undefined && title !== null) values.title = title.padStart(1);\nif (price !== undefined) values.price = price.toFixed(2);\nif (Object.keys(values).length === 0) util.error('Nothing to update', 'BadRequest');\nreturn { payload: { id, values } };",
);

describe('analysis: handlers that hand over on every run are not in the subset', () => {
  const EVERY_RUN: Array<[string, string]> = [
    // No guard held: values is still {}, so the last one holds. Any guard that held handed over before it.
    ["updateBook's shape with its branches outside the subset (guards)", UPDATE_BOOK_GUARDS],
    ['a guard on a literal', handlers("if (true) util.error('always');\nreturn {};")],
    ['a guard on an empty object literal', handlers("const o = {};\nif (Object.keys(o).length === 0) {\n  util.error('empty');\n}\nreturn o;")],
    ['a guard on a value every path keeps', handlers("const o = { k: 0 };\nif (ctx.args.a) o.k = 1;\nif (o.k >= 0) util.error('set');\nreturn o;")],
    [
      'a guard on a value every branch decides',
      handlers("const o = { n: 1 };\nif (ctx.args.a) o.n = 2;\nif (o.n > 0 && typeof o.n === 'number') util.error('positive');\nreturn o;"),
    ],
    ['runtime.earlyReturn in a response handler', handlers('return { payload: 1 };', 'runtime.earlyReturn(ctx.result);\nreturn 2;')],
    [
      'runtime.earlyReturn returned by a response handler, after a guard',
      handlers('return {};', "if (ctx.error) util.error('x');\nreturn runtime.earlyReturn(1);"),
    ],
    ['an object literal written to the stash', handlers('ctx.stash.o = { a: ctx.args.a };\nreturn {};')],
    ['an array written to the stash after a branch', handlers('if (ctx.args.a) {\n  ctx.stash.n = 1;\n}\nctx.stash.l = [ctx.args.a];\nreturn {};')],
  ];
  it.each(EVERY_RUN)('%s', (_, source) => {
    expect(analyseSource(source).reason).toMatch(/handler hands over to the sandbox on every run/);
  });

  const SOME_RUNS: Array<[string, string]> = [
    ["the example's updateBook (a branch may add a key)", readFileSync(new URL('../../../resolvers/library/updateBook.js', import.meta.url), 'utf8')],
    ['a guard on ctx', handlers("if (ctx.args.x) util.error('x');\nreturn {};")],
    [
      'a guard on an object written in a branch',
      handlers("const o = {};\nif (ctx.args.a) o.a = 1;\nif (Object.keys(o).length === 0) util.error('empty');\nreturn o;"),
    ],
    ['&&= on a missing key writes nothing', handlers("const o = {};\no.k &&= 1;\nif (ctx.args.a) o.k ||= 1;\nif (o.k) util.error('set');\nreturn o;")],
    [
      'an early return before the guard',
      handlers("const o = {};\nif (ctx.args.a) return { payload: 1 };\nif (Object.keys(o).length === 0) util.error('empty');\nreturn o;"),
    ],
    [
      'runtime.earlyReturn in a request handler',
      handlers("if (ctx.args.a) runtime.earlyReturn(1);\nutil.error('x');", 'return ctx.result;').replace("util.error('x');", "if (true) util.error('x');"),
    ],
    [
      "a branch's own const does not hide the outer one after it",
      handlers(
        "const o = { a: 1 };\nif (true) {\n  const o = {};\n  ctx.stash.n = Object.keys(o).length;\n}\nif (Object.keys(o).length === 0) util.error('empty');\nreturn o;",
      ),
    ],
    [
      'an object kept in another, then written',
      handlers("const o = {};\nconst kept = { o };\nif (ctx.args.a) o.a = 1;\nif (Object.keys(kept.o).length === 0) util.error('empty');\nreturn kept;"),
    ],
    [
      'a top-level object written by a function of the file',
      handlers(
        "const filled = fill();\nif (Object.keys(TOP).length === 0) util.error('empty');\nreturn TOP;",
        undefined,
        'const TOP = {};\nfunction fill() {\n  TOP.a = 1;\n}',
      ),
    ],
  ];
  // Values doubled forty times: past 1,000 elements or characters the proof follows them no further (and takes no time).
  const doubled = (first: string, step: (p: string) => string) =>
    [`const v0 = ${first};`, ...Array.from({ length: 40 }, (_, i) => `const v${i + 1} = ${step(`v${i}`)};`)].join('\n');
  SOME_RUNS.push(
    [
      'a literal array doubled by spreads 40 times',
      handlers(`${doubled('[1, 2]', (p) => `[...${p}, ...${p}]`)}\nif (v40.length > 0) util.error('long');\nreturn {};`),
    ],
    ['a literal string doubled 40 times', handlers(`${doubled("'ab'", (p) => `${p} + ${p}`)}\nif (v40.length > 0) util.error('long');\nreturn {};`)],
  );
  it.each(SOME_RUNS)('not: %s', (_, source) => {
    expect(analyseSource(source).reason).toBeUndefined();
  });
});
