/**
 * Operations compiled by graphql-jit answer exactly as graphql-js answers them: the same query
 * and variables, sent to a gateway that interprets every operation and to one that compiles every
 * operation, get the same status and the same body (data, errors, their order and wording).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { coreConfig } from './coreApi.js';

const SHAPES_SCHEMA = `
interface Node { id: ID! }
type Book implements Node { id: ID! title: String pages: Int }
type Film implements Node { id: ID! title: String minutes: Int }
union Item = Book | Film
enum Color { RED GREEN }
input Filter { color: Color = RED, min: Int, tags: [String!] }
type Box {
  id: ID!
  items: [Item]
  nodes: [Node!]!
  color: Color
  strict: String!
  when: AWSDateTime
  json: AWSJSON
  n: Int
  f: Float
  ip: AWSIPAddress
}
type Query {
  box(id: ID!, filter: Filter): Box
  boxes(count: Int = 3): [Box!]!
  maybeBoxes(count: Int = 3): [Box]
  echo(input: Filter!): AWSJSON
  odd(kind: String!): [Item]
}
type Mutation {
  paint(id: ID!, color: Color!): Box
}
`;

const SHAPES_RESOLVER = `
function box(id, filter) {
  return {
    id,
    items: [
      { __typename: 'Book', id: 'b1', title: 'Dune', pages: 412 },
      { __typename: 'Film', id: 'f1', title: 'Alien', minutes: 117 },
      null,
    ],
    nodes: [{ __typename: 'Book', id: 'b2', title: 'Emma' }],
    color: filter && filter.color ? filter.color : id === 'badenum' ? 'BLUE' : 'GREEN',
    strict: id === 'nullstrict' ? null : 'here',
    when: id === 'baddate' ? '2020-13-45' : '2020-01-01T00:00:00.000Z',
    json: { id, filter: filter === undefined ? 'none' : filter },
    n: id === 'bigint' ? 2 ** 40 : id === 'float' ? 1.5 : 7,
    f: id === 'nan' ? 'abc' : 2.25,
    ip: id === 'badip' ? 'not-an-ip' : '10.0.0.1',
  };
}
export function request(ctx) {
  const { fieldName } = ctx.info;
  if (fieldName === 'box') return { payload: box(ctx.args.id, ctx.args.filter) };
  if (fieldName === 'echo') return { payload: ctx.args.input };
  if (fieldName === 'paint') return { payload: box(ctx.args.id, { color: ctx.args.color }) };
  if (fieldName === 'odd') {
    if (ctx.args.kind === 'untyped') return { payload: [{ id: 'x', title: 'no typename' }] };
    if (ctx.args.kind === 'unknown') return { payload: [{ __typename: 'Song', id: 'x' }] };
    return { payload: [{ __typename: 'Box', id: 'x' }] };
  }
  const out = [];
  for (let i = 0; i < ctx.args.count; i++) out.push(i === 1 ? box(null) : box('b' + i));
  return { payload: out };
}
export function response(ctx) {
  return ctx.result;
}
`;

const shapesConfig: GatewayConfig = {
  name: 'parity-shapes',
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'main', value: 'da2-parityparityparity000000' }],
  dataSources: { local: { type: 'NONE' } },
  resolvers: {
    'Query.box': { kind: 'UNIT', dataSource: 'local', code: 'shapes.js' },
    'Query.boxes': { kind: 'UNIT', dataSource: 'local', code: 'shapes.js' },
    'Query.maybeBoxes': { kind: 'UNIT', dataSource: 'local', code: 'shapes.js' },
    'Query.echo': { kind: 'UNIT', dataSource: 'local', code: 'shapes.js' },
    'Query.odd': { kind: 'UNIT', dataSource: 'local', code: 'shapes.js' },
    'Mutation.paint': { kind: 'UNIT', dataSource: 'local', code: 'shapes.js' },
  },
};
const shapesFiles = { 'schema.graphql': SHAPES_SCHEMA, 'shapes.js': SHAPES_RESOLVER };

type Case = [name: string, query: string, variables?: Record<string, unknown>];

const CORE_CASES: Case[] = [
  ['unit resolver and nested resolver', '{ getPost(id: "p1") { id title views meta createdAt author { name shout } } }'],
  ['early return', '{ getPost(id: "early") { id title } }'],
  ['pipeline', '{ pipe(x: 2) }'],
  ['util.error', '{ boom }'],
  ['ctx.info with variables and fragments', 'query Q($a: Int, $j: AWSJSON) { ctxInfo(a: $a, json: $j) }', { a: 5, j: '{"k":[1,2]}' }],
  ['AWSDateTime that cannot be serialised', '{ badDate }'],
  ['AWSEmail argument', '{ email(e: "ann@example.com") }'],
  ['AWSEmail variable that is invalid', 'query ($e: AWSEmail) { email(e: $e) }', { e: 'nope' }],
  ['denied field', '{ denied }'],
  ['object where a list belongs', '{ wrongShape { id } }'],
  ['null for a non-null field', '{ nonNull { id } }'],
  ['several root fields, some failing', '{ a: getPost(id: "1") { id } boom b: getPost(id: "2") { title } badDate }'],
  ['__typename and introspection', '{ __typename __type(name: "Post") { name fields { name type { name kind } } } }'],
];

const SHAPES_CASES: Case[] = [
  [
    'unions, interfaces, enums, scalars',
    '{ box(id: "1") { id items { __typename ... on Book { title pages } ... on Film { title minutes } } nodes { id __typename ... on Book { title } } color json n f when ip } }',
  ],
  ['null in a non-null field propagates to the nullable parent', '{ box(id: "nullstrict") { id strict } }'],
  ['AWSDateTime result out of range', '{ box(id: "baddate") { when } }'],
  ['Int result too large', '{ box(id: "bigint") { n } }'],
  ['Int result with a fraction', '{ box(id: "float") { n } }'],
  ['Float result that is a word', '{ box(id: "nan") { f } }'],
  ['enum result outside the enum', '{ box(id: "badenum") { color } }'],
  ['AWSIPAddress result that is invalid', '{ box(id: "badip") { ip } }'],
  ['null in a non-null list reaches the non-null root', '{ boxes { id } }'],
  ['null in a nullable list stays in place', '{ maybeBoxes(count: 2) { id color } }'],
  ['aliases and fragments', '{ a: box(id: "1") { ...F } b: box(id: "2") { ...F } } fragment F on Box { id color }'],
  ['input object with default from a variable', 'query ($f: Filter) { box(id: "v", filter: $f) { color json } }', { f: { min: 3 } }],
  ['input object with an enum value outside the enum', 'query ($f: Filter) { box(id: "v", filter: $f) { color } }', { f: { color: 'BLUE' } }],
  ['input object with a wrong field type', 'query ($f: Filter) { box(id: "v", filter: $f) { color } }', { f: { min: 'x' } }],
  ['input object with an unknown field', 'query ($f: Filter) { box(id: "v", filter: $f) { color } }', { f: { nope: 1 } }],
  ['missing required variable', 'query ($id: ID!) { box(id: $id) { id } }', {}],
  ['null in a list of non-null', 'query ($i: Filter!) { echo(input: $i) }', { i: { tags: ['a', null] } }],
  ['single value where a list belongs', 'query ($i: Filter!) { echo(input: $i) }', { i: { tags: 'solo' } }],
  ['@include and @skip', 'query ($yes: Boolean!) { box(id: "1") { id color @include(if: $yes) n @skip(if: $yes) } }', { yes: true }],
  ['argument default', 'query { maybeBoxes { id } }'],
  [
    '@include on a fragment spread and an inline fragment',
    'query ($no: Boolean!) { box(id: "1") { ...F @include(if: $no) ... on Box @skip(if: $no) { n } id } } fragment F on Box { color }',
    { no: false },
  ],
  ['union member without __typename', '{ odd(kind: "untyped") { ... on Book { id } } }'],
  ['union member of an unknown type', '{ odd(kind: "unknown") { ... on Book { id } } }'],
  ['union member of a type outside the union', '{ odd(kind: "outside") { ... on Book { id } } }'],
  [
    'mutations in order, with an enum argument',
    'mutation { a: paint(id: "1", color: GREEN) { id color } b: paint(id: "nullstrict", color: RED) { id strict } }',
  ],
];

async function pair(config: GatewayConfig, files?: Record<string, string>): Promise<[TestGateway, TestGateway]> {
  return Promise.all([
    startTestGateway({ config, files, options: { compileQueries: false } }),
    startTestGateway({ config, files, options: { compileQueries: { afterRuns: 0 } } }),
  ]);
}

describe.each([
  ['core fixture', () => pair(coreConfig), CORE_CASES],
  ['schema shapes', () => pair(shapesConfig, shapesFiles), SHAPES_CASES],
] as const)('compiled operations answer as graphql-js does (%s)', (_label, start, cases) => {
  let interpreted: TestGateway;
  let compiled: TestGateway;
  beforeAll(async () => {
    [interpreted, compiled] = await start();
  });

  it.each(cases)('%s', async (_name, query, variables) => {
    const expected = await interpreted.query(query, variables);
    const first = await compiled.query(query, variables);
    const again = await compiled.query(query, variables);
    expect({ status: first.status, body: first.body }).toEqual({ status: expected.status, body: expected.body });
    expect(again.body).toEqual(expected.body);
  });
});

describe('interface and union values whose type cannot be told', () => {
  it('fail their field, not the request, in one wording on both engines', async () => {
    const [interpreted, compiled] = await pair(shapesConfig, shapesFiles);
    for (const gw of [interpreted, compiled]) {
      const missing = await gw.query('{ odd(kind: "untyped") { ... on Book { id } } }');
      expect(missing.status).toBe(200);
      expect(missing.body).toEqual({
        data: { odd: [null] },
        errors: [
          {
            path: ['odd', 0],
            locations: [{ line: 1, column: 3, sourceName: null }],
            message: 'Abstract type "Item" must resolve to an Object type at runtime: the value has no __typename naming one of its types.',
          },
        ],
      });
      const unknown = await gw.query('{ odd(kind: "unknown") { ... on Book { id } } }');
      expect(unknown.body.errors[0].message).toBe('Runtime Object type "Song" is not a possible type for "Item".');
    }
  });
});
