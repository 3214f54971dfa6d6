/** Bad input: every problem of a template at once, each naming the file, the logical id and the property path. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCloudFormation } from '../../../src/config/cloudformation/index.js';
import { ConfigError, ConfigErrors } from '../../../src/errors.js';

async function templateFile(text: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-errors-'));
  for (const [name, content] of Object.entries(extra)) await writeFile(join(dir, name), content);
  await writeFile(join(dir, 'template.yaml'), text);
  return join(dir, 'template.yaml');
}

async function problems(file: string, options: Parameters<typeof loadCloudFormation>[1] = {}): Promise<string[]> {
  const error = await loadCloudFormation(file, options).catch((e: unknown) => e);
  if (error instanceof ConfigErrors) return error.errors.map((e) => e.message.replace(`${file}: `, ''));
  if (error instanceof ConfigError) return [error.message.replace(`${file}: `, '')];
  throw new Error(`expected a ConfigError, got ${String(error)}`);
}

const API = `
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: { Name: api, AuthenticationType: API_KEY }
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties: { ApiId: !GetAtt Api.ApiId, Definition: "type Query { a: String }" }
`;

describe('template errors', () => {
  it('Event API problems at once: an EventConfig key, an AuthType, a namespace auth mode, a HandlerConfigs key', async () => {
    const file = await templateFile(`
Resources:${API}
  Events:
    Type: AWS::AppSync::Api
    Properties:
      Name: chat
      EventConfig:
        AuthProviders: [{ AuthType: API_KEY }, { AuthType: BASIC }]
        Frobnicate: 1
  Room:
    Type: AWS::AppSync::ChannelNamespace
    Properties:
      ApiId: !GetAtt Events.ApiId
      Name: room
      PublishAuthModes: [API_KEY]
  Hall:
    Type: AWS::AppSync::ChannelNamespace
    Properties:
      ApiId: !GetAtt Events.ApiId
      Name: hall
      HandlerConfigs: { OnPublish: { Behavior: CODE, Integration: { DataSourceName: x, Timeout: 3 } } }
`);
    expect(await problems(file)).toEqual([
      'Resources.Events.Properties.EventConfig.Frobnicate: EventConfig property Frobnicate is not supported by the gateway',
      'Resources.Events.Properties.EventConfig.AuthProviders.1.AuthType: expected one of API_KEY, AWS_IAM, OPENID_CONNECT, AMAZON_COGNITO_USER_POOLS, AWS_LAMBDA, got "BASIC"',
      'Resources.Room.Properties.PublishAuthModes.0: expected { AuthType }, got "API_KEY"',
      'Resources.Hall.Properties.HandlerConfigs.OnPublish.Integration.Timeout: Timeout is not a property the gateway reads here (DataSourceName, LambdaConfig)',
    ]);
  });

  it('two Event APIs whose names give one URL id: both named', async () => {
    const file = await templateFile(`
Resources:${API}
  One: { Type: AWS::AppSync::Api, Properties: { Name: Chat Room, EventConfig: { AuthProviders: [{ AuthType: API_KEY }] } } }
  Two: { Type: AWS::AppSync::Api, Properties: { Name: chat-room, EventConfig: { AuthProviders: [{ AuthType: API_KEY }] } } }
`);
    expect(await problems(file)).toEqual([
      'Resources.Two.Properties.Name: the Event API chat-room gives the URL id "chat-room", as One in template does: ' +
        'the gateway serves each further Event API at /apis/<id>/event, so their names must differ',
    ]);
  });

  it('all problems at once: unknown intrinsic, unsupported property, data source type, runtime, missing file', async () => {
    const file = await templateFile(`
Resources:${API}
  Broken:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Api.ApiId
      Name: broken
      Type: NONE
      Description: { "Fn::Frobnicate": x }
  Search:
    Type: AWS::AppSync::DataSource
    Properties: { ApiId: !GetAtt Api.ApiId, Name: search, Type: AMAZON_OPENSEARCH_SERVICE }
  Py:
    Type: AWS::Lambda::Function
    Properties: { Runtime: python3.12, Handler: app.handler, Code: { ZipFile: "def handler(e, c): pass" } }
  PySource:
    Type: AWS::AppSync::DataSource
    Properties: { ApiId: !GetAtt Api.ApiId, Name: py, Type: AWS_LAMBDA, LambdaConfig: { LambdaFunctionArn: !GetAtt Py.Arn } }
  R:
    Type: AWS::AppSync::Resolver
    Properties:
      ApiId: !GetAtt Api.ApiId
      TypeName: Query
      FieldName: a
      DataSourceName: broken
      CodeS3Location: resolvers/missing.js
      Frobs: 1
`);
    expect(await problems(file)).toEqual([
      'Resources.R.Properties.Frobs: AWS::AppSync::Resolver property Frobs is not supported by the gateway',
      'Resources.Broken.Properties.Description.Fn::Frobnicate: Fn::Frobnicate is not an intrinsic function the gateway evaluates ' +
        '(supported: Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::If, Fn::Equals, Fn::And, Fn::Or, Fn::Not, Fn::FindInMap, ' +
        'Fn::Base64, Fn::ImportValue, Fn::GetAZs, Fn::Length, Fn::ToJsonString, Fn::Cidr)',
      'Resources.Search.Properties.Type: data source type AMAZON_OPENSEARCH_SERVICE is not supported by the gateway ' +
        '(NONE, AMAZON_DYNAMODB, AWS_LAMBDA, HTTP, RELATIONAL_DATABASE, AMAZON_EVENTBRIDGE)',
      'Resources.Py.Properties.Runtime: function Py uses runtime python3.12: the gateway runs Node.js functions only (nodejsNN.x); ' +
        'Resources.PySource.Properties.LambdaConfig.LambdaFunctionArn names it ' +
        '(set AWS_ENDPOINT_URL_LAMBDA to a Lambda Invoke API that runs it, e.g. `sam local start-lambda`)',
      `Resources.R.Properties.CodeS3Location: file not found: ${join(file, '..', 'resolvers/missing.js')}`,
    ]);
  });

  it('a missing parameter, with the flag that gives it', async () => {
    const file = await templateFile(`Parameters:\n  Stage: { Type: String }\nResources:${API}`);
    expect(await problems(file)).toEqual(['Parameters.Stage: no value: give one with --parameter Stage=VALUE (the template declares no Default)']);
    await expect(loadCloudFormation(file, { parameters: { Stage: 'dev' } })).resolves.toMatchObject({ config: { name: 'api' } });
  });

  it('a circular Ref between resources', async () => {
    const file = await templateFile(`
Resources:${API}
  A:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: !Sub "\${B}-a" }
  B:
    Type: AWS::DynamoDB::Table
    Properties: { TableName: !Sub "\${A}-b" }
  Source:
    Type: AWS::AppSync::DataSource
    Properties: { ApiId: !GetAtt Api.ApiId, Name: t, Type: AMAZON_DYNAMODB, DynamoDBConfig: { TableName: !Ref A } }
`);
    expect(await problems(file)).toEqual([
      expect.stringMatching(/^Resources\.[AB]\.Properties\.TableName\.Fn::Sub: circular reference: Resources\.A → Resources\.B → Resources\.A$/),
    ]);
  });

  it('a nested stack that is missing', async () => {
    const file = await templateFile(`Resources:${API}  Nested:\n    Type: AWS::CloudFormation::Stack\n    Properties: { TemplateURL: nested/none.yaml }\n`);
    expect(await problems(file)).toEqual([`Resources.Nested.Properties.TemplateURL: file not found: ${join(file, '..', 'nested/none.yaml')}`]);
  });

  it('an S3 location a template file cannot reach', async () => {
    const file = await templateFile(
      `Resources:${API}  R:\n    Type: AWS::AppSync::Resolver\n` +
        '    Properties: { ApiId: !GetAtt Api.ApiId, TypeName: Query, FieldName: a, Kind: PIPELINE, CodeS3Location: "s3://bucket/code.js" }\n',
    );
    expect(await problems(file)).toEqual([
      'Resources.R.Properties.CodeS3Location: s3://bucket/code.js is in S3: the gateway reads only local files ' +
        '(give a path relative to the template, or serve the CDK assembly)',
    ]);
  });

  it('no API, two APIs, and --api naming neither', async () => {
    expect(await problems(await templateFile('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  T: { Type: AWS::SNS::Topic }\n'))).toEqual([
      'no AWS::AppSync::GraphQLApi resource: nothing to serve',
    ]);
    const two = await templateFile(
      `Resources:${API}  Other:\n    Type: AWS::AppSync::GraphQLApi\n    Properties: { Name: other, AuthenticationType: API_KEY }\n`,
    );
    // Both are served (docs/cloudformation.md#several-apis): the second's missing schema is the one problem.
    expect(await problems(two)).toEqual(['Resources.Other: the API has no AWS::AppSync::GraphQLSchema']);
    expect(await problems(two, { api: 'nope' })).toEqual([`no GraphQL API named nope; the input holds api (Api in template), other (Other in template)`]);
    // --api picks one: here the API without a schema, which is then the one problem.
    expect(await problems(two, { api: 'other' })).toEqual(['Resources.Other: the API has no AWS::AppSync::GraphQLSchema']);
    await expect(loadCloudFormation(two, { api: 'Api' })).resolves.toMatchObject({ config: { name: 'api' } });
  });
});
