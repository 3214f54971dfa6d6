/**
 * `arn:aws:states:::sqs:sendMessage` (and `.waitForTaskToken`): sends `MessageBody` to the queue
 * of `QueueUrl` in the gateway's in-process SQS (services/sqs.ts). A body that is not a string is
 * sent as its JSON text, as Step Functions does.
 */
import { randomUUID } from 'node:crypto';
import { StatesError } from '../engine/types.js';
import { SqsError, type SqsQueues } from '../services/sqs.js';
import { sdkMetadata, serviceError } from './serviceError.js';

/**
 * Sends the message; resolves with SendMessage's response plus the SDK metadata Step Functions
 * adds. SQS errors become `SQS.AmazonSQSException` (the Java SDK Step Functions uses does not model
 * QueueDoesNotExist for SendMessage) with the SQS error code in the cause.
 */
export function runSqsSendMessage(queues: SqsQueues, parameters: unknown): Record<string, unknown> {
  const p = (parameters ?? {}) as Record<string, unknown>;
  if (typeof p.QueueUrl !== 'string') throw new StatesError('States.Runtime', "The field 'QueueUrl' is required and must be a string");
  if (p.MessageBody === undefined) throw new StatesError('States.Runtime', "The field 'MessageBody' is required");
  const body = typeof p.MessageBody === 'string' ? p.MessageBody : JSON.stringify(p.MessageBody);
  const requestId = randomUUID();
  try {
    const sent = queues.sendMessage(p.QueueUrl, body, {
      DelaySeconds: p.DelaySeconds,
      MessageAttributes: p.MessageAttributes,
      MessageSystemAttributes: p.MessageSystemAttributes,
    });
    return {
      ...(sent.MD5OfMessageAttributes ? { MD5OfMessageAttributes: sent.MD5OfMessageAttributes } : {}),
      MD5OfMessageBody: sent.MD5OfMessageBody,
      ...(sent.MD5OfMessageSystemAttributes ? { MD5OfMessageSystemAttributes: sent.MD5OfMessageSystemAttributes } : {}),
      MessageId: sent.MessageId,
      ...sdkMetadata(requestId, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': requestId }),
    };
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    const message = error.code === 'QueueDoesNotExist' ? 'The specified queue does not exist or you do not have access to it.' : error.message;
    const failure = serviceError('SQS', 'AmazonSQS', error.queryCode, message, error.statusCode, requestId);
    throw new StatesError('SQS.AmazonSQSException', failure.cause);
  }
}
