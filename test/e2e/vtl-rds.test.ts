/**
 * VTL on a RELATIONAL_DATABASE data source (docs/resolvers.md#vtl-mapping-templates): AWS's RDS
 * resolver mapping template example (an insert and a select in one request, `statements` and a
 * `variableMap` with `:NAME` keys; the response reads `$utils.rds.toJsonObject($ctx.result)`),
 * served on the embedded Postgres (PGlite), the default when the data source names no server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const files: Record<string, string> = {
  'migrations/001_pets.sql': 'CREATE TABLE pets (id text PRIMARY KEY, type text NOT NULL, price double precision NOT NULL);\n',
  // resolver-mapping-template-reference-rds: the request's statements run in order; the response
  // picks the second statement's first row.
  'addPet.request.vtl': [
    '{',
    '  "version": "2018-05-29",',
    '  "statements": [',
    '    "insert into pets VALUES (:ID, :TYPE, :PRICE)",',
    '    "select * from pets WHERE id = :ID"',
    '  ],',
    '  "variableMap": {',
    '    ":ID": $util.toJson($ctx.args.input.id),',
    '    ":TYPE": $util.toJson($ctx.args.input.type.toLowerCase()),',
    '    ":PRICE": $util.toJson($ctx.args.input.price)',
    '  }',
    '}',
  ].join('\n'),
  'addPet.response.vtl': '$utils.toJson($utils.rds.toJsonObject($ctx.result)[1][0])',
  'getPet.request.vtl':
    '{ "version": "2018-05-29", "statements": ["select * from pets WHERE id = :ID"], "variableMap": { ":ID": $util.toJson($ctx.args.id) } }',
  // No row: an empty list for the statement, and the template returns null.
  'getPet.response.vtl': ['#set($rows = $utils.rds.toJsonObject($ctx.result)[0])', '#if($rows.isEmpty())#return#end', '$utils.toJson($rows[0])'].join('\n'),
  'countPets.request.vtl': '{ "version": "2018-05-29", "statements": ["select count(*) as n from pets"] }',
  'countPets.response.vtl': '$utils.toJson($utils.rds.toJsonString($ctx.result))',
};

const SCHEMA = `
type Pet { id: ID! type: String price: Float }
input PetInput { id: ID! type: String! price: Float! }
type Query { getPet(id: ID!): Pet countPets: String }
type Mutation { addPet(input: PetInput!): Pet }
`;

let gw: TestGateway;
beforeAll(async () => {
  const vtl = (name: string) => ({ kind: 'UNIT' as const, dataSource: 'db', request: `${name}.request.vtl`, response: `${name}.response.vtl` });
  gw = await startTestGateway({
    files,
    config: {
      schemaSdl: SCHEMA,
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k', value: 'da2-vtlrdsvtlrdsvtlrdsvtlrds' }],
      dataSources: { db: { type: 'RELATIONAL_DATABASE', config: { migrations: 'migrations' } } },
      resolvers: { 'Mutation.addPet': vtl('addPet'), 'Query.getPet': vtl('getPet'), 'Query.countPets': vtl('countPets') },
    },
  });
}, 120_000);
afterAll(async () => {
  await gw?.close();
});

describe('VTL templates on RELATIONAL_DATABASE', () => {
  it("AWS's example: an insert and a select in one request, the row read with $utils.rds.toJsonObject", async () => {
    const { body } = await gw.query('mutation { addPet(input: { id: "p1", type: "DOG", price: 9.5 }) { id type price } }');
    expect(body).toEqual({ data: { addPet: { id: 'p1', type: 'dog', price: 9.5 } } });
  });

  it('a select with a variableMap; no row is null (#return)', async () => {
    const { body } = await gw.query('{ found: getPet(id: "p1") { id type } missing: getPet(id: "nope") { id } }');
    expect(body).toEqual({ data: { found: { id: 'p1', type: 'dog' }, missing: null } });
  });

  it('$utils.rds.toJsonString gives the rows as JSON text', async () => {
    const { body } = await gw.query('{ countPets }');
    expect(JSON.parse(body.data.countPets)).toEqual([[{ n: 1 }]]);
  });
});
