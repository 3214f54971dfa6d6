/**
 * `arn:aws:states:::sns:publish` (and `.waitForTaskToken`): publishes `Message` to the topic of
 * `TopicArn` (or `TargetArn`) in the gateway's in-process SNS (services/sns.ts). A message that is
 * not a string is published as its JSON text, as Step Functions does.
 */
import { randomUUID } from 'node:crypto';
import { StatesError } from '../engine/types.js';
import { SnsError, type SnsTopics } from '../services/sns.js';
import type { MessageAttributeValue } from '../services/messageAttributes.js';
import { sdkMetadata, serviceError } from './serviceError.js';

/** SNS error codes whose Java SDK exception is not `<Code>Exception`: a modeled one named otherwise, and one the model does not have. */
const JAVA_EXCEPTIONS: Record<string, string> = { ParameterValueInvalid: 'InvalidParameterValueException', ValidationError: 'AmazonSNSException' };

/** The exception the Java SDK Step Functions uses throws for an SNS error code: `<Code>Exception` (NotFoundException, …) but for {@link JAVA_EXCEPTIONS}. */
export const snsJavaException = (code: string) => JAVA_EXCEPTIONS[code] ?? `${code}Exception`;

/** Publishes; resolves with Publish's response plus the SDK metadata. SNS errors become `SNS.<Code>Exception`. */
export function runSnsPublish(topics: SnsTopics, parameters: unknown): Record<string, unknown> {
  const p = (parameters ?? {}) as Record<string, unknown>;
  if (typeof p.TopicArn !== 'string' && typeof p.TargetArn !== 'string')
    throw new StatesError('States.Runtime', "The field 'TopicArn' or 'TargetArn' is required");
  if (p.Message === undefined) throw new StatesError('States.Runtime', "The field 'Message' is required");
  const requestId = randomUUID();
  try {
    const id = topics.publish({
      TopicArn: p.TopicArn,
      TargetArn: p.TargetArn,
      Message: typeof p.Message === 'string' ? p.Message : JSON.stringify(p.Message),
      Subject: p.Subject,
      MessageAttributes: p.MessageAttributes as Record<string, MessageAttributeValue> | undefined,
    });
    return { MessageId: id, ...sdkMetadata(requestId, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }) };
  } catch (error) {
    if (!(error instanceof SnsError)) throw error;
    const failure = serviceError('SNS', 'AmazonSNS', error.code, error.message, error.statusCode, requestId);
    throw new StatesError(`SNS.${snsJavaException(error.code)}`, failure.cause);
  }
}
