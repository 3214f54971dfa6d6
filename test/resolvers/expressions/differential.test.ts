/**
 * Handlers the gateway evaluates itself (docs/resolvers.md#handlers-the-gateway-evaluates) against
 * the sandbox: every row is one resolver file, served by a gateway with
 * `sandbox.evaluateSimpleHandlers` on and one with it off, sent the same request in the same
 * order; the whole GraphQL answers (errors included) must be identical. Each row also says where
 * it must run in the first gateway (in the gateway, handed to the sandbox at run time, or
 * refused at load), read from the debug log, so a row cannot pass by quietly taking the sandbox.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../../src/index.js';
import { startTestGateway, type TestGateway } from '../../utils/gateway.js';
import { differentialConfig, expectSameAnswer, type Line } from './differentialHarness.js';

const LIBRARY = (file: string) => readFileSync(fileURLToPath(new URL(`../../../resolvers/library/${file}`, import.meta.url)), 'utf8');
const MIGRATIONS = fileURLToPath(new URL('../../../db/migrations', import.meta.url));

type Where = 'gateway' | 'fallback' | 'sandbox';
interface Row {
  name: string;
  /** The whole file; `none(expr)` builds the common NONE pair. */
  code: string;
  ds?: 'none' | 'ddb' | 'pg';
  where: Where;
  args?: string;
  mutation?: boolean;
  /** The field's type (default AWSJSON, which shows the value's exact JSON). */
  type?: string;
  selection?: string;
}

const none = (payload: string, response = 'return ctx.result;', imports = "import { util } from '@aws-appsync/utils';") =>
  `${imports}\nexport function request(ctx) {\n  return { payload: ${payload} };\n}\nexport function response(ctx) {\n  ${response}\n}\n`;
const DDB = "import { util } from '@aws-appsync/utils';\nimport { get, put, update, remove, query, scan, operations } from '@aws-appsync/utils/dynamodb';";
const RDS =
  "import { util } from '@aws-appsync/utils';\nimport { createPgStatement, select, insert, sql, toJsonObject, typeHint } from '@aws-appsync/utils/rds';";
const pair = (imports: string, request: string, response: string) =>
  `${imports}\nexport function request(ctx) {\n${request}\n}\nexport function response(ctx) {\n${response}\n}\n`;

const J = (value: unknown) => JSON.stringify(JSON.stringify(value));
const ARGS = `a: "hi", n: 3, f: 2.5, b: true, l: ["x", "y"], j: ${J({ x: { y: 1 }, s: 'str', list: [1, null, 'z'], nested: { deep: [{ k: 'v' }] } })}`;

const ROWS: Row[] = [
  // ---- NONE: every construct
  { name: 'echo', code: none('ctx.args.a'), where: 'gateway', args: ARGS, type: 'String' },
  { name: 'literals', code: none("{ s: 'x', n: 1.5, t: true, f: false, nu: null, u: undefined, z: -0, big: 1e21, e: '' }"), where: 'gateway' },
  { name: 'template', code: none('`${ctx.args.a}-${ctx.args.n}-${null}-${undefined}-${true}-${ctx.args.f}`'), where: 'gateway', args: ARGS },
  {
    name: 'Number() and String() of JSON primitives',
    code: none(
      "[Number(ctx.args.a), Number('12.50'), Number(''), Number(' 7 '), Number(null), Number(true), Number(ctx.args.n), Number('0x1f'), Number('1e3'), Number('-0'), Number(ctx.args.f), String(ctx.args.n), String(null), String(false), String(ctx.args.f), String(-0), String(1e21), String(ctx.args.a), String(0.1 + 0.2)]",
    ),
    where: 'gateway',
    args: ARGS,
  },
  { name: 'Number() of an array (falls back)', code: none('Number(ctx.args.l)'), where: 'fallback', args: ARGS },
  { name: 'String() of an object (falls back)', code: none('String(ctx.args.j)'), where: 'fallback', args: ARGS },
  { name: 'Number() of undefined (falls back)', code: none('Number(ctx.args.missing)'), where: 'fallback', args: ARGS },
  { name: 'Number used as a value (refused)', code: none('[Number]'), where: 'sandbox' },
  {
    name: 'string methods',
    code: none(
      "['a b a'.replace('a', 'x'), ctx.args.a.replace('h', 'H'), 'aXbXc'.replace('X', ''), 'abc'.replace('', '-'), 'abc'.replace('z', 'y'), '2020-01-02 03:04:05'.replace(' ', 'T'), ' \\t Hi \\n'.trim(), 'ßtraße'.toUpperCase(), 'ÀB'.toLowerCase(), 'abc'.startsWith('b', 1), 'abc'.startsWith('b'), 'abc'.endsWith('b', 2), 'abc'.endsWith('c'), 'abc'.includes('c', 3), 'abc'.includes('bc'), 'abcdef'.slice(1, -1), 'abc'.slice(-2), 'abc'.slice(), 'abc'.slice(2, 1), 'a,b,,c'.split(','), ''.split(','), 'abc'.split(''), 'a--b--'.split('--'), ctx.args.j.s.toUpperCase()]",
    ),
    where: 'gateway',
    args: ARGS,
  },
  { name: 'replace with $ in the replacement (falls back)', code: none("['abc'.replace('b', '[$&]'), 'abc'.replace('c', '$$')]"), where: 'fallback' },
  { name: 'includes on an array (falls back)', code: none("ctx.args.l.includes('x')"), where: 'fallback', args: ARGS },
  { name: 'a string method on a number (falls back to the TypeError)', code: none('ctx.args.n.toUpperCase()'), where: 'fallback', args: ARGS },
  { name: 'split by a number (falls back)', code: none('ctx.args.a.split(ctx.args.n)'), where: 'fallback', args: ARGS },
  { name: 'split with a limit (refused)', code: none("ctx.args.a.split('', 1)"), where: 'sandbox', args: ARGS },
  {
    name: "map with a function of the file's",
    code: `${pair('', '  return { payload: { tags: ctx.args.l.map(tag), ones: ctx.args.j.list.map(one) } };', '  return [ctx.result.tags.map(tag), ctx.result.ones];')}function tag(v) {\n  return { v, up: typeof v === 'string' ? v.toUpperCase() : v };\n}\nfunction one() {\n  return 1;\n}\n`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'map over a string (falls back to the TypeError)',
    code: `${pair('', '  return { payload: ctx.args.a.map(id) };', '  return ctx.result;')}function id(v) {\n  return v;\n}\n`,
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'map with a function of two parameters (refused: map passes the index)',
    code: `${pair('', '  return { payload: ctx.args.l.map(both) };', '  return ctx.result;')}function both(v, i) {\n  return [v, i];\n}\n`,
    where: 'sandbox',
    args: ARGS,
  },
  { name: 'optional chains', code: none('[ctx.args.j?.x?.y, ctx.args.j?.missing?.y, ctx.args.missing?.x.y.z, ctx.args?.a]'), where: 'gateway', args: ARGS },
  {
    name: 'literal members',
    code: none("[ctx.args.l[0], ctx.args.l['1'], ctx.args.l[5], ctx.args.a.length, ctx.args.a[0], ctx.args.l.length, ctx.args.j['s'], ctx.args.a.nope]"),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'destructuring, rest, shorthand and spread',
    code: pair(
      '',
      '  const { a, n: count, missing = "dflt", f = 9, ...rest } = ctx.args;\n  return { payload: { a, count, missing, f, rest, ...ctx.args.j, a2: a } };',
      'return ctx.result;',
    ),
    where: 'gateway',
    args: ARGS,
  },
  { name: 'array spread', code: none('[...ctx.args.l, 1, ...[2, 3], ...ctx.args.j.list]'), where: 'gateway', args: ARGS },
  {
    name: 'conditional and logical',
    code: none(
      "[ctx.args.n > 1 ? 'big' : 'small', ctx.args.a || 'x', ctx.args.missing || 'x', ctx.args.missing ?? 'dflt', ctx.args.a && ctx.args.n, !ctx.args.b, !!ctx.args.l, 0 || null, '' ?? 1]",
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'arithmetic',
    code: none('[ctx.args.n + 1, ctx.args.n - 1, ctx.args.n * 2, ctx.args.n / 3, ctx.args.n % 2, ctx.args.f / 0, 0 / 0, -ctx.args.n, -0, 0.1 + 0.2]'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'comparisons',
    code: none(
      "['a' < 'b', ctx.args.a === 'hi', ctx.args.a !== 'x', ctx.args.n >= 3, ctx.args.n <= 2, ctx.args.j === ctx.args.j, ctx.args.missing === undefined, null === undefined]",
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'typeof',
    code: none('[typeof ctx.args.a, typeof ctx.args.j, typeof undefined, typeof ctx.args.l, typeof ctx.args.n, typeof null, typeof ctx.args.missing]'),
    where: 'gateway',
    args: ARGS,
  },
  { name: 'string concatenation', code: none("'x' + ctx.args.n + true + null + undefined + ctx.args.a + 1.5"), where: 'gateway', args: ARGS },
  {
    name: 'ctx members',
    code: none(
      "{ identity: ctx.identity, source: ctx.source, header: ctx.request.headers['x-differential'], domain: ctx.request.domainName, field: ctx.info.fieldName, parent: ctx.info.parentTypeName, variables: ctx.info.variables, list: ctx.info.selectionSetList, gql: ctx.info.selectionSetGraphQL, info: ctx.info, env: ctx.env, prev: ctx.prev, stash: ctx.stash, result: ctx.result, error: ctx.error, args: ctx.arguments === ctx.args }",
    ),
    where: 'gateway',
    args: ARGS,
  },
  { name: 'the whole ctx', code: none('{ ...ctx, request: ctx.request.domainName }'), where: 'gateway', args: ARGS },
  {
    name: 'ctx destructured',
    code: pair(
      '',
      '  const { args, info, stash, ...others } = ctx;\n  return { payload: { a: args.a, f: info.fieldName, stash, keys: others.prev } };',
      'return ctx.result;',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'top-level constants',
    code: `import { util } from '@aws-appsync/utils';\nconst COLUMNS = ['a', 'b', { c: -1 }];\nconst DEFAULTS = { limit: 20, label: \`fixed\` };\nconst ID = util.dynamodb.toString('k');\nexport function request(ctx) { return { payload: { COLUMNS, DEFAULTS, ID, limit: ctx.args.n ?? DEFAULTS.limit } }; }\nexport function response(ctx) { return { ...ctx.result, again: COLUMNS }; }\n`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'arrow handlers',
    code: `export const request = (ctx) => ({ payload: ctx.args.a });\nexport const response = (ctx) => { const r = ctx.result; return [r, r]; };\n`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'util.dynamodb',
    code: none(
      '[util.dynamodb.toMapValues(ctx.args.j), util.dynamodb.toDynamoDB(ctx.args.l), util.dynamodb.toString(ctx.args.a), util.dynamodb.toNumber(ctx.args.n), util.dynamodb.toStringSet(ctx.args.l), util.dynamodb.toNull(), util.dynamodb.toMapValues(null), util.dynamodb.toS3Object("k", "b", "r")]',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'util pure members',
    code: none(
      "[util.authType(), util.time.epochMilliSecondsToISO8601(0), util.time.parseISO8601ToEpochMilliSeconds('2020-01-02T03:04:05Z'), util.str.toUpper(ctx.args.a), util.base64Encode('hé'), util.urlEncode('a b&c'), util.math.maxVal(1, ctx.args.n), util.transform.toDynamoDBFilterExpression({ n: { gt: 1 } })]",
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'dynamodb builders',
    code: none(
      "[get({ key: { id: ctx.args.a } }), put({ key: { id: 'x' }, item: ctx.args.j, condition: { id: { attributeExists: false } } }), update({ key: { id: 'x' }, update: { n: operations.increment(2), gone: operations.remove(), s: 'v' } }), query({ query: { id: { eq: 'x' } }, filter: { n: { gt: 1 } }, limit: 5 }), scan({ limit: 1 }), remove({ key: { id: 'x' } })]",
      'return ctx.result;',
      DDB,
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'rds builders and sql',
    code: none(
      "[createPgStatement(select({ table: 'books', columns: ['id', { t: 'title' }], where: { id: { eq: ctx.args.n }, title: { beginsWith: 'A' } }, limit: 2 })), createPgStatement(sql`select * from books where id = ${ctx.args.n} and title = ${ctx.args.a}`), createPgStatement(insert({ table: 'books', values: { title: ctx.args.a, metadata: typeHint.JSON(ctx.args.j) } }))]",
      'return ctx.result;',
      RDS,
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'namespace import',
    code: `import * as ddb from '@aws-appsync/utils/dynamodb';\n${none('ddb.get({ key: { id: ctx.args.a } })', 'return ctx.result;', '')}`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a guard that does not hold',
    code: pair(DDB, "  if (ctx.args.n > 100) {\n    util.error('too big', 'TooBig');\n  }\n  return { payload: ctx.args.n };", 'return ctx.result;'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a guard that holds',
    code: pair(
      DDB,
      "  if (ctx.args.n > 1) {\n    util.error('too big', 'TooBig', { n: ctx.args.n });\n  }\n  return { payload: ctx.args.n };",
      'return ctx.result;',
    ),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'early returns (taken and not)',
    code: pair(
      '',
      "  if (!ctx.args.a) return { payload: 'none' };\n  const { n } = ctx.args;\n  if (n > 2) {\n    return { payload: { big: n } };\n  }\n  return { payload: n };",
      '  if (ctx.result === null) return;\n  return ctx.result;',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'an early return not taken',
    code: pair('', "  if (ctx.args.n > 100) return { payload: 'big' };\n  return { payload: ctx.args.n };", '  return ctx.result;'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'an early return of nothing',
    code: pair('', '  if (ctx.args.missing === undefined) return;\n  return { payload: 1 };', '  return ctx.result;'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'an early return outside the subset (a guard)',
    code: pair('', '  if (ctx.args.n > 1) return { payload: Math.max(ctx.args.n, 1) };\n  return { payload: 1 };', '  return ctx.result;'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'an own __proto__ key',
    code: none('{ ...ctx.args.j, copy: ctx.args.j }'),
    where: 'gateway',
    args: `j: ${J(JSON.parse('{"__proto__": {"x": 1}, "a": 2}'))}`,
  },
  {
    name: 'awkward strings',
    code: none('[ctx.args.a, ctx.args.a + \'\\u2028\', `${ctx.args.a}\\n"q"`]'),
    where: 'gateway',
    args: 'a: "\\ud800 lone and \\u0001 control"',
  },
  { name: 'payload missing', code: none('undefined', 'return [ctx.result, ctx.prev];').replace('{ payload: undefined }', '[1, 2]'), where: 'gateway' },
  {
    name: 'typed object result',
    code: none("{ id: ctx.args.a, title: 'T', views: ctx.args.n, extra: [1] }"),
    where: 'gateway',
    args: ARGS,
    type: 'Post',
    selection: '{ id title views }',
  },
  {
    name: 'the payload made JSON between the handlers',
    code: none(
      '[undefined, ctx.args.f / 0, 0 / 0, { u: undefined, v: 1 }]',
      'return [typeof ctx.result[0], ctx.result[1] === null, ctx.result[2] === null, ctx.result[3].u === undefined];',
    ),
    where: 'gateway',
    args: ARGS,
  },
  { name: 'NaN for a Float field', code: none('1', 'return 0 / 0;'), where: 'gateway', type: 'Float' },
  { name: 'an Int field given a string', code: none("'x' + ctx.args.n"), where: 'gateway', args: ARGS, type: 'Int' },

  // ---- Object.keys/values/entries, JSON.stringify/parse, array patterns, the global util
  {
    name: 'Object.keys, values and entries (integer-like keys first, as JavaScript orders them)',
    code: none(
      '[Object.keys(ctx.args.j), Object.values(ctx.args.j), Object.entries(ctx.args.j), Object.keys(ctx.args.l), Object.entries(ctx.args.l), Object.keys({}), Object.entries({ u: undefined, z: 1 }), Object.keys(ctx.args.j).length, Object.keys(ctx.info), Object.keys(ctx)]',
    ),
    where: 'gateway',
    args: `l: ["x", "y"], j: ${J(JSON.parse('{"b": 1, "10": "ten", "a": [1], "2": null, "__proto__": {"p": 1}, "-1": "neg"}'))}`,
  },
  { name: 'Object.keys of a string (falls back)', code: none('Object.keys(ctx.args.a)'), where: 'fallback', args: ARGS },
  { name: 'Object.values of undefined (falls back to the TypeError)', code: none('Object.values(ctx.args.missing)'), where: 'fallback', args: ARGS },
  { name: 'Object.entries of a number (falls back)', code: none('Object.entries(ctx.args.n)'), where: 'fallback', args: ARGS },
  {
    name: 'JSON.stringify of JSON values',
    code: none(
      '[JSON.stringify(ctx.args.j), JSON.stringify(ctx.args), JSON.stringify({ u: undefined, n: 0 / 0, i: -1 / 0, z: -0, l: [undefined, 1], big: 1e21, small: 1e-7 }), JSON.stringify(\'\\u2028 "q" \\\\ \\n\'), JSON.stringify(ctx.args.a), JSON.stringify(null), JSON.stringify(ctx.info), JSON.stringify(ctx.args.f), typeof JSON.stringify(undefined), JSON.stringify([])]',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'JSON.stringify of awkward strings and an own __proto__ key',
    code: none('[JSON.stringify(ctx.args.a), JSON.stringify(ctx.args.j), JSON.stringify({ ...ctx.args.j })]'),
    where: 'gateway',
    args: `a: "\\ud800 lone \\u0001 control \\udc00", j: ${J(JSON.parse('{"__proto__": {"x": 1}, "a": 2}'))}`,
  },
  {
    name: 'JSON.stringify of a class instance (falls back)',
    code: none("JSON.stringify(select({ table: 'books' }))", 'return ctx.result;', RDS),
    where: 'fallback',
  },
  {
    name: 'JSON.parse, invalid text answering ""',
    code: none(
      '[JSON.parse(ctx.args.a), JSON.parse(\'{"x": [1, 2.5, null, true], "y": "\\\\u0041"}\'), JSON.parse(\'\'), JSON.parse(\'{bad\'), JSON.parse(\' 12 \'), JSON.parse(\'"s"\'), JSON.parse(\'{"a": 1, "a": 2}\'), JSON.parse(\'null\'), JSON.parse(\'[1,]\'), JSON.parse(JSON.stringify(ctx.args.j)), JSON.parse(\'{"__proto__": {"p": 1}}\').p, Object.keys(JSON.parse(\'{"__proto__": 1, "b": 2}\'))]',
    ),
    where: 'gateway',
    args: `a: ${J({ from: 'args', list: [1, { deep: true }] })}, j: ${J({ x: 1, l: ['a'] })}`,
  },
  { name: 'JSON.parse of a number (falls back)', code: none('JSON.parse(ctx.args.n)'), where: 'fallback', args: ARGS },
  {
    name: 'JSON.parse of an HTTP-like body in the response',
    code: none('{ statusCode: 200, body: JSON.stringify(ctx.args.j) }', 'return JSON.parse(ctx.result.body);'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'array patterns: names, holes, defaults and a rest',
    code: pair(
      '',
      "  const [a, , c = 'dflt', ...rest] = ctx.args.l;\n  const [x = a, y = 'none', ...empty] = ctx.args.j.list;\n  const [] = ctx.args.l;\n  return { payload: { a, c, rest, x, y, empty } };",
      '  const [first, ...others] = [ctx.result.a, ctx.result.c];\n  return [ctx.result, first, others];',
    ),
    where: 'gateway',
    args: `l: ["p", "q", "r", "s", "t"], j: ${J({ list: [null, undefined] })}`,
  },
  {
    name: 'an array pattern of a short array (missing names undefined, defaults taken)',
    code: pair('', "  const [a, b = 'B', c] = ctx.args.l;\n  return { payload: [a, b, typeof c] };", '  return ctx.result;'),
    where: 'gateway',
    args: 'l: ["only"]',
  },
  {
    name: 'an array pattern of a string (falls back: strings iterate)',
    code: pair('', '  const [a, b] = ctx.args.a;\n  return { payload: [a, b] };', '  return ctx.result;'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'an array pattern of an object (falls back to the TypeError)',
    code: pair('', '  const [a] = ctx.args.j;\n  return { payload: a };', '  return ctx.result;'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a const read before its declaration (refused: the sandbox throws, the outer one is hidden)',
    code: `const x = 'outer';\n${pair('', "  const y = x;\n  const x = 'inner';\n  return { payload: y };", '  return ctx.result;')}`,
    where: 'sandbox',
  },
  {
    name: 'the global util, as createEvent uses it',
    code: pair(
      "import * as ddb from '@aws-appsync/utils/dynamodb';",
      '  const id = ctx.args.a ?? util.autoUlid();\n  return { payload: [id, util.autoUlid().length, util.dynamodb.toString(ctx.args.a), util.str.toUpper(ctx.args.a), typeof util.time.nowEpochSeconds()] };',
      '  if (ctx.error) util.error(ctx.error.message, ctx.error.type);\n  return ctx.result;',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'the global util.error in a guard that holds',
    code: pair('', "  if (ctx.args.n > 1) util.error('global says no', 'Global', { n: ctx.args.n });\n  return { payload: 1 };", '  return ctx.result;'),
    where: 'fallback',
    args: ARGS,
  },

  // ---- stash writes (resolvers on NONE)
  {
    name: 'stash writes read back by the request, the response and the whole ctx (integer keys first, a key rewritten in place)',
    code: pair(
      '',
      "  ctx.stash.n = ctx.args.n;\n  ctx.stash['k-2'] = 'two';\n  ctx.stash[1] = null;\n  ctx.stash.u = undefined;\n  ctx.stash.nan = 0 / 0;\n  ctx.stash.n = ctx.stash.n + 1;\n  return { payload: [ctx.stash, Object.keys(ctx.stash), ctx.stash.n] };",
      '  ctx.stash.after = true;\n  return [ctx.result, ctx.stash, JSON.stringify(ctx.stash), { ...ctx }.stash, typeof ctx.stash.u, Object.keys(ctx.stash), ctx.stash.nan, JSON.stringify({ ...ctx, request: ctx.request.domainName })];',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'an object written to the stash (falls back)',
    code: pair('', '  ctx.stash.o = ctx.args.j;\n  return { payload: 1 };', '  return ctx.stash;'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a stash write, then a guard that holds (the whole run goes)',
    code: pair('', "  ctx.stash.x = ctx.args.n;\n  if (ctx.args.n > 1) util.error('no', 'No', ctx.stash);\n  return { payload: 1 };", '  return ctx.result;'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a stash write on DynamoDB',
    ds: 'ddb',
    code: pair(DDB, "  ctx.stash.x = 1;\n  return get({ key: { id: 'p1' } });", '  return [ctx.result, ctx.stash];'),
    where: 'gateway',
  },
  {
    name: 'a stash write on DynamoDB, then a response handed over: the sandbox run opened after the call is given the stash',
    ds: 'ddb',
    code: pair(
      DDB,
      "  ctx.stash.x = 1;\n  return get({ key: { id: 'p1' } });",
      "  if (ctx.stash.x === 1) {\n    util.appendError('noted', 'Note', ctx.stash);\n  }\n  return ctx.stash;",
    ),
    where: 'fallback',
  },

  // ---- member writes to the handler's own object literals
  {
    name: 'member writes: =, compound and logical operators, quoted and integer keys, prototype, a key rewritten in place',
    code: pair(
      '',
      "  const values = { b: 1, ...ctx.args.j };\n  values.a = ctx.args.a;\n  values[2] = 'two';\n  values['k-y'] = null;\n  values.b += ctx.args.n;\n  values.s = 'x';\n  values.s += ctx.args.a;\n  values.m = 10;\n  values.m -= 1;\n  values.m *= 2;\n  values.m /= 4;\n  values.m %= 3;\n  values.z ??= 'dflt';\n  values.a ??= 'kept';\n  values.zero = 0;\n  values.zero ??= 'not set';\n  values.t ||= 'set';\n  values.a &&= 'and';\n  values.e = '';\n  values.e &&= 'not set';\n  values.prototype = 'own';\n  values.u = undefined;\n  values.nan = 0 / 0;\n  values.b = values.b + 1;\n  return { payload: [values, Object.keys(values), values.prototype, JSON.stringify(values), typeof values.u] };",
      '  const out = { r: ctx.result };\n  out.keys = ctx.result[1];\n  out.r = ctx.result[0];\n  return out;',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: "member writes in branches (updateBook's shape), taken and not, with a const inside a branch",
    code: pair(
      '',
      "  const { a, n, missing } = ctx.args;\n  const values = {};\n  if (a !== undefined && a !== null) values.title = a;\n  if (missing !== undefined) values.missing = missing;\n  if (n > 1) {\n    const inner = { n };\n    inner.twice = n * 2;\n    values.inner = inner;\n    if (n > 100) values.huge = true;\n  }\n  if (Object.keys(values).length === 0) return { payload: 'nothing' };\n  return { payload: values };",
      '  return ctx.result;',
    ),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a top-level constant written by each call (made afresh per call, as the sandbox evaluates the module afresh)',
    code: `const TOTAL = { n: 0 };\nfunction bump() {\n  TOTAL.n += 1;\n  return TOTAL.n;\n}\n${pair('', '  TOTAL.n += ctx.args.n;\n  return { payload: [TOTAL.n, bump(), bump()] };', '  TOTAL.n += 100;\n  return [ctx.result, TOTAL];')}`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: "a function's own object literal, written on each call through map",
    code: `function row(v) {\n  const o = { v };\n  o.up = typeof v === 'string' ? v.toUpperCase() : v;\n  return o;\n}\n${none('ctx.args.l.map(row)')}`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'an object written after a helper was given it (the helper result shares it, in both)',
    code: none(
      '1',
      "const values = { title: { eq: 'a' } };\n  const statement = select({ table: 'books', where: values });\n  values.year = { ge: 1900 };\n  return [createPgStatement(statement), values];",
      RDS,
    ),
    where: 'gateway',
  },
  {
    name: 'a member write making a cycle (falls back to the TypeError of its JSON)',
    code: pair('', '  const o = {};\n  o.self = o;\n  return { payload: o };', '  return ctx.result;'),
    where: 'fallback',
  },
  {
    name: 'undefined += 1 (falls back: NaN)',
    code: pair('', '  const o = {};\n  o.n += 1;\n  return { payload: [o.n] };', '  return ctx.result;'),
    where: 'fallback',
  },
  {
    name: 'an object += a string (falls back)',
    code: pair('', "  const o = { j: ctx.args.j };\n  o.j += 'x';\n  return { payload: o };", '  return ctx.result;'),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a member write in a branch, then a guard that holds',
    code: pair(
      '',
      "  const o = {};\n  if (ctx.args.n > 1) o.big = true;\n  if (o.big) util.error('too big', 'TooBig', o);\n  return { payload: o };",
      '  return ctx.result;',
    ),
    where: 'fallback',
    args: ARGS,
  },
  {
    name: "updateBook's shape with its branches outside the subset (refused: a guard holds on every path)",
    code: pair(
      '',
      "  const { a, n } = ctx.args;\n  const values = {};\n  if (a !== undefined && a !== null) values.title = a.padStart(1);\n  if (n !== undefined) values.n = n.toFixed(2);\n  if (Object.keys(values).length === 0) util.error('Nothing to update', 'BadRequest');\n  return { payload: values };",
      '  return ctx.result;',
    ),
    where: 'sandbox',
    args: 'n: 3',
  },
  {
    name: 'the same given nothing (refused, the sandbox answers its util.error)',
    code: pair(
      '',
      "  const { a, n } = ctx.args;\n  const values = {};\n  if (a !== undefined && a !== null) values.title = a.padStart(1);\n  if (n !== undefined) values.n = n.toFixed(2);\n  if (Object.keys(values).length === 0) util.error('Nothing to update', 'BadRequest');\n  return { payload: values };",
      '  return ctx.result;',
    ),
    where: 'sandbox',
  },
  {
    name: 'an object literal written to the stash (refused: every run would hand over)',
    code: pair('', '  ctx.stash.o = { a: ctx.args.a };\n  return { payload: 1 };', '  return ctx.stash;'),
    where: 'sandbox',
    args: ARGS,
  },
  // __proto__ sets the prototype in the sandbox (SES keeps the accessor); constructor throws there (a frozen prototype's
  // property, not one SES lets objects override); toString is overridable there. All are refused: the sandbox decides.
  {
    name: 'a member write of __proto__ (refused)',
    code: pair('', '  const o = {};\n  o.__proto__ = { x: 1 };\n  return { payload: [o.x, Object.keys(o), o] };', '  return ctx.result;'),
    where: 'sandbox',
  },
  {
    name: "a member write of ['__proto__'] = null (refused)",
    code: pair('', "  const o = { a: 1 };\n  o['__proto__'] = null;\n  return { payload: [Object.keys(o), o] };", '  return ctx.result;'),
    where: 'sandbox',
  },
  {
    name: 'a member write of constructor (refused: a TypeError in the sandbox)',
    code: pair('', '  const o = {};\n  o.constructor = 1;\n  return { payload: o };', '  return ctx.result;'),
    where: 'sandbox',
  },
  {
    name: 'a member write of toString (refused: SES lets it override)',
    code: pair('', "  const o = {};\n  o.toString = 'x';\n  return { payload: o };", '  return ctx.result;'),
    where: 'sandbox',
  },
  {
    name: 'a member write to ctx.args (refused)',
    code: pair('', '  ctx.args.x = 1;\n  return { payload: ctx.args };', '  return [ctx.result, ctx.args];'),
    where: 'sandbox',
    args: ARGS,
  },
  {
    name: 'a member write to a const bound to ctx.info.variables (refused: frozen in the gateway, not in the sandbox)',
    code: pair('', '  const variables = ctx.info.variables;\n  variables.x = 1;\n  return { payload: variables };', '  return ctx.result;'),
    where: 'sandbox',
  },
  {
    name: "a member write to a helper's result (refused)",
    code: pair('', '  const item = util.dynamodb.toMapValues(ctx.args.j);\n  item.extra = 1;\n  return { payload: item };', '  return ctx.result;'),
    where: 'sandbox',
    args: ARGS,
  },

  // ---- functions of the file's own
  { name: 'a function of its own', code: `${none('twice(ctx.args.n)')}function twice(n) { return n * 2; }\n`, where: 'gateway', args: ARGS },
  {
    name: 'functions calling functions (arrows, guards, rest, missing and extra arguments)',
    code: `const K = 2;\nconst scale = (n) => n * K;\nfunction toRow(j, n) {\n  if (!j) return null;\n  const { x, ...rest } = j;\n  const m = n ?? 0;\n  return { x, rest, scaled: scale(m), again: scale(scale(m)), nothing: nothing(), missing: typeof n };\n}\nfunction nothing() {}\n${none('toRow(ctx.args.j, ctx.args.n)', 'return [ctx.result, toRow(null, 1), toRow(ctx.result.rest), toRow(ctx.result, 1, ctx.args.a)];')}`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'a function given the whole ctx, called twice',
    code: `function pick(c) {\n  return { a: c.args.a, field: c.info.fieldName, stash: c.stash, prev: c.prev };\n}\n${none('[pick(ctx), pick(ctx)]')}`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: "a guard that holds in a function's body",
    code: `import { util } from '@aws-appsync/utils';\nfunction check(n) {\n  if (n > 1) {\n    util.error('too big', 'TooBig', { n });\n  }\n  return n;\n}\n${none('check(ctx.args.n)', 'return ctx.result;', '')}`,
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a function reading a member of undefined',
    code: `const y = (o) => o.y;\n${none('y(ctx.args.missing)')}`,
    where: 'fallback',
    args: ARGS,
  },

  // ---- runtime.earlyReturn
  {
    name: 'runtime.earlyReturn (imported) as the return',
    code: none('1', 'return ctx.result;', "import { runtime } from '@aws-appsync/utils';").replace('return { payload: 1 };', 'return runtime.earlyReturn(5);'),
    where: 'gateway',
  },
  {
    name: 'runtime.earlyReturn (the global) in a guard that holds, with nothing',
    code: pair('', '  if (ctx.args.n > 1) runtime.earlyReturn();\n  return { payload: 1 };', '  return ctx.result;'),
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'runtime.earlyReturn as a statement, a value made JSON',
    code: pair('', '  runtime.earlyReturn({ u: undefined, n: 0 / 0, l: [undefined] }, { skipTo: "NEXT" });\n  return { payload: 1 };', '  return 2;'),
    where: 'gateway',
  },
  {
    name: 'runtime.earlyReturn in a function of the file',
    code: `function stop(v) {\n  runtime.earlyReturn({ stopped: v });\n}\n${none('stop(ctx.args.n)')}`,
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'runtime.earlyReturn in a response handler (refused: it would hand over on every run)',
    code: none('1', 'runtime.earlyReturn(2);\n  return 3;'),
    where: 'sandbox',
  },
  {
    name: 'runtime.earlyReturn in a response handler, after a guard that may hold',
    code: none('1', "if (ctx.args.n > 100) util.error('big');\n  runtime.earlyReturn(2);\n  return 3;"),
    where: 'sandbox',
    args: ARGS,
  },
  {
    name: 'runtime.earlyReturn with a skipTo of its own',
    code: pair('', "  runtime.earlyReturn(1, { skipTo: 'ELSEWHERE' });", '  return 2;'),
    where: 'fallback',
  },
  {
    name: 'an early value over the size limit',
    code: pair('', '  runtime.earlyReturn(ctx.args.a);', '  return 2;'),
    where: 'fallback',
    args: `a: "${'e'.repeat(4079)}"`,
  },

  // ---- eligible, but the sandbox must decide at run time
  { name: 'reading a member of null', code: none('ctx.args.missing.x'), where: 'fallback', args: ARGS },
  {
    name: 'destructuring undefined',
    code: pair('', '  const { x } = ctx.args.missing;\n  return { payload: x };', 'return ctx.result;'),
    where: 'fallback',
    args: ARGS,
  },
  { name: 'a helper that throws', code: none('select(ctx.args.n)', 'return ctx.result;', RDS), where: 'fallback', args: ARGS },
  { name: 'a helper given nothing', code: none('get()', 'return ctx.result;', DDB), where: 'fallback' },
  { name: 'object + number', code: none('ctx.args.j + 1'), where: 'fallback', args: ARGS },
  { name: 'number - string', code: none("ctx.args.n - 'x'"), where: 'fallback', args: ARGS },
  { name: 'an object in a template', code: none('`${ctx.args.j}`'), where: 'fallback', args: ARGS },
  { name: 'number < string', code: none("ctx.args.n < 'x'"), where: 'fallback', args: ARGS },
  { name: 'spreading a string', code: none('[...ctx.args.a]'), where: 'fallback', args: ARGS },
  { name: 'a prototype member', code: none('{ m: ctx.args.l.map, t: ctx.args.j.toString, c: ctx.args.j.constructor }'), where: 'fallback', args: ARGS },
  { name: 'a class instance as the result', code: none('1', "return select({ table: 'x' });", RDS), where: 'fallback' },
  {
    name: 'a result over the size limit',
    code: none("ctx.args.a + ctx.args.a + ctx.args.a + ctx.args.a + ctx.args.a + 'x'"),
    where: 'fallback',
    args: `a: "${'y'.repeat(900)}"`,
  },
  // 4,084 characters: 4,086 of JSON, within the limit alone but not inside the sandbox's answer frame ({"k":"ok","v":…}).
  { name: 'a result at the edge of the size limit', code: none('1', 'return ctx.args.a;'), where: 'fallback', args: `a: "${'e'.repeat(4084)}"` },
  { name: 'a result just within the size limit', code: none('1', 'return ctx.args.a;'), where: 'gateway', args: `a: "${'e'.repeat(4079)}"` },
  {
    name: 'a request over the size limit',
    code: none("{ big: ctx.args.a + ctx.args.a + ctx.args.a + ctx.args.a + ctx.args.a + 'x' }", 'return 1;'),
    where: 'fallback',
    args: `a: "${'y'.repeat(900)}"`,
  },

  // ---- refused at load: the sandbox runs them in both gateways
  { name: 'util.error', code: none('1', "return util.error('no', 'Nope');"), where: 'sandbox' },
  { name: 'a loop', code: pair('', '  for (const x of [1]) {}\n  return { payload: 1 };', 'return ctx.result;'), where: 'sandbox' },
  { name: 'console.log', code: pair('', "  console.log('x');\n  return { payload: 1 };", 'return ctx.result;'), where: 'sandbox' },
  { name: 'let', code: pair('', '  let x = 1;\n  return { payload: x };', 'return ctx.result;'), where: 'sandbox' },
  { name: 'recursion', code: `${none('down(ctx.args.n)')}function down(n) { return n > 0 ? down(n - 1) : 'done'; }\n`, where: 'sandbox', args: ARGS },
  { name: 'new', code: none('new Date(0).toISOString()'), where: 'sandbox' },
  { name: 'util.matches', code: none("util.matches('a+', ctx.args.a)"), where: 'sandbox', args: ARGS },
  { name: 'a method call outside the subset', code: none("ctx.args.a.padStart(4, '-')"), where: 'sandbox', args: ARGS },
  { name: 'a relative import', code: `import { twice } from './lib.js';\n${none('twice(ctx.args.n)')}`, where: 'sandbox', args: ARGS },
  {
    name: 'a var inside a guard',
    code: pair('', '  if (ctx.args.n > 100) { var n = 1; }\n  return { payload: ctx.args.n };', 'return ctx.result;'),
    where: 'sandbox',
    args: ARGS,
  },

  // ---- the embedded DynamoDB (each gateway its own table, filled by the same requests)
  {
    name: 'put',
    ds: 'ddb',
    mutation: true,
    code: pair(DDB, '  const { a, ...values } = ctx.args;\n  return put({ key: { id: a }, item: { ...values.j, n: values.n } });', 'return ctx.result;'),
    where: 'gateway',
    args: `a: "p1", n: 3, j: ${J({ title: 'T', tags: ['a'], nested: { m: 1 } })}`,
  },
  { name: 'get', ds: 'ddb', code: pair(DDB, '  return get({ key: { id: ctx.args.a } });', '  return ctx.result;'), where: 'gateway', args: 'a: "p1"' },
  {
    name: 'get a missing item',
    ds: 'ddb',
    code: pair(DDB, '  return get({ key: { id: ctx.args.a } });', '  return { found: ctx.result, error: ctx.error ?? null };'),
    where: 'gateway',
    args: 'a: "nope"',
  },
  {
    name: 'update with operations',
    ds: 'ddb',
    mutation: true,
    code: pair(
      DDB,
      "  return update({ key: { id: ctx.args.a }, update: { n: operations.increment(ctx.args.n), title: 'U', tags: operations.append(['b']) } });",
      '  return ctx.result;',
    ),
    where: 'gateway',
    args: 'a: "p1", n: 2',
  },
  {
    name: 'query',
    ds: 'ddb',
    code: pair(DDB, '  return query({ query: { id: { eq: ctx.args.a } } });', '  return ctx.result.items;'),
    where: 'gateway',
    args: 'a: "p1"',
  },
  {
    name: 'scan with a filter',
    ds: 'ddb',
    code: pair(DDB, '  return scan({ filter: { n: { gt: ctx.args.n } } });', '  return { items: ctx.result.items, next: ctx.result.nextToken };'),
    where: 'gateway',
    args: 'n: 1',
  },
  {
    name: 'a failed condition (ctx.error read)',
    ds: 'ddb',
    mutation: true,
    code: pair(
      DDB,
      '  return put({ key: { id: ctx.args.a }, item: { n: 0 }, condition: { id: { attributeExists: false } } });',
      '  return { error: ctx.error, result: ctx.result };',
    ),
    where: 'gateway',
    args: 'a: "p1"',
  },
  {
    name: 'a failed condition (util.error guard)',
    ds: 'ddb',
    mutation: true,
    code: pair(
      DDB,
      '  return put({ key: { id: ctx.args.a }, item: { n: 0 }, condition: { id: { attributeExists: false } } });',
      '  if (ctx.error) {\n    util.error(ctx.error.message, ctx.error.type);\n  }\n  return ctx.result;',
    ),
    where: 'fallback',
    args: 'a: "p1"',
  },
  {
    name: 'a response handed over after the data source (called once)',
    ds: 'ddb',
    mutation: true,
    code: pair(
      DDB,
      '  return update({ key: { id: ctx.args.a }, update: { n: operations.increment(1) } });',
      "  if (ctx.result.n > 0) {\n    util.error('n is now ' + ctx.result.n, 'Counted');\n  }\n  return ctx.result;",
    ),
    where: 'fallback',
    args: 'a: "p1"',
  },
  {
    name: 'runtime.earlyReturn skips the data source (the next row reads the item)',
    ds: 'ddb',
    mutation: true,
    code: pair(
      DDB,
      "  if (ctx.args.a === 'p1') {\n    runtime.earlyReturn({ skipped: ctx.args.a });\n  }\n  return remove({ key: { id: ctx.args.a } });",
      '  return ctx.result;',
    ).replace("import { util } from '@aws-appsync/utils';", "import { util, runtime } from '@aws-appsync/utils';"),
    where: 'gateway',
    args: 'a: "p1"',
  },
  {
    name: 'get after the updates',
    ds: 'ddb',
    code: pair(DDB, '  return get({ key: { id: ctx.args.a } });', '  return ctx.result;'),
    where: 'gateway',
    args: 'a: "p1"',
  },

  // ---- the embedded Postgres (PGlite), read-only rows of db/migrations' seed
  {
    name: 'select one row',
    ds: 'pg',
    code: pair(
      RDS,
      "  return createPgStatement(select({ table: 'books', columns: ['id', 'title', 'year', 'price', 'tags'], where: { id: { eq: ctx.args.n } } }));",
      '  return toJsonObject(ctx.result)[0][0];',
    ),
    where: 'gateway',
    args: 'n: 1',
  },
  {
    name: 'a sql template',
    ds: 'pg',
    code: pair(
      RDS,
      '  return createPgStatement(sql`select id, title from books where id <= ${ctx.args.n} order by id`);',
      '  return toJsonObject(ctx.result)[0];',
    ),
    where: 'gateway',
    args: 'n: 2',
  },
  {
    name: 'an SQL error',
    ds: 'pg',
    code: pair(
      RDS,
      '  return createPgStatement(sql`select * from no_such_table where id = ${ctx.args.n}`);',
      '  return { error: ctx.error, result: ctx.result };',
    ),
    where: 'gateway',
    args: 'n: 1',
  },
  {
    name: 'the raw result',
    ds: 'pg',
    code: pair(RDS, '  return createPgStatement(sql`select 1 as one, null as nothing`);', '  return ctx.result;'),
    where: 'gateway',
  },
  // The example API's library resolvers (their toBook: Number(), replace, map), as they are but for the argument's name.
  { name: "the example's getBook", ds: 'pg', code: LIBRARY('getBook.js').replace('ctx.args.id', 'ctx.args.n'), where: 'gateway', args: 'n: 1' },
  { name: "the example's getBook, no such row", ds: 'pg', code: LIBRARY('getBook.js').replace('ctx.args.id', 'ctx.args.n'), where: 'gateway', args: 'n: 999' },
  { name: "the example's listBooks", ds: 'pg', code: LIBRARY('listBooks.js'), where: 'gateway' },
  // createTwoBooks's response destructures toJsonObject's two statements; both gateways share one database, so its
  // request reads two rows instead of inserting them (an insert's second run would be refused by the unique title).
  {
    name: "the example's createTwoBooks response, on two selects",
    ds: 'pg',
    code: LIBRARY('createTwoBooks.js')
      .replace('import { createPgStatement, insert, toJsonObject }', 'import { createPgStatement, select, toJsonObject }')
      .replace(
        /return createPgStatement\([^;]*\);/,
        "return createPgStatement(select({ table: 'books', columns: COLUMNS, where: { id: { eq: ctx.args.n } } }), select({ table: 'books', columns: COLUMNS, where: { id: { eq: 2 } } }));",
      ),
    where: 'gateway',
    args: 'n: 1',
  },
  // updateBook is in the subset at load, but its request writes `values` in guards: every run is handed over.
  {
    name: "the example's listBooks with every filter (member writes in branches)",
    ds: 'pg',
    code: LIBRARY('listBooks.js').replace('= ctx.args;', '= ctx.args.j;'),
    where: 'gateway',
    args: `j: ${J({ filter: { minYear: 1880, titleContains: 'Adventures', inStock: true }, limit: 5 })}`,
  },
  {
    name: "the example's updateBook (its member writes evaluated)",
    ds: 'pg',
    code: LIBRARY('updateBook.js').replace('= ctx.args;', '= ctx.args.j;'),
    where: 'gateway',
    mutation: true,
    args: `j: ${J({ id: '3', price: 9.5 })}`,
  },
  {
    name: "the example's updateBook, every column",
    ds: 'pg',
    code: LIBRARY('updateBook.js').replace('= ctx.args;', '= ctx.args.j;'),
    where: 'gateway',
    mutation: true,
    args: `j: ${J({ id: '3', title: 'The Call of the Wild', price: 5.25, inStock: true })}`,
  },
  {
    name: "the example's updateBook given nothing to update (Object.keys(values).length === 0: the util.error guard holds)",
    ds: 'pg',
    code: LIBRARY('updateBook.js').replace('= ctx.args;', '= ctx.args.j;'),
    where: 'fallback',
    mutation: true,
    args: `j: ${J({ id: '3' })}`,
  },
];

/** A pipeline resolver: its own code (absent: none) and its functions, each a file on a data source. */
interface PipeRow {
  name: string;
  code?: string;
  functions: Array<{ code: string; ds?: 'none' | 'ddb' | 'pg' }>;
  where: Where;
  args?: string;
  mutation?: boolean;
}

const NONE_ECHO = pair('', '  return { payload: ctx.prev.result };', '  return ctx.result;');
const UTIL = "import { util, runtime } from '@aws-appsync/utils';";
const SHOW_AFTER = pair(
  '',
  '  return { started: ctx.args.n };',
  '  return { prev: ctx.prev.result, result: ctx.result, same: ctx.prev.result === ctx.result };',
);

const PIPES: PipeRow[] = [
  // ---- NONE
  {
    name: 'member writes in every handler: before, a function on NONE and after (each object its own, per call)',
    code: pair(
      'const SEEN = { calls: 0 };',
      '  SEEN.calls += 1;\n  const start = { a: ctx.args.a };\n  if (ctx.args.n > 1) start.big = true;\n  return { start, seen: SEEN.calls };',
      '  const out = { prev: ctx.prev.result };\n  out.keys = Object.keys(ctx.prev.result);\n  SEEN.calls += 10;\n  out.seen = SEEN.calls;\n  return out;',
    ),
    functions: [
      {
        code: pair(
          '',
          "  const o = { from: ctx.prev.result };\n  o.n = ctx.args.n;\n  o.n *= 2;\n  if (o.n > 100) o.huge = true;\n  o['k-2'] ??= 'set';\n  return { payload: o };",
          '  const r = { ...ctx.result };\n  r.after = true;\n  return r;',
        ),
      },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'before, two functions and after (prev, stash, the after handler given two copies)',
    code: pair(
      '',
      '  return { started: ctx.args.a, prevAtStart: ctx.prev, result: ctx.result, stash: ctx.stash };',
      '  return { prev: ctx.prev.result, result: ctx.result, same: ctx.prev.result === ctx.result, stash: ctx.stash, error: ctx.error };',
    ),
    functions: [
      {
        code: pair(
          '',
          '  return { payload: { seen: ctx.prev.result, n: ctx.args.n, result: ctx.result } };',
          "  return { ...ctx.result, at: 'f1', prev: ctx.prev.result };",
        ),
      },
      {
        code: pair(
          '',
          '  return { payload: [ctx.prev.result, ctx.stash, ctx.info.fieldName] };',
          '  return { f2: ctx.result, same: ctx.prev.result === ctx.result, prev: ctx.prev };',
        ),
      },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: "no code of its own: the last function's value (the first prev is {})",
    functions: [{ code: pair('', '  return { payload: ctx.prev.result };', '  return [ctx.result, ctx.args.n];') }, { code: NONE_ECHO }],
    where: 'gateway',
    args: ARGS,
  },
  { name: 'no functions: before to after', code: SHOW_AFTER, functions: [], where: 'gateway', args: ARGS },
  { name: 'neither code nor functions', functions: [], where: 'gateway' },
  {
    name: 'the same function twice, values made JSON between the steps',
    code: pair('', '  return { u: undefined, nan: 0 / 0, list: [undefined, 1] };', '  return ctx.prev.result;'),
    functions: [
      { code: pair('', '  return { payload: { p: ctx.prev.result, t: typeof ctx.prev.result.u } };', '  return ctx.result;') },
      { code: pair('', '  return { payload: { p: ctx.prev.result, t: typeof ctx.prev.result.u } };', '  return ctx.result;') },
    ],
    where: 'gateway',
  },
  {
    name: 'a guard that holds in the before handler (util.error)',
    code: pair(UTIL, "  if (ctx.args.n > 1) {\n    util.error('before says no', 'Before', { n: ctx.args.n });\n  }\n  return {};", '  return ctx.prev.result;'),
    functions: [{ code: NONE_ECHO }],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: "a guard that holds in a function's response on NONE (the whole run goes)",
    code: SHOW_AFTER,
    functions: [
      { code: NONE_ECHO },
      {
        code: pair(
          UTIL,
          '  return { payload: ctx.prev.result };',
          "  if (ctx.result.started > 1) {\n    util.appendError('noted', 'Note');\n  }\n  return ctx.result;",
        ),
      },
    ],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'runtime.earlyReturn with skipTo END in a guard that holds',
    code: SHOW_AFTER,
    functions: [
      {
        code: pair(
          UTIL,
          "  if (ctx.args.n > 1) {\n    runtime.earlyReturn({ early: ctx.args.n }, { skipTo: 'END' });\n  }\n  return { payload: 1 };",
          '  return ctx.result;',
        ),
      },
      { code: pair('', "  return { payload: 'not reached' };", '  return ctx.result;') },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'runtime.earlyReturn in the before handler: straight to the after handler',
    code: pair(UTIL, '  runtime.earlyReturn({ early: ctx.args.n });', '  return { prev: ctx.prev.result, result: ctx.result };'),
    functions: [{ code: pair('', "  return { payload: 'not reached' };", '  return ctx.result;') }],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'runtime.earlyReturn without skipTo: the next function runs',
    functions: [
      { code: pair(UTIL, '  runtime.earlyReturn([ctx.prev.result, undefined]);', "  return 'not reached';") },
      { code: pair('', '  return { payload: { got: ctx.prev.result } };', '  return ctx.result;') },
    ],
    where: 'gateway',
  },
  {
    name: "runtime.earlyReturn in the after handler (the sandbox's error; refused: every run would hand over)",
    code: pair(UTIL, '  return {};', '  runtime.earlyReturn(1);'),
    functions: [{ code: NONE_ECHO }],
    where: 'sandbox',
  },
  {
    name: 'runtime.earlyReturn in a guard that does not hold',
    code: SHOW_AFTER,
    functions: [
      {
        code: pair(
          UTIL,
          "  if (ctx.args.n > 100) {\n    runtime.earlyReturn({ early: ctx.args.n }, { skipTo: 'END' });\n  }\n  return { payload: 1 };",
          '  return ctx.result;',
        ),
      },
      { code: pair('', "  return { payload: [ctx.prev.result, 'reached'] };", '  return ctx.result;') },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'util.error in the after handler (a guard that holds)',
    code: pair(
      UTIL,
      '  return {};',
      "  if (ctx.prev.result.n > 1) {\n    util.error('after says no', 'After', ctx.prev.result);\n  }\n  return ctx.prev.result;",
    ),
    functions: [{ code: pair('', '  return { payload: { n: ctx.args.n } };', '  return ctx.result;') }],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'a function that writes the stash',
    code: SHOW_AFTER,
    functions: [{ code: pair('', '  ctx.stash.x = 1;\n  return { payload: 1 };', '  return ctx.result;') }],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'the stash written and read by the before handler, two functions and the after handler',
    code: pair(
      '',
      '  ctx.stash.before = ctx.args.n;\n  return { seen: ctx.stash };',
      "  ctx.stash.after = 'a';\n  return { stash: ctx.stash, keys: Object.keys(ctx.stash), prev: ctx.prev.result, text: JSON.stringify({ ...ctx, request: ctx.request.domainName }) };",
    ),
    functions: [
      {
        code: pair(
          '',
          '  ctx.stash.f1req = ctx.stash.before + 1;\n  ctx.stash[0] = ctx.prev.result.seen.before;\n  return { payload: ctx.stash.before };',
          '  ctx.stash.f1res = ctx.result;\n  ctx.stash.before = undefined;\n  return ctx.stash;',
        ),
      },
      { code: pair('', '  return { payload: [ctx.prev.result, ctx.stash.f1res, ctx.stash] };', '  ctx.stash.f2 = null;\n  return ctx.result;') },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'the stash written, then a guard that holds in a later function (the whole run goes, its stash with it)',
    code: pair(UTIL, '  ctx.stash.before = 1;\n  return {};', '  return { stash: ctx.stash, prev: ctx.prev.result };'),
    functions: [
      { code: pair('', '  ctx.stash.f1 = ctx.args.n;\n  return { payload: 1 };', '  return ctx.result;') },
      {
        code: pair(
          UTIL,
          '  return { payload: ctx.stash };',
          "  if (ctx.result.f1 > 1) {\n    util.appendError('noted', 'Note', ctx.stash);\n  }\n  return ctx.result;",
        ),
      },
    ],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'an object written to the stash in a pipeline (falls back)',
    code: pair('', '  ctx.stash.args = ctx.args;\n  return {};', '  return ctx.stash.args === ctx.args;'),
    functions: [{ code: NONE_ECHO }],
    where: 'fallback',
    args: ARGS,
  },
  {
    name: 'the stash written in a pipeline that calls DynamoDB',
    code: pair('', '  ctx.stash.x = 1;\n  return {};', '  return [ctx.prev.result, ctx.stash];'),
    functions: [{ ds: 'ddb', code: pair(DDB, "  return get({ key: { id: 'p1' } });", '  return ctx.result;') }],
    where: 'gateway',
  },
  {
    name: 'before code outside the subset',
    code: pair('', '  let x = 1;\n  return { x };', '  return ctx.prev.result;'),
    functions: [{ code: NONE_ECHO }],
    where: 'sandbox',
  },

  {
    name: 'functions of their own in the before handler and in a function',
    code: pair('', '  return wrap(ctx.args.n);', '  return [ctx.prev.result, wrap(ctx.result)];') + 'const wrap = (v) => ({ wrapped: v });\n',
    functions: [
      { code: pair('', '  return { payload: twice(ctx.prev.result.wrapped) };', '  return twice(ctx.result);') + 'function twice(n) {\n  return n * 2;\n}\n' },
    ],
    where: 'gateway',
    args: ARGS,
  },

  // ---- the embedded DynamoDB: the item q1, its n counted up by the rows in order (once each, or the answers differ)
  {
    name: 'put, then NONE, then after',
    mutation: true,
    code: SHOW_AFTER,
    functions: [
      { ds: 'ddb', code: pair(DDB, "  return put({ key: { id: 'q1' }, item: { n: 0, title: ctx.args.a, seen: ctx.prev.result } });", '  return ctx.result;') },
      { code: pair('', '  return { payload: { stored: ctx.prev.result } };', '  return ctx.result;') },
    ],
    where: 'gateway',
    args: ARGS,
  },
  {
    name: 'an update, then a function that falls back (util.appendError): the sandbox goes on from there',
    mutation: true,
    code: SHOW_AFTER,
    functions: [
      { ds: 'ddb', code: pair(DDB, "  return update({ key: { id: 'q1' }, update: { n: operations.increment(1) } });", '  return ctx.result;') },
      {
        code: pair(
          UTIL,
          "  if (ctx.prev.result.n > 0) {\n    util.appendError('counted', 'Counted', ctx.prev.result);\n  }\n  return { payload: { counted: ctx.prev.result.n } };",
          '  return ctx.result;',
        ),
      },
      { code: pair('', '  return { payload: { last: ctx.prev.result } };', '  return ctx.result;') },
    ],
    where: 'fallback',
  },
  {
    name: "a function's response that falls back after its data source (util.appendError)",
    mutation: true,
    code: SHOW_AFTER,
    functions: [
      {
        ds: 'ddb',
        code: pair(
          DDB,
          "  return update({ key: { id: 'q1' }, update: { n: operations.increment(1) } });",
          "  if (ctx.result.n > 1) {\n    util.appendError('n is ' + ctx.result.n, 'Counted', { n: ctx.result.n });\n  }\n  return ctx.result;",
        ),
      },
      { code: pair('', '  return { payload: { last: ctx.prev.result } };', '  return ctx.result;') },
    ],
    where: 'fallback',
  },
  {
    name: 'an after handler that falls back after a data source (util.error)',
    mutation: true,
    code: pair(
      UTIL,
      '  return {};',
      "  if (ctx.prev.result.n > 2) {\n    util.error('n is ' + ctx.prev.result.n, 'After', ctx.prev.result);\n  }\n  return ctx.prev.result;",
    ),
    functions: [{ ds: 'ddb', code: pair(DDB, "  return update({ key: { id: 'q1' }, update: { n: operations.increment(1) } });", '  return ctx.result;') }],
    where: 'fallback',
  },
  {
    name: 'an update, an early return to the end, an after handler that falls back',
    mutation: true,
    code: pair(
      UTIL,
      '  return {};',
      "  if (ctx.prev.result.n > 3) {\n    util.appendError('n is ' + ctx.prev.result.n, 'After');\n  }\n  return ctx.prev.result;",
    ),
    functions: [
      { ds: 'ddb', code: pair(DDB, "  return update({ key: { id: 'q1' }, update: { n: operations.increment(1) } });", '  return ctx.result;') },
      { code: pair(UTIL, "  runtime.earlyReturn({ n: ctx.prev.result.n }, { skipTo: 'END' });", "  return 'not reached';") },
      { ds: 'ddb', code: pair(DDB, "  return update({ key: { id: 'q1' }, update: { n: operations.increment(100) } });", '  return ctx.result;') },
    ],
    where: 'fallback',
  },
  {
    name: 'get after the updates (each data source was called once)',
    functions: [{ ds: 'ddb', code: pair(DDB, "  return get({ key: { id: 'q1' } });", '  return ctx.result;') }],
    where: 'gateway',
  },
  {
    name: 'a failed condition read by the function, then handed on',
    mutation: true,
    code: SHOW_AFTER,
    functions: [
      {
        ds: 'ddb',
        code: pair(
          DDB,
          "  return put({ key: { id: 'q1' }, item: { n: 0 }, condition: { id: { attributeExists: false } } });",
          '  return { error: ctx.error, result: ctx.result };',
        ),
      },
      { code: NONE_ECHO },
    ],
    where: 'gateway',
  },
  {
    name: 'a failed condition and a util.error guard in the response',
    mutation: true,
    code: SHOW_AFTER,
    functions: [
      {
        ds: 'ddb',
        code: pair(
          DDB,
          "  return put({ key: { id: 'q1' }, item: { n: 0 }, condition: { id: { attributeExists: false } } });",
          '  if (ctx.error) {\n    util.error(ctx.error.message, ctx.error.type);\n  }\n  return ctx.result;',
        ),
      },
      { code: NONE_ECHO },
    ],
    where: 'fallback',
  },

  // ---- the embedded Postgres (PGlite)
  {
    name: 'select, shape on NONE, after',
    code: SHOW_AFTER,
    functions: [
      {
        ds: 'pg',
        code: pair(
          RDS,
          "  return createPgStatement(select({ table: 'books', columns: ['id', 'title', 'year'], where: { id: { eq: ctx.args.n } } }));",
          '  return toJsonObject(ctx.result)[0][0];',
        ),
      },
      { code: pair('', '  return { payload: { title: ctx.prev.result.title, before: ctx.prev.result } };', '  return ctx.result;') },
    ],
    where: 'gateway',
    args: 'n: 1',
  },
  {
    name: 'an SQL error and a guard in the response',
    code: SHOW_AFTER,
    functions: [
      {
        ds: 'pg',
        code: pair(
          RDS,
          '  return createPgStatement(sql`select * from no_such_table where id = ${ctx.args.n}`);',
          '  if (ctx.error) {\n    util.error(ctx.error.message, ctx.error.type);\n  }\n  return ctx.result;',
        ),
      },
      { code: NONE_ECHO },
    ],
    where: 'fallback',
    args: 'n: 1',
  },
  {
    name: 'Postgres then DynamoDB',
    functions: [
      {
        ds: 'pg',
        code: pair(RDS, '  return createPgStatement(sql`select id, title from books where id = ${ctx.args.n}`);', '  return toJsonObject(ctx.result)[0][0];'),
      },
      { ds: 'ddb', code: pair(DDB, "  return get({ key: { id: 'q1' } });", '  return { book: ctx.prev.result, item: ctx.result };') },
    ],
    where: 'gateway',
    args: 'n: 2',
  },
];

const field = (i: number) => `r${i}`;
const pipeField = (i: number) => `p${i}`;
const FIELD_ARGS = '(a: String, n: Int, f: Float, b: Boolean, l: [String], j: AWSJSON)';

function config(table: string): { config: GatewayConfig; files: Record<string, string> } {
  const files: Record<string, string> = {
    'resolvers/lib.js': 'export function twice(n) { return n * 2; }\n',
  };
  const queries: string[] = [];
  const mutations: string[] = [];
  const resolvers: Record<string, unknown> = {};
  ROWS.forEach((row, i) => {
    files[`resolvers/${field(i)}.js`] = row.code;
    const line = `${field(i)}${FIELD_ARGS}: ${row.type ?? 'AWSJSON'}`;
    (row.mutation ? mutations : queries).push(line);
    resolvers[`${row.mutation ? 'Mutation' : 'Query'}.${field(i)}`] = { kind: 'UNIT', dataSource: row.ds ?? 'none', code: `resolvers/${field(i)}.js` };
  });
  const pipelineFunctions: Record<string, unknown> = {};
  PIPES.forEach((row, i) => {
    const names = row.functions.map((fn, j) => {
      const name = `${pipeField(i)}f${j}`;
      files[`functions/${name}.js`] = fn.code;
      pipelineFunctions[name] = { dataSource: fn.ds ?? 'none', code: `functions/${name}.js` };
      return name;
    });
    if (row.code !== undefined) files[`resolvers/${pipeField(i)}.js`] = row.code;
    (row.mutation ? mutations : queries).push(`${pipeField(i)}${FIELD_ARGS}: AWSJSON`);
    resolvers[`${row.mutation ? 'Mutation' : 'Query'}.${pipeField(i)}`] = {
      kind: 'PIPELINE',
      functions: names,
      ...(row.code !== undefined ? { code: `resolvers/${pipeField(i)}.js` } : {}),
    };
  });
  files['schema.graphql'] =
    `type Post { id: ID! title: String views: Int }\ntype Query {\n  ${queries.join('\n  ')}\n}\ntype Mutation {\n  ${mutations.join('\n  ')}\n}\n`;
  return {
    files,
    config: differentialConfig(table, {
      resolvers,
      pipelineFunctions,
      dataSources: { pg: { type: 'RELATIONAL_DATABASE', config: { migrations: MIGRATIONS } } },
    }),
  };
}

describe('handlers evaluated in the gateway answer exactly as the sandbox does', () => {
  let on: TestGateway;
  let off: TestGateway;
  const lines: Line[] = [];
  const capture = (message: string, fields?: Record<string, unknown>) => void lines.push({ message, fields });
  beforeAll(async () => {
    const a = config('differentialOn');
    const b = config('differentialOff');
    on = await startTestGateway({ ...a, options: { logger: { debug: capture, info: capture, warn: capture, error: capture } } });
    off = await startTestGateway({ ...b, options: { sandbox: { evaluateSimpleHandlers: false } } });
  }, 120_000);

  it('counts the eligible resolvers in /health and none when switched off', async () => {
    const eligible = ROWS.filter((r) => r.where !== 'sandbox').length;
    const eligiblePipes = PIPES.filter((r) => r.where !== 'sandbox').length;
    const health = await (await fetch(`${on.origin}/health`)).json();
    expect(health.sandbox.evaluatedInGateway).toBe(eligible + eligiblePipes);
    expect((await (await fetch(`${off.origin}/health`)).json()).sandbox.evaluatedInGateway).toBe(0);
    const counts = `${eligible} of ${ROWS.length} APPSYNC_JS unit resolvers and ${eligiblePipes} of ${PIPES.length} pipeline resolvers are evaluated in the gateway`;
    expect(lines.some((l) => l.message.startsWith(counts))).toBe(true);
  });

  const cases = [
    ...ROWS.map((row, i) => ({ ...row, field: field(i), kind: 'unit' })),
    ...PIPES.map((row, i) => ({ ...row, field: pipeField(i), kind: 'pipeline', selection: undefined })),
  ];
  cases.forEach((row) => {
    it(`${row.kind}: ${row.name} (${row.where})`, async () => {
      await expectSameAnswer(on, off, lines, row);
    });
  });
});
