/** AWS::DynamoDB::GlobalTable with a GSI, an LSI and TTL, created on the embedded store for the data source naming it. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCloudFormation } from '../../../src/config/cloudformation/index.js';
import { serve } from './serve.js';

const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Events:
    Type: AWS::DynamoDB::GlobalTable
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: id, AttributeType: S }
        - { AttributeName: at, AttributeType: S }
        - { AttributeName: city, AttributeType: S }
        - { AttributeName: rank, AttributeType: N }
      KeySchema: [{ AttributeName: id, KeyType: HASH }, { AttributeName: at, KeyType: RANGE }]
      GlobalSecondaryIndexes:
        - IndexName: byCity
          KeySchema: [{ AttributeName: city, KeyType: HASH }]
          Projection: { ProjectionType: ALL }
      LocalSecondaryIndexes:
        - IndexName: byRank
          KeySchema: [{ AttributeName: id, KeyType: HASH }, { AttributeName: rank, KeyType: RANGE }]
          Projection: { ProjectionType: ALL }
      TimeToLiveSpecification: { AttributeName: expiresAt, Enabled: true }
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
      Replicas: [{ Region: us-east-1 }, { Region: eu-west-1 }]
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: { Name: tables, AuthenticationType: API_KEY }
  Key:
    Type: AWS::AppSync::ApiKey
    Properties: { ApiId: !GetAtt Api.ApiId }
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties:
      ApiId: !GetAtt Api.ApiId
      Definition: |
        type Event { id: ID! at: String! city: String rank: Int }
        type Query { inCity(city: String!): [Event] topRanked(id: ID!): [Event] }
        type Mutation { addEvent(id: ID!, at: String!, city: String, rank: Int): Event }
  Source:
    Type: AWS::AppSync::DataSource
    Properties: { ApiId: !GetAtt Api.ApiId, Name: events, Type: AMAZON_DYNAMODB, DynamoDBConfig: { TableName: !Ref Events, AwsRegion: !Ref AWS::Region } }
  AddEvent:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: !GetAtt Api.ApiId
      TypeName: Mutation
      FieldName: addEvent
      DataSourceName: events
      Runtime: { Name: APPSYNC_JS, RuntimeVersion: 1.0.0 }
      Code: |
        import * as ddb from '@aws-appsync/utils/dynamodb';
        export function request(ctx) { const { id, at, ...item } = ctx.args; return ddb.put({ key: { id, at }, item }); }
        export function response(ctx) { return ctx.result; }
  InCity:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: !GetAtt Api.ApiId
      TypeName: Query
      FieldName: inCity
      DataSourceName: events
      Runtime: { Name: APPSYNC_JS, RuntimeVersion: 1.0.0 }
      Code: |
        import * as ddb from '@aws-appsync/utils/dynamodb';
        export function request(ctx) { return ddb.query({ index: 'byCity', query: { city: { eq: ctx.args.city } } }); }
        export function response(ctx) { return ctx.result.items; }
  TopRanked:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: !GetAtt Api.ApiId
      TypeName: Query
      FieldName: topRanked
      DataSourceName: events
      Runtime: { Name: APPSYNC_JS, RuntimeVersion: 1.0.0 }
      Code: |
        import * as ddb from '@aws-appsync/utils/dynamodb';
        export function request(ctx) { return ddb.query({ index: 'byRank', query: { id: { eq: ctx.args.id } }, scanIndexForward: false }); }
        export function response(ctx) { return ctx.result.items; }
`;

describe('a GlobalTable behind a DynamoDB data source', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-tables-'));
  await writeFile(join(dir, 'template.yaml'), TEMPLATE);
  const loaded = await loadCloudFormation(join(dir, 'template.yaml'));
  const api = await serve(loaded);

  it('is created from its definition, without what only AWS uses (replicas, streams)', () => {
    expect((loaded.config.dataSources as Record<string, { config: Record<string, unknown> }>).events!.config).toEqual({
      tableName: 'template-Events',
      table: expect.objectContaining({ BillingMode: 'PAY_PER_REQUEST', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
    });
    const table = (loaded.config.dataSources as unknown as Record<string, { config: { table: Record<string, unknown> } }>).events!.config.table;
    expect(Object.keys(table).sort()).toEqual([
      'AttributeDefinitions',
      'BillingMode',
      'GlobalSecondaryIndexes',
      'KeySchema',
      'LocalSecondaryIndexes',
      'TimeToLiveSpecification',
    ]);
  });

  it('answers through its GSI and its LSI', async () => {
    for (const [id, at, city, rank] of [
      ['e1', '2026-01-01', 'Paris', 3],
      ['e1', '2026-02-01', 'Lyon', 9],
      ['e2', '2026-03-01', 'Paris', 5],
    ] as const) {
      expect(await api.query(`mutation { addEvent(id: "${id}", at: "${at}", city: "${city}", rank: ${rank}) { id } }`)).toEqual({ data: { addEvent: { id } } });
    }
    const paris = (await api.query('{ inCity(city: "Paris") { id at } }')) as { data: { inCity: Array<{ id: string; at: string }> } };
    expect(paris.data.inCity.map((e) => `${e.id}@${e.at}`).sort()).toEqual(['e1@2026-01-01', 'e2@2026-03-01']);
    expect(await api.query('{ topRanked(id: "e1") { rank } }')).toEqual({ data: { topRanked: [{ rank: 9 }, { rank: 3 }] } });
  });
});
