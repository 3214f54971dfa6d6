/** Auth modes of AWS::AppSync::GraphQLApi (and its AdditionalAuthenticationProviders) as the gateway's authentication config. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCloudFormation } from '../../../src/config/cloudformation/index.js';
import { normalizeConfig } from '../../../src/config/index.js';
import { ConfigErrors } from '../../../src/errors.js';
import type { EventsConfig } from '../../../src/config/types.js';

const TEMPLATE = `
Resources:
  Authorizer:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs22.x
      Handler: index.handler
      Code: { ZipFile: "exports.handler = async () => ({ isAuthorized: true });" }
  Pool:
    Type: AWS::Cognito::UserPool
  Api:
    Type: AWS::AppSync::GraphQLApi
    Properties:
      Name: auth
      AuthenticationType: OPENID_CONNECT
      OpenIDConnectConfig: { Issuer: https://issuer.example.com, ClientId: web, IatTTL: 3600000, AuthTTL: 3600000 }
      AdditionalAuthenticationProviders:
        - AuthenticationType: API_KEY
        - AuthenticationType: AMAZON_COGNITO_USER_POOLS
          UserPoolConfig: { UserPoolId: !Ref Pool, AwsRegion: !Ref AWS::Region, AppIdClientRegex: "^web$" }
        - AuthenticationType: AWS_LAMBDA
          LambdaAuthorizerConfig: { AuthorizerUri: !GetAtt Authorizer.Arn, AuthorizerResultTtlInSeconds: 60, IdentityValidationExpression: "^Bearer " }
        - AuthenticationType: AWS_LAMBDA
          LambdaAuthorizerConfig: { AuthorizerUri: "arn:aws:lambda:eu-west-1:111122223333:function:elsewhere" }
        - AuthenticationType: AWS_IAM
  Schema:
    Type: AWS::AppSync::GraphQLSchema
    Properties: { ApiId: !GetAtt Api.ApiId, Definition: "type Query { a: String }" }
`;

const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
afterEach(() => {
  for (const [key, value] of [
    ['AWS_ACCESS_KEY_ID', saved.id],
    ['AWS_SECRET_ACCESS_KEY', saved.secret],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function templateFile(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'appsync-cfn-auth-'));
  await writeFile(join(dir, 'template.yaml'), text);
  return join(dir, 'template.yaml');
}

describe('auth modes', () => {
  it('each mode with its settings, a template function as the Lambda authorizer, another ARN invoked remotely', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCAL';
    process.env.AWS_SECRET_ACCESS_KEY = 'local-secret';
    const loaded = await loadCloudFormation(await templateFile(TEMPLATE));
    expect(loaded.config.authentication).toEqual({
      type: 'OPENID_CONNECT',
      config: { issuer: 'https://issuer.example.com', clientId: 'web', iatTTL: 3600000, authTTL: 3600000 },
    });
    expect(loaded.config.additionalAuthentications).toEqual([
      { type: 'API_KEY' },
      { type: 'AMAZON_COGNITO_USER_POOLS', config: { userPoolId: 'template-Pool', awsRegion: 'us-east-1', appIdClientRegex: '^web$' } },
      { type: 'AWS_LAMBDA', config: { functionName: 'template-Authorizer', authorizerResultTtlInSeconds: 60, identityValidationExpression: '^Bearer ' } },
      { type: 'AWS_LAMBDA', config: { functionArn: 'arn:aws:lambda:eu-west-1:111122223333:function:elsewhere' } },
      { type: 'AWS_IAM' },
    ]);
    expect(loaded.config.serverlessFunctions).toEqual({ 'template-Authorizer': { handler: expect.stringMatching(/Authorizer\/index\.handler$/) } });
    // The keys are the gateway's own: the config validates as any config file does.
    const normalized = normalizeConfig(loaded.config, { configDir: loaded.configDir });
    expect(normalized.additionalAuthentications.map((a) => a.type)).toEqual(['API_KEY', 'AMAZON_COGNITO_USER_POOLS', 'AWS_LAMBDA', 'AWS_LAMBDA', 'AWS_IAM']);
  });

  it('an Event API’s AuthProviders (CognitoConfig, OpenIDConnectConfig, AWS_IAM) as the GraphQL API’s; AWS_IAM without keys names AuthType', async () => {
    const events = `${TEMPLATE}
  Events:
    Type: AWS::AppSync::Api
    Properties:
      Name: chat
      EventConfig:
        AuthProviders:
          - { AuthType: AMAZON_COGNITO_USER_POOLS, CognitoConfig: { UserPoolId: us-east-1_abc, AwsRegion: us-east-1, AppIdClientRegex: "^web$" } }
          - { AuthType: OPENID_CONNECT, OpenIDConnectConfig: { Issuer: "https://issuer.example.com", ClientId: web } }
          - { AuthType: AWS_IAM }
        ConnectionAuthModes: [{ AuthType: AWS_IAM }]
`;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCAL';
    process.env.AWS_SECRET_ACCESS_KEY = 'local-secret';
    const loaded = await loadCloudFormation(await templateFile(events));
    expect((loaded.config.events as EventsConfig | undefined)?.authProviders).toEqual([
      { type: 'AMAZON_COGNITO_USER_POOLS', config: { userPoolId: 'us-east-1_abc', awsRegion: 'us-east-1', appIdClientRegex: '^web$' } },
      { type: 'OPENID_CONNECT', config: { issuer: 'https://issuer.example.com', clientId: 'web' } },
      { type: 'AWS_IAM' },
    ]);
    expect(normalizeConfig(loaded.config, { configDir: loaded.configDir }).events?.connectionAuthModes).toEqual(['AWS_IAM']);

    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const file = await templateFile(events);
    const error = await loadCloudFormation(file).catch((e: unknown) => e);
    expect((error as ConfigErrors).errors.map((e) => e.message)).toContain(
      `${file}: Resources.Events.Properties.EventConfig.AuthProviders.2.AuthType: ` +
        'AWS_IAM: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the gateway’s environment; requests signed with those keys are accepted',
    );
  });

  it('AWS_IAM without keys in the environment says which to set', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const file = await templateFile(TEMPLATE);
    const error = await loadCloudFormation(file).catch((e: unknown) => e);
    expect((error as ConfigErrors).errors.map((e) => e.message)).toEqual([
      `${file}: Resources.Api.Properties.AdditionalAuthenticationProviders.4.AuthenticationType: ` +
        'AWS_IAM: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the gateway’s environment; requests signed with those keys are accepted',
    ]);
  });
});
