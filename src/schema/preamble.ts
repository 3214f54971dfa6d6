/**
 * SDL prepended to every user schema so that AppSync's predefined scalars and `@aws_*`
 * directives exist without being declared (docs/scalars.md#declaring-them, docs/auth.md#directives).
 */
export const AWS_SCALAR_NAMES = ['AWSDate', 'AWSTime', 'AWSDateTime', 'AWSTimestamp', 'AWSEmail', 'AWSJSON', 'AWSPhone', 'AWSURL', 'AWSIPAddress'] as const;

export type AwsScalarName = (typeof AWS_SCALAR_NAMES)[number];

export const AWS_DIRECTIVE_NAMES = [
  'aws_api_key',
  'aws_iam',
  'aws_oidc',
  'aws_lambda',
  'aws_cognito_user_pools',
  'aws_auth',
  'aws_subscribe',
  'aws_publish',
] as const;

export const APPSYNC_PREAMBLE = `
${AWS_SCALAR_NAMES.map((name) => `scalar ${name}`).join('\n')}
directive @aws_api_key on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_iam on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_oidc on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_lambda on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_cognito_user_pools(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_auth(cognito_groups: [String]) on OBJECT | FIELD_DEFINITION | INTERFACE
directive @aws_subscribe(mutations: [String]) on FIELD_DEFINITION
directive @aws_publish(subscriptions: [String]) on FIELD_DEFINITION
`;
