/**
 * The region and account the gateway names where AWS would use the caller's own: in the ARNs it
 * makes up (Step Functions, the management API, CloudFormation's `AWS::Region` and
 * `AWS::AccountId`) and for SDK clients given no region. One place, so every ARN the gateway
 * prints names the same account.
 */

/** The region when the config, the stack or `AWS_REGION` names none. */
export const DEFAULT_REGION = 'us-east-1';

/** The account ID of AWS's documentation examples: clearly not a real account. */
export const DEFAULT_ACCOUNT_ID = '123456789012';

/**
 * Whether `arn` names an account's `default` event bus, the only bus of the in-process EventBridge
 * (docs/stepfunctions.md#from-resolvers): `AMAZON_EVENTBRIDGE` data sources of a config, a template
 * and CreateDataSource are checked with it.
 */
export function isDefaultEventBusArn(arn: unknown): boolean {
  return typeof arn === 'string' && /^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/default$/.test(arn);
}
