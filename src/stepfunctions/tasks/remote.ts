/**
 * `sqs:sendMessage`, `sns:publish` and `events:putEvents` against a remote AWS-compatible endpoint
 * (`stepFunctions.services`, docs/stepfunctions.md#remote-endpoints) through the AWS SDK clients,
 * with the same result shapes and error names as the in-process path (sqs.ts, sns.ts, events.ts).
 * Credentials come from the SDK's default provider chain (environment, shared files, roles).
 */
import type { ServiceEndpointConfig } from '../../config/types.js';
import { StatesError } from '../engine/types.js';
import { sdkMetadata, serviceError, type SdkServiceName } from './serviceError.js';
import { snsJavaException } from './sns.js';

interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown>;
  destroy(): void;
}
type Service = 'sqs' | 'sns' | 'eventBridge';

/** An SDK failure as the SDK throws it: a service error (with `$metadata`) or a client-side one (network, credentials). */
interface SdkFailure {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The SDK clients of the remote services, one per service and endpoint, made on first use. */
export class RemoteServices {
  private readonly clients = new Map<string, Promise<SdkClient>>();

  private client(service: Service, target: ServiceEndpointConfig): Promise<SdkClient> {
    const key = `${service} ${target.endpoint ?? ''} ${target.region ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      const options = { region: target.region ?? 'us-east-1', ...(target.endpoint ? { endpoint: target.endpoint } : {}) };
      // Imported on first use: gateways without remote services need not load the SDK clients.
      client =
        service === 'sqs'
          ? import('@aws-sdk/client-sqs').then((m) => new m.SQSClient(options) as unknown as SdkClient)
          : service === 'sns'
            ? import('@aws-sdk/client-sns').then((m) => new m.SNSClient(options) as unknown as SdkClient)
            : import('@aws-sdk/client-eventbridge').then((m) => new m.EventBridgeClient(options) as unknown as SdkClient);
      this.clients.set(key, client);
    }
    return client;
  }

  /** SendMessage; errors become `SQS.AmazonSQSException` as in-process, or `SQS.SdkClientException` when the endpoint cannot be reached. */
  async sendMessage(target: ServiceEndpointConfig, parameters: unknown, signal: AbortSignal): Promise<Record<string, unknown>> {
    const p = (parameters ?? {}) as Record<string, unknown>;
    if (typeof p.QueueUrl !== 'string') throw new StatesError('States.Runtime', "The field 'QueueUrl' is required and must be a string");
    if (p.MessageBody === undefined) throw new StatesError('States.Runtime', "The field 'MessageBody' is required");
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    const input = { ...p, MessageBody: typeof p.MessageBody === 'string' ? p.MessageBody : JSON.stringify(p.MessageBody) };
    const sent = await this.call('sqs', target, new SendMessageCommand(input as never), signal, (failure) => {
      // As in-process: the Java SDK Step Functions uses models no SendMessage error but AmazonSQSException.
      const code = failure.Code ?? failure.name ?? 'InternalError';
      const cause = serviceError('SQS', 'AmazonSQS', code, failure.message ?? code, failure.$metadata!.httpStatusCode!, failure.$metadata!.requestId).cause;
      return new StatesError('SQS.AmazonSQSException', cause);
    });
    const out = sent.response as { MD5OfMessageAttributes?: string; MD5OfMessageBody?: string; MessageId?: string; SequenceNumber?: string };
    return {
      ...(out.MD5OfMessageAttributes ? { MD5OfMessageAttributes: out.MD5OfMessageAttributes } : {}),
      MD5OfMessageBody: out.MD5OfMessageBody,
      MessageId: out.MessageId,
      ...(out.SequenceNumber ? { SequenceNumber: out.SequenceNumber } : {}),
      ...sdkMetadata(sent.requestId, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': sent.requestId }),
    };
  }

  /** Publish; errors become `SNS.<Code>Exception` as in-process. */
  async publish(target: ServiceEndpointConfig, parameters: unknown, signal: AbortSignal): Promise<Record<string, unknown>> {
    const p = (parameters ?? {}) as Record<string, unknown>;
    if (typeof p.TopicArn !== 'string' && typeof p.TargetArn !== 'string')
      throw new StatesError('States.Runtime', "The field 'TopicArn' or 'TargetArn' is required");
    if (p.Message === undefined) throw new StatesError('States.Runtime', "The field 'Message' is required");
    const { PublishCommand } = await import('@aws-sdk/client-sns');
    const input = { ...p, Message: typeof p.Message === 'string' ? p.Message : JSON.stringify(p.Message) };
    const sent = await this.call('sns', target, new PublishCommand(input as never), signal, (failure) => {
      // The JS SDK names modeled SNS errors as the Java SDK does (NotFoundException, InvalidParameterValueException);
      // an unmodeled one keeps its bare code. The Java SDK's summary shows the bare code.
      const name = failure.name ?? 'InternalError';
      const code = failure.Code ?? name.replace(/Exception$/, '');
      const cause = serviceError('SNS', 'AmazonSNS', code, failure.message ?? code, failure.$metadata!.httpStatusCode!, failure.$metadata!.requestId).cause;
      return new StatesError(`SNS.${name.endsWith('Exception') ? name : snsJavaException(code)}`, cause);
    });
    const out = sent.response as { MessageId?: string; SequenceNumber?: string };
    return {
      MessageId: out.MessageId,
      ...(out.SequenceNumber ? { SequenceNumber: out.SequenceNumber } : {}),
      ...sdkMetadata(sent.requestId, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': sent.requestId }),
    };
  }

  /** PutEvents; a failed entry fails the task with `EventBridge.FailedEntry`, a service error with `EventBridge.<Code>`. */
  async putEvents(target: ServiceEndpointConfig, parameters: unknown, signal: AbortSignal): Promise<Record<string, unknown>> {
    const p = (parameters ?? {}) as Record<string, unknown>;
    if (!Array.isArray(p.Entries) || p.Entries.length === 0)
      throw new StatesError('States.Runtime', "The field 'Entries' is required and must be a non-empty array");
    const { PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
    const Entries = (p.Entries as Array<Record<string, unknown>>).map((e) => ({
      ...e,
      Detail: typeof e.Detail === 'string' || e.Detail === undefined ? e.Detail : JSON.stringify(e.Detail),
    }));
    const sent = await this.call('eventBridge', target, new PutEventsCommand({ ...p, Entries } as never), signal, (failure) => {
      const code = failure.Code ?? failure.name ?? 'InternalException';
      return serviceError('EventBridge', 'AmazonEventBridge', code, failure.message ?? code, failure.$metadata!.httpStatusCode!, failure.$metadata!.requestId);
    });
    const out = sent.response as { Entries?: unknown[]; FailedEntryCount?: number };
    const response = { Entries: out.Entries ?? [], FailedEntryCount: out.FailedEntryCount ?? 0 };
    if (response.FailedEntryCount > 0) throw new StatesError('EventBridge.FailedEntry', JSON.stringify(response));
    return { ...response, ...sdkMetadata(sent.requestId, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': sent.requestId }) };
  }

  /**
   * Sends one command. A service's answer (it has an HTTP status) is mapped by `onServiceError`;
   * anything else (refused connection, DNS, missing credentials) is `<Prefix>.SdkClientException`,
   * the name the AWS SDK for Java gives a call that never got an answer, so `Catch` can name it.
   */
  private async call(
    service: Service,
    target: ServiceEndpointConfig,
    command: unknown,
    signal: AbortSignal,
    onServiceError: (failure: SdkFailure) => StatesError,
  ): Promise<{ response: unknown; requestId: string }> {
    const client = await this.client(service, target);
    try {
      const response = (await client.send(command, { abortSignal: signal })) as { $metadata?: { requestId?: string } };
      return { response, requestId: response.$metadata?.requestId ?? '' };
    } catch (error) {
      if (signal.aborted) throw error;
      const failure = error as SdkFailure;
      const prefix = PREFIX[service];
      if (failure.$metadata?.httpStatusCode === undefined) {
        const where = target.endpoint ?? `AWS ${service} in ${target.region ?? 'us-east-1'}`;
        throw new StatesError(
          `${prefix.states}.SdkClientException`,
          `Unable to execute HTTP request to ${where}: ${failure.message ?? String(error)} (Service: ${prefix.sdk})`,
        );
      }
      throw onServiceError(failure);
    }
  }

  /** Releases the clients' sockets. */
  close(): void {
    for (const client of this.clients.values()) void client.then((c) => c.destroy());
    this.clients.clear();
  }
}

const PREFIX: Record<Service, { states: string; sdk: SdkServiceName }> = {
  sqs: { states: 'SQS', sdk: 'AmazonSQS' },
  sns: { states: 'SNS', sdk: 'AmazonSNS' },
  eventBridge: { states: 'EventBridge', sdk: 'AmazonEventBridge' },
};
