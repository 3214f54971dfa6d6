/** An Aurora cluster with the Data API behind a RELATIONAL_DATABASE data source, served on the embedded Postgres. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCloudFormation } from '../../../src/config/cloudformation/index.js';
import { serve } from './serve.js';

const TEMPLATE = `
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: { Engine: aurora-postgresql, EnableHttpEndpoint: true, DatabaseName: app }
  Secret:
    Type: AWS::SecretsManager::Secret
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: { Name: rds, AuthenticationType: API_KEY }
  Key:
    Type: AWS::AppSync::ApiKey
    Properties: { ApiId: !GetAtt Api.ApiId }
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties: { ApiId: !GetAtt Api.ApiId, Definition: "type Query { sum(a: Int!, b: Int!): Int }" }
  Source:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Api.ApiId
      Name: db
      Type: RELATIONAL_DATABASE
      RelationalDatabaseConfig:
        RelationalDatabaseSourceType: RDS_HTTP_ENDPOINT
        RdsHttpEndpointConfig:
          AwsRegion: !Ref AWS::Region
          DbClusterIdentifier: !GetAtt Cluster.DBClusterArn
          AwsSecretStoreArn: !Ref Secret
          DatabaseName: app
  Sum:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: !GetAtt Api.ApiId
      TypeName: Query
      FieldName: sum
      DataSourceName: db
      Runtime: { Name: APPSYNC_JS, RuntimeVersion: 1.0.0 }
      Code: |
        import { createPgStatement, sql, toJsonObject } from '@aws-appsync/utils/rds';
        export function request(ctx) { return createPgStatement(sql\`SELECT \${ctx.args.a}::int + \${ctx.args.b}::int AS total\`); }
        export function response(ctx) { return toJsonObject(ctx.result)[0][0].total; }
`;

describe('RELATIONAL_DATABASE on an RDS cluster', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-rds-'));
  await writeFile(join(dir, 'template.yaml'), TEMPLATE);
  const loaded = await loadCloudFormation(join(dir, 'template.yaml'));
  const api = await serve(loaded);

  it('names the cluster and database, and runs on the embedded Postgres', async () => {
    expect((loaded.config.dataSources as Record<string, unknown>).db).toEqual({
      type: 'RELATIONAL_DATABASE',
      config: { dbClusterIdentifier: 'arn:aws:rds:us-east-1:123456789012:cluster:template-Cluster', databaseName: 'app' },
    });
    // The cluster is what the embedded Postgres stands in for: not listed as ignored.
    expect(loaded.warnings).toEqual(['ignored resources (they mean nothing to the local gateway): AWS::SecretsManager::Secret']);
    expect(await api.query('{ sum(a: 2, b: 40) }')).toEqual({ data: { sum: 42 } });
  });
});
