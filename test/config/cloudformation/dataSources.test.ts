/** HTTP data sources from a template: AWS Step Functions' endpoint is the gateway's own, any other URL stays as written. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { loadCloudFormation } from '../../../src/config/cloudformation/index.js';

it('an HTTP data source on states.<region>.amazonaws.com points at ${self:server.url}, with its SigV4 settings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-http-'));
  await writeFile(
    join(dir, 'template.yaml'),
    `Resources:
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: { Name: http, AuthenticationType: API_KEY }
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties: { ApiId: !GetAtt Api.ApiId, Definition: "type Query { a: String }" }
  States:
    Type: AWS::AppSync::DataSource
    Properties:
      ApiId: !GetAtt Api.ApiId
      Name: states
      Type: HTTP
      HttpConfig:
        Endpoint: !Sub "https://states.\${AWS::Region}.amazonaws.com"
        AuthorizationConfig: { AuthorizationType: AWS_IAM, AwsIamConfig: { SigningRegion: !Ref AWS::Region, SigningServiceName: states } }
  Web:
    Type: AWS::AppSync::DataSource
    Properties: { ApiId: !GetAtt Api.ApiId, Name: web, Type: HTTP, HttpConfig: { Endpoint: "https://example.com" } }
`,
  );
  const { config } = await loadCloudFormation(join(dir, 'template.yaml'));
  expect(config.dataSources).toEqual({
    states: {
      type: 'HTTP',
      config: {
        endpoint: '${self:server.url}',
        authorizationConfig: { authorizationType: 'AWS_IAM', awsIamConfig: { signingRegion: 'us-east-1', signingServiceName: 'states' } },
      },
    },
    web: { type: 'HTTP', config: { endpoint: 'https://example.com' } },
  });
});
