/** A GraphQL API's auth modes (`AuthenticationType` and its settings) as the gateway's authentication config (docs/auth.md). */
import type { AuthenticationConfig } from '../types.js';
import type { LocalFunctions } from './functions.js';
import type { Located } from './resources.js';

/** `AuthenticationType` and its `*Config` block → the gateway's `{ type, config }`. */
export function authentication(
  api: Located,
  type: unknown,
  block: unknown,
  prefix: string,
  functions: LocalFunctions,
  /** The property naming the mode: an Event API's providers say `AuthType`. */
  typeKey = 'AuthenticationType',
): AuthenticationConfig {
  const ev = api.stack.evaluator;
  const b = (
    block === api
      ? Object.fromEntries(['UserPoolConfig', 'OpenIDConnectConfig', 'LambdaAuthorizerConfig'].map((k) => [k, ev.property(api.logicalId, k)]))
      : block
  ) as Record<string, any>;
  const path = `Resources.${api.logicalId}.Properties.${prefix}`;
  switch (type) {
    case 'API_KEY':
      return { type };
    case 'AWS_IAM':
      // The gateway verifies SigV4 against keys it knows; a template declares none (src/auth/iam.ts takes the process's own).
      if (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY)
        throw ev.error(
          `${path}${typeKey}`,
          'AWS_IAM: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the gateway’s environment; requests signed with those keys are accepted',
        );
      return { type };
    case 'AMAZON_COGNITO_USER_POOLS': {
      const pool = b.UserPoolConfig ?? b.CognitoUserPoolConfig ?? {};
      return {
        type,
        config: {
          userPoolId: pool.UserPoolId,
          ...(pool.AwsRegion ? { awsRegion: pool.AwsRegion } : {}),
          ...(pool.AppIdClientRegex ? { appIdClientRegex: pool.AppIdClientRegex } : {}),
          ...(pool.DefaultAction ? { defaultAction: pool.DefaultAction } : {}),
        },
      };
    }
    case 'OPENID_CONNECT': {
      const oidc = b.OpenIDConnectConfig ?? {};
      return {
        type,
        config: {
          issuer: oidc.Issuer,
          ...(oidc.ClientId ? { clientId: oidc.ClientId } : {}),
          ...(oidc.IatTTL ? { iatTTL: oidc.IatTTL } : {}),
          ...(oidc.AuthTTL ? { authTTL: oidc.AuthTTL } : {}),
        },
      };
    }
    case 'AWS_LAMBDA': {
      const lambda = b.LambdaAuthorizerConfig ?? {};
      const uri = String(lambda.AuthorizerUri ?? '');
      const local = functions.byArn(uri, `${path}LambdaAuthorizerConfig.AuthorizerUri`);
      return {
        type,
        config: {
          ...(local ? { functionName: local } : { functionArn: uri }),
          ...(lambda.AuthorizerResultTtlInSeconds !== undefined ? { authorizerResultTtlInSeconds: lambda.AuthorizerResultTtlInSeconds } : {}),
          ...(lambda.IdentityValidationExpression ? { identityValidationExpression: lambda.IdentityValidationExpression } : {}),
        },
      };
    }
    default:
      throw ev.error(`${path}${typeKey}`, `expected API_KEY, AWS_IAM, AMAZON_COGNITO_USER_POOLS, OPENID_CONNECT or AWS_LAMBDA, got ${JSON.stringify(type)}`);
  }
}
