/**
 * What the gateway cannot honour in a template (docs/cloudformation.md#what-is-ignored): macros are
 * a load error; SAM APIs and API Gateway resources are named at start-up as not served; a Cognito
 * pool the template creates is a warning naming it; a function of another runtime is a load error,
 * or runs through the Lambda Invoke API where AWS_ENDPOINT_URL_LAMBDA names one.
 */
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCloudFormation } from '../../../src/config/cloudformation/index.js';
import { ConfigError, ConfigErrors } from '../../../src/errors.js';
import { serve } from './serve.js';

const API = `
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties: { Name: api, AuthenticationType: API_KEY }
  Key:
    Type: AWS::AppSync::ApiKey
    Properties: { ApiId: !GetAtt Api.ApiId }
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties: { ApiId: !GetAtt Api.ApiId, Definition: "type Query { hello: String }" }
`;

async function templateFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-unhonoured-'));
  await writeFile(join(dir, 'template.yaml'), text);
  return join(dir, 'template.yaml');
}

async function problems(file: string): Promise<string[]> {
  const error = await loadCloudFormation(file).catch((e: unknown) => e);
  if (error instanceof ConfigErrors) return error.errors.map((e) => e.message.replace(`${file}: `, ''));
  if (error instanceof ConfigError) return [error.message.replace(`${file}: `, '')];
  throw new Error(`expected a ConfigError, got ${String(error)}`);
}

describe('what the gateway cannot honour', () => {
  it('a macro or transform other than SAM’s is a load error naming it; the language extensions are read', async () => {
    expect(await problems(await templateFile(`Transform: [AWS::Serverless-2016-10-31, { Name: AWS::Include }, MyMacro]\nResources:${API}`))).toEqual([
      'Transform: AWS::Include, MyMacro: the gateway cannot run CloudFormation macros or transforms other than AWS::Serverless-2016-10-31 and ' +
        'AWS::LanguageExtensions (deploy the template, or serve the processed template: `aws cloudformation get-template --template-stage Processed`)',
    ]);
    const extensions = await loadCloudFormation(await templateFile(`Transform: AWS::LanguageExtensions\nResources:${API}`));
    expect(extensions.config.name).toBe('api');
  });

  it('SAM APIs and API Gateway are named as not served, connectors as ignored', async () => {
    const loaded = await loadCloudFormation(
      await templateFile(
        `Transform: AWS::Serverless-2016-10-31\nResources:${API}` +
          '  Rest:\n    Type: AWS::Serverless::Api\n    Properties: { StageName: prod }\n' +
          '  Http:\n    Type: AWS::Serverless::HttpApi\n' +
          '  Link:\n    Type: AWS::Serverless::Connector\n    Properties: { Source: { Id: Rest }, Destination: { Id: Http }, Permissions: [Read] }\n',
      ),
    );
    expect(loaded.warnings).toEqual([
      'not served by the gateway (docs/cloudformation.md#what-is-ignored): AWS::Serverless::Api (an API Gateway REST API; its functions run only as ' +
        'AppSync data sources); AWS::Serverless::HttpApi (an API Gateway HTTP API; its functions run only as AppSync data sources)',
      'ignored resources (they mean nothing to the local gateway): AWS::Serverless::Api, AWS::Serverless::HttpApi, AWS::Serverless::Connector',
    ]);
  });

  it('AMAZON_COGNITO_USER_POOLS naming a pool the template creates: a warning naming the API and the pool', async () => {
    const loaded = await loadCloudFormation(
      await templateFile(
        `Resources:${API.replace('AuthenticationType: API_KEY', 'AuthenticationType: API_KEY, AdditionalAuthenticationProviders: [{ AuthenticationType: AMAZON_COGNITO_USER_POOLS, UserPoolConfig: { UserPoolId: !Ref Pool } }]')}` +
          '  Pool:\n    Type: AWS::Cognito::UserPool\n',
      ),
    );
    expect(loaded.warnings).toContainEqual(
      'API api: AMAZON_COGNITO_USER_POOLS names the user pool Pool that the template creates; the gateway does not emulate Cognito, so its tokens ' +
        'cannot be verified and requests in that mode are refused (UnauthorizedException): deploy the pool and pass its id (as a template parameter) to sign in against it',
    );
  });

  describe('a Python function as a Lambda data source', async () => {
    const PY = `Resources:${API.replace('"type Query { hello: String }"', '"type Query { hello: String }"')}
  Py:
    Type: AWS::Lambda::Function
    Properties: { Runtime: python3.12, Handler: app.handler, Code: { ZipFile: "def handler(e, c): return 'py'" } }
  PyDs:
    Type: AWS::AppSync::DataSource
    Properties: { ApiId: !GetAtt Api.ApiId, Name: py, Type: AWS_LAMBDA, LambdaConfig: { LambdaFunctionArn: !GetAtt Py.Arn } }
  Hello:
    Type: AWS::AppSync::Resolver
    Properties: { ApiId: !GetAtt Api.ApiId, TypeName: Query, FieldName: hello, DataSourceName: py }
`;
    const file = await templateFile(PY);

    it('is a load error naming the function and how to run it', async () => {
      expect(await problems(file)).toEqual([
        'Resources.Py.Properties.Runtime: function Py uses runtime python3.12: the gateway runs Node.js functions only (nodejsNN.x); ' +
          'Resources.PyDs.Properties.LambdaConfig.LambdaFunctionArn names it (set AWS_ENDPOINT_URL_LAMBDA to a Lambda Invoke API that runs it, e.g. `sam local start-lambda`)',
      ]);
    });

    // A Lambda Invoke API (as `sam local start-lambda` serves one), answering for the function by its logical id.
    const invoked: string[] = [];
    const lambdaApi = createServer((req, res) => {
      invoked.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify('hello from python'));
    });
    lambdaApi.listen(0, '127.0.0.1');
    await once(lambdaApi, 'listening');
    afterAll(() => void lambdaApi.close());
    process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${(lambdaApi.address() as AddressInfo).port}`;
    const loaded = await loadCloudFormation(file);
    delete process.env.AWS_ENDPOINT_URL_LAMBDA;
    const api = await serve(loaded);

    it('runs through the Lambda Invoke API at AWS_ENDPOINT_URL_LAMBDA, named by its logical id', async () => {
      expect(await api.query('{ hello }')).toEqual({ data: { hello: 'hello from python' } });
      expect(invoked).toEqual(['POST /2015-03-31/functions/Py/invocations']);
    });
  });
});
