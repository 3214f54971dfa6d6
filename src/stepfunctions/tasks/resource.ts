/**
 * Task `Resource` strings: the optimized service integrations
 * (`arn:<partition>:states:::<service>:<action>[.sync|.sync:2|.waitForTaskToken]`), plain Lambda
 * function ARNs and activity ARNs, as the Step Functions developer guide names them
 * ("Discover service integration patterns").
 */

/** How the state waits for the call: answer now, a nested job's end, or a task token. */
export type IntegrationPattern = 'requestResponse' | 'sync' | 'sync:2' | 'waitForTaskToken';

export type ParsedResource =
  | { kind: 'integration'; service: string; action: string; pattern: IntegrationPattern }
  | { kind: 'sdk'; service: string; action: string; pattern: IntegrationPattern }
  | { kind: 'lambdaFunction'; functionName: string; qualifier?: string; arn: string }
  | { kind: 'activity'; arn: string }
  | { kind: 'unknown' };

const INTEGRATION = /^arn:aws[a-z-]*:states:[a-z0-9-]*:(?:\d{12})?:([a-z0-9-]+):([A-Za-z0-9]+)(?:\.(sync(?::2)?|waitForTaskToken))?$/;
const SDK_INTEGRATION = /^arn:aws[a-z-]*:states:[a-z0-9-]*:(?:\d{12})?:aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)(?:\.(waitForTaskToken))?$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/;
const ACTIVITY_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:.+$/;

/** Reads a Task state's `Resource`. */
export function parseResource(resource: string): ParsedResource {
  if (ACTIVITY_ARN.test(resource)) return { kind: 'activity', arn: resource };
  const lambda = LAMBDA_ARN.exec(resource);
  if (lambda) return { kind: 'lambdaFunction', functionName: lambda[3]!, qualifier: lambda[4], arn: resource };
  const sdk = SDK_INTEGRATION.exec(resource);
  if (sdk) return { kind: 'sdk', service: sdk[1]!, action: sdk[2]!, pattern: sdk[3] ? 'waitForTaskToken' : 'requestResponse' };
  const integration = INTEGRATION.exec(resource);
  if (integration)
    return {
      kind: 'integration',
      service: integration[1]!,
      action: integration[2]!,
      pattern: (integration[3] as IntegrationPattern | undefined) ?? 'requestResponse',
    };
  return { kind: 'unknown' };
}

/**
 * The bare function name of a Lambda `FunctionName` in any of the forms the Invoke API takes:
 * `name`, `name:alias`, `123456789012:function:name`, or a full function ARN (with a qualifier).
 */
export function lambdaFunctionName(value: string): { name: string; qualifier?: string } {
  const full = LAMBDA_ARN.exec(value);
  if (full) return { name: full[3]!, qualifier: full[4] };
  const partial = /^(?:\d{12}:)?function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9$_-]+))?$/.exec(value);
  if (partial) return { name: partial[1]!, qualifier: partial[2] };
  const colon = value.indexOf(':');
  return colon > 0 ? { name: value.slice(0, colon), qualifier: value.slice(colon + 1) } : { name: value };
}
