/**
 * Failures of a service call as a Task state reports them: the error name is
 * `<Service>.<ErrorCode>` and the cause is the service's message followed by the AWS SDK's
 * request summary, e.g. `Requested resource not found (Service: AmazonDynamoDBv2; Status Code: 400;
 * Error Code: ResourceNotFoundException; Request ID: …; Proxy: null)`.
 */
import { randomUUID } from 'node:crypto';
import { StatesError } from '../engine/types.js';

/** `Service:` names the AWS SDK for Java puts in its summaries (what Step Functions shows). */
export type SdkServiceName = 'AWSLambda' | 'AmazonDynamoDBv2' | 'AWSStepFunctions' | 'AmazonSQS' | 'AmazonSNS' | 'AmazonEventBridge';

/** A service error in the Task state's form. */
export function serviceError(
  prefix: string,
  service: SdkServiceName,
  code: string,
  message: string,
  statusCode: number,
  requestId: string = randomUUID(),
): StatesError {
  return new StatesError(
    `${prefix}.${code}`,
    `${message} (Service: ${service}; Status Code: ${statusCode}; Error Code: ${code}; Request ID: ${requestId}; Proxy: null)`,
  );
}

/** Gateway choice: a resource this gateway cannot run fails the execution with States.Runtime, which no Retry or Catch intercepts. */
export function notSupported(resource: string, detail = ''): StatesError {
  return new StatesError('States.Runtime', `The resource '${resource}' is not supported by appsync-gateway${detail ? `: ${detail}` : ''}.`);
}

/** The SDK-response metadata Step Functions adds to the result of an optimized integration. */
export function sdkMetadata(requestId: string, headers: Record<string, string>, statusCode = 200): Record<string, unknown> {
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      HttpHeaders: headers,
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
}
