/**
 * `condition.conditionalCheckFailedHandler` end to end (docs/dynamodb.md#request-objects-in-detail): the
 * Custom strategy's Lambda (an AWS_LAMBDA data source found by its ARN, or a serverless.yml
 * function) gets the conflict and answers reject / discard / retry; Reject and the default keep
 * AppSync's error with the current item; equalsIgnore still decides "already as desired".
 * Against AWS's DynamoDB Local and the embedded store.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { acquireEmbeddedDynamoDB, releaseEmbeddedDynamoDB } from '../../src/embedded/dynamodb/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const SCHEMA = `
type Doc { id: ID! title: String version: Int note: String updatedAt: String }
type Query { getDoc(id: ID!): Doc }
type Mutation {
  saveDoc(id: ID!, title: String!, expectedVersion: Int!, mode: String!, via: String): Doc
  saveDocRejecting(id: ID!, title: String!, expectedVersion: Int!, explicit: Boolean!): Doc
  touchDoc(id: ID!, title: String!, updatedAt: String!): Doc
}
`;

const DS_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:docConflicts';
const SLS_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:docs-dev-slsConflicts';

const R = (request: string) =>
  `import { util } from '@aws-appsync/utils';\nexport function request(ctx) { ${request} }\nexport function response(ctx) { if (ctx.error) util.error(ctx.error.message, ctx.error.type, ctx.result); return ctx.result; }\n`;

const FILES = {
  // The handler records what it saw in the item it asks AppSync to write (retry).
  'handlers.mjs': `
let loops = 0;
export async function onConflict(event) {
  const mode = event.arguments.mode;
  if (mode === 'reject') return { action: 'reject' };
  if (mode === 'discard') return { action: 'discard' };
  if (mode === 'throw') throw new Error('the handler refused');
  if (mode === 'garbage') return { action: 'maybe' };
  if (mode === 'loop') { loops += 1; return { action: 'retry', retryMapping: { condition: event.requestMapping.condition } }; }
  if (mode === 'report') return { action: 'retry', retryMapping: { attributeValues: { ...event.requestMapping.attributeValues, note: { S: 'loops=' + loops } }, condition: { expression: 'attribute_exists(id)' } } };
  const current = event.currentValue.version.N;
  const r = event.resolver;
  return {
    action: 'Retry',
    retryMapping: {
      attributeValues: { ...event.requestMapping.attributeValues, version: { N: current + 1 }, note: { S: r.parentType + '.' + r.field + ' on ' + r.tableName + ' in ' + r.awsRegion + ' saw v' + current + ' by ' + event.requestMapping.operation } },
      condition: { expression: 'version = :v', expressionValues: { ':v': { N: current } } },
      key: { id: { S: 'must-not-change' } },
    },
  };
}
export const slsConflicts = onConflict;
`,
  'getDoc.js': R('return { operation: "GetItem", key: util.dynamodb.toMapValues({ id: ctx.args.id }) };'),
  'saveDoc.js': R(`
    const { id, title, expectedVersion, via } = ctx.args;
    return {
      operation: 'PutItem',
      key: util.dynamodb.toMapValues({ id }),
      attributeValues: util.dynamodb.toMapValues({ title, version: expectedVersion + 1 }),
      condition: {
        expression: 'attribute_not_exists(id) OR version = :expected',
        expressionValues: util.dynamodb.toMapValues({ ':expected': expectedVersion }),
        conditionalCheckFailedHandler: { strategy: 'Custom', lambdaArn: via === 'sls' ? '${SLS_ARN}' : '${DS_ARN}' },
      },
    };`),
  'saveDocRejecting.js': R(`
    const { id, title, expectedVersion, explicit } = ctx.args;
    const condition = { expression: 'attribute_not_exists(id) OR version = :expected', expressionValues: util.dynamodb.toMapValues({ ':expected': expectedVersion }) };
    if (explicit) condition.conditionalCheckFailedHandler = { strategy: 'Reject' };
    return { operation: 'PutItem', key: util.dynamodb.toMapValues({ id }), attributeValues: util.dynamodb.toMapValues({ title, version: expectedVersion + 1 }), condition };`),
  'touchDoc.js': R(`
    const { id, title, updatedAt } = ctx.args;
    return {
      operation: 'PutItem',
      key: util.dynamodb.toMapValues({ id }),
      attributeValues: util.dynamodb.toMapValues({ title, version: 1, updatedAt }),
      condition: { expression: 'attribute_not_exists(id)', equalsIgnore: ['updatedAt'], conditionalCheckFailedHandler: { strategy: 'Custom', lambdaArn: '${DS_ARN}' } },
    };`),
};

const backends: Array<{ name: string; endpoint: () => string | undefined; skip: () => string }> = [
  { name: 'DynamoDB Local', endpoint: () => inject('dynamodbLocalUrl'), skip: () => inject('dynamodbLocalSkipReason') },
  { name: 'the embedded store', endpoint: () => undefined, skip: () => '' },
  // The same store through the AWS SDK over its HTTP port (the path data sources took before they
  // called the store in memory).
  { name: 'the embedded store over HTTP', endpoint: () => embeddedUrl, skip: () => '' },
];

let embeddedUrl: string | undefined;
beforeAll(async () => {
  embeddedUrl = await acquireEmbeddedDynamoDB();
});
afterAll(() => releaseEmbeddedDynamoDB());

for (const backend of backends) {
  describe.skipIf(!!backend.skip())(`conditionalCheckFailedHandler on ${backend.name}${backend.skip() ? ` (skipped: ${backend.skip()})` : ''}`, () => {
    let gw: TestGateway;
    const table = `docs_cch_${backend.name.replace(/\W/g, '')}_${Date.now()}`;
    const save = (id: string, expectedVersion: number, mode: string, via = 'ds') =>
      gw.query(
        `mutation { saveDoc(id: "${id}", title: "T-${mode}", expectedVersion: ${expectedVersion}, mode: "${mode}", via: "${via}") { id title version note } }`,
      );

    beforeAll(async () => {
      gw = await startTestGateway({
        files: FILES,
        config: {
          schemaSdl: SCHEMA,
          authentication: { type: 'API_KEY' },
          apiKeys: [{ name: 'k', value: 'da2-conditionhandlerconditionhandl' }],
          dataSources: {
            docs: {
              type: 'AMAZON_DYNAMODB',
              config: {
                tableName: table,
                region: 'eu-west-1',
                endpoint: backend.endpoint(),
                table: {
                  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
                  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
                  BillingMode: 'PAY_PER_REQUEST',
                },
              },
            },
            // Found by its functionArn; runs in-process from `handler`.
            conflicts: { type: 'AWS_LAMBDA', config: { functionArn: DS_ARN, handler: 'handlers.mjs#onConflict' } },
          },
          serverlessFunctions: { slsConflicts: { handler: 'handlers.slsConflicts' } },
          resolvers: Object.fromEntries(
            ['Query.getDoc', 'Mutation.saveDoc', 'Mutation.saveDocRejecting', 'Mutation.touchDoc'].map((k) => [
              k,
              { kind: 'UNIT', dataSource: 'docs', code: `${k.split('.')[1]}.js` },
            ]),
          ),
        },
      });
    });

    it('retry: the write runs again with the retryMapping (key unchanged); the Lambda saw the conflict event', async () => {
      expect((await save('d1', 0, 'retry')).body).toEqual({ data: { saveDoc: { id: 'd1', title: 'T-retry', version: 1, note: null } } });
      // Stale expectedVersion 0 fails the condition; the handler retries on top of version 1.
      const { body } = await save('d1', 0, 'retry-again');
      expect(body).toEqual({
        data: { saveDoc: { id: 'd1', title: 'T-retry-again', version: 2, note: `Mutation.saveDoc on ${table} in eu-west-1 saw v1 by PutItem` } },
      });
      expect((await gw.query('{ getDoc(id: "d1") { version note } }')).body.data.getDoc.version).toBe(2);
      expect((await gw.query('{ getDoc(id: "must-not-change") { id } }')).body).toEqual({ data: { getDoc: null } });
    });

    it('a lambdaArn naming a serverless.yml function (deployed name service-stage-fn) runs that function', async () => {
      await save('d2', 0, 'retry', 'sls');
      const { body } = await save('d2', 5, 'retry-again', 'sls');
      expect(body.data.saveDoc).toMatchObject({ version: 2, note: expect.stringContaining('saw v1') });
    });

    it('reject: DynamoDB:ConditionalCheckFailedException with the current item in data', async () => {
      await save('d3', 0, 'retry');
      const { body } = await save('d3', 7, 'reject');
      expect(body.data).toEqual({ saveDoc: null });
      expect(body.errors[0]).toMatchObject({ errorType: 'DynamoDB:ConditionalCheckFailedException', data: { id: 'd3', title: 'T-retry', version: 1 } });
      expect(body.errors[0].message).toMatch(/conditional request failed/i);
    });

    it('discard: succeeds silently with the current item; nothing is written', async () => {
      await save('d4', 0, 'retry');
      const { body } = await save('d4', 9, 'discard');
      expect(body).toEqual({ data: { saveDoc: { id: 'd4', title: 'T-retry', version: 1, note: null } } });
    });

    it('Reject (explicit and default) keeps the error and the current item', async () => {
      await save('d5', 0, 'retry');
      for (const explicit of [true, false]) {
        const { body } = await gw.query(`mutation { saveDocRejecting(id: "d5", title: "x", expectedVersion: 3, explicit: ${explicit}) { id version } }`);
        expect(body.errors[0]).toMatchObject({ errorType: 'DynamoDB:ConditionalCheckFailedException', data: { id: 'd5', version: 1 } });
      }
    });

    it('a handler that always retries is stopped after 5 retries and rejected', async () => {
      await save('d6', 0, 'retry');
      const { body } = await save('d6', 4, 'loop');
      expect(body.errors[0]).toMatchObject({ errorType: 'DynamoDB:ConditionalCheckFailedException', data: { id: 'd6', version: 1 } });
      const report = await save('d6', 4, 'report');
      expect(report.body.data.saveDoc.note).toBe('loops=5');
    });

    it('a failing handler is Lambda:Unhandled; a malformed answer is InternalFailure naming the function', async () => {
      await save('d7', 0, 'retry');
      const thrown = (await save('d7', 4, 'throw')).body;
      expect(thrown.errors[0]).toMatchObject({ errorType: 'Lambda:Unhandled', message: 'the handler refused' });
      const garbage = (await save('d7', 4, 'garbage')).body;
      expect(garbage.errors[0]).toMatchObject({ errorType: 'InternalFailure' });
      expect(garbage.errors[0].message).toContain(DS_ARN);
      expect((await gw.query('{ getDoc(id: "d7") { version } }')).body.data.getDoc.version).toBe(1);
    });

    it('equalsIgnore: an item equal but for ignored attributes is "already as desired" — no Lambda call, success', async () => {
      expect((await gw.query('mutation { touchDoc(id: "d8", title: "same", updatedAt: "t1") { title updatedAt } }')).body).toEqual({
        data: { touchDoc: { title: 'same', updatedAt: 't1' } },
      });
      const { body } = await gw.query('mutation { touchDoc(id: "d8", title: "same", updatedAt: "t2") { title updatedAt } }');
      // The current item comes back (updatedAt t1), as AppSync returns what it read.
      expect(body).toEqual({ data: { touchDoc: { title: 'same', updatedAt: 't1' } } });
    });
  });
}
