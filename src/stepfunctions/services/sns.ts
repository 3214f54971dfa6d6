/**
 * The in-process SNS default: topics and subscriptions held in memory, served on the gateway's
 * port with SNS's query protocol (form-encoded `Action=…&Version=2010-03-31`, XML answers, what
 * `@aws-sdk/client-sns` and the AWS CLI send) and used by `arn:aws:states:::sns:publish` tasks.
 * A publish delivers where AWS would: to subscribed queues of the in-process SQS (services/sqs.ts),
 * HTTP(S) endpoints and the gateway's Lambda functions (docs/stepfunctions.md, "SNS").
 *
 * Written by hand: no maintained npm package serves SNS's API in-process.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../datasources/types.js';
import type { NormalizedConfig } from '../../config/types.js';
import { SqsError, verifySignature, type MessageAttributeValue, type SqsQueues } from './sqs.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/** An SNS API error (query protocol: `<Error><Code>`). */
export class SnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  raw: boolean;
}

interface Topic {
  arn: string;
  name: string;
  subscriptions: Map<string, Subscription>;
}

/** What the topics need to deliver outside themselves. */
export interface SnsDeliveries {
  sqs: SqsQueues;
  /** Runs one of the gateway's Lambda functions (by name or ARN). */
  invokeLambda(functionName: string, event: unknown): Promise<unknown>;
  logger: Logger;
}

/** A message as Publish takes it. */
export interface PublishInput {
  TopicArn?: unknown;
  TargetArn?: unknown;
  Message?: unknown;
  Subject?: unknown;
  MessageAttributes?: Record<string, MessageAttributeValue>;
}

/** The topics of one gateway. */
export class SnsTopics {
  private readonly topics = new Map<string, Topic>();

  constructor(private readonly deliveries: SnsDeliveries) {}

  /** The topics and their subscriptions as JSON (services/persisted.ts). */
  snapshot(): unknown[] {
    return [...this.topics.values()].map((t) => ({ arn: t.arn, name: t.name, subscriptions: [...t.subscriptions.values()] }));
  }

  /** Puts back topics of {@link snapshot}. */
  restore(topics: unknown[]): void {
    for (const t of topics as Array<{ arn: string; name: string; subscriptions: Subscription[] }>) {
      if (typeof t?.arn !== 'string' || !Array.isArray(t.subscriptions)) continue;
      this.topics.set(t.arn, { arn: t.arn, name: t.name, subscriptions: new Map(t.subscriptions.map((sub) => [sub.arn, sub])) });
    }
  }

  private topic(arn: unknown): Topic {
    const topic = typeof arn === 'string' ? this.topics.get(arn) : undefined;
    if (!topic) throw new SnsError('NotFound', 'Topic does not exist', 404);
    return topic;
  }

  createTopic(name: unknown, attributes: Record<string, string> = {}): string {
    if (typeof name !== 'string' || !TOPIC_NAME.test(name)) {
      if (typeof name === 'string' && name.endsWith('.fifo'))
        throw new SnsError('InvalidParameter', 'Invalid parameter: FIFO topics are not supported by appsync-gateway');
      throw new SnsError('InvalidParameter', 'Invalid parameter: Topic Name');
    }
    if (attributes.FifoTopic === 'true') throw new SnsError('InvalidParameter', 'Invalid parameter: FIFO topics are not supported by appsync-gateway');
    const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
    if (!this.topics.has(arn)) this.topics.set(arn, { arn, name, subscriptions: new Map() });
    return arn;
  }

  deleteTopic(arn: unknown): void {
    // SNS answers success for a topic that is already gone.
    if (typeof arn === 'string') this.topics.delete(arn);
  }

  listTopics(): string[] {
    return [...this.topics.keys()].sort();
  }

  subscribe(topicArn: unknown, protocol: unknown, endpoint: unknown, attributes: Record<string, string> = {}): string {
    const topic = this.topic(topicArn);
    if (typeof protocol !== 'string' || !['sqs', 'http', 'https', 'lambda'].includes(protocol)) {
      throw new SnsError(
        'InvalidParameter',
        `Invalid parameter: Protocol (${String(protocol)} is not supported by appsync-gateway: sqs, http, https and lambda are)`,
      );
    }
    if (typeof endpoint !== 'string' || endpoint === '') throw new SnsError('InvalidParameter', 'Invalid parameter: Endpoint');
    if (protocol === 'sqs' && !endpoint.startsWith('arn:aws:sqs:')) throw new SnsError('InvalidParameter', 'Invalid parameter: SQS endpoint ARN');
    if ((protocol === 'http' || protocol === 'https') && !endpoint.startsWith(`${protocol}://`)) {
      throw new SnsError('InvalidParameter', `Invalid parameter: Endpoint must match the specified protocol`);
    }
    for (const existing of topic.subscriptions.values()) {
      if (existing.protocol === protocol && existing.endpoint === endpoint) return existing.arn;
    }
    const arn = `${topic.arn}:${randomUUID()}`;
    topic.subscriptions.set(arn, { arn, topicArn: topic.arn, protocol, endpoint, raw: attributes.RawMessageDelivery === 'true' });
    return arn;
  }

  unsubscribe(subscriptionArn: unknown): void {
    for (const topic of this.topics.values()) if (typeof subscriptionArn === 'string') topic.subscriptions.delete(subscriptionArn);
  }

  listSubscriptions(topicArn?: unknown): Subscription[] {
    const topics = topicArn === undefined ? [...this.topics.values()] : [this.topic(topicArn)];
    return topics.flatMap((t) => [...t.subscriptions.values()]);
  }

  /**
   * Publishes to every subscription; resolves with the message id once queues have the message
   * (HTTP and Lambda deliveries go on in the background; a failed one is logged at `warn`).
   */
  publish(input: PublishInput): string {
    const topic = this.topic(input.TopicArn ?? input.TargetArn);
    if (input.Message === undefined || input.Message === '') throw new SnsError('InvalidParameter', 'Invalid parameter: Empty message');
    if (typeof input.Message !== 'string') throw new SnsError('InvalidParameter', 'Invalid parameter: Message');
    const id = randomUUID();
    const timestamp = new Date().toISOString();
    const subject = typeof input.Subject === 'string' ? input.Subject : undefined;
    const attributes = input.MessageAttributes ?? {};
    const envelope = (subscription: Subscription, lambdaStyle: boolean) => ({
      Type: 'Notification',
      MessageId: id,
      TopicArn: topic.arn,
      ...(subject !== undefined || lambdaStyle ? { Subject: subject ?? null } : {}),
      Message: input.Message,
      Timestamp: timestamp,
      SignatureVersion: '1',
      Signature: 'appsync-gateway',
      [lambdaStyle ? 'SigningCertUrl' : 'SigningCertURL']: `https://sns.${REGION}.amazonaws.com/SimpleNotificationService.pem`,
      [lambdaStyle ? 'UnsubscribeUrl' : 'UnsubscribeURL']: `https://sns.${REGION}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
      ...(Object.keys(attributes).length > 0 || lambdaStyle
        ? {
            MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue ?? v.BinaryValue }])),
          }
        : {}),
    });
    for (const subscription of topic.subscriptions.values()) {
      const { logger } = this.deliveries;
      const failed = (error: unknown) =>
        logger.warn(`SNS delivery to ${subscription.protocol} ${subscription.endpoint} failed`, { error: (error as Error)?.message ?? String(error) });
      if (subscription.protocol === 'sqs') {
        try {
          const body = subscription.raw ? (input.Message as string) : JSON.stringify(envelope(subscription, false));
          this.deliveries.sqs.sendMessage(
            subscription.endpoint,
            body,
            subscription.raw && Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {},
          );
        } catch (error) {
          failed(error);
        }
      } else if (subscription.protocol === 'lambda') {
        const event = { Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: subscription.arn, Sns: envelope(subscription, true) }] };
        this.deliveries.invokeLambda(subscription.endpoint, event).catch(failed);
      } else {
        const body = subscription.raw ? (input.Message as string) : JSON.stringify(envelope(subscription, false));
        fetch(subscription.endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'text/plain; charset=UTF-8',
            'x-amz-sns-message-type': 'Notification',
            'x-amz-sns-message-id': id,
            'x-amz-sns-topic-arn': topic.arn,
            'x-amz-sns-subscription-arn': subscription.arn,
          },
          body,
        })
          .then((res) => {
            if (!res.ok) failed(new Error(`HTTP ${res.status}`));
            return res.body?.cancel();
          })
          .catch(failed);
      }
    }
    return id;
  }
}

/** True when the request is an SNS query-protocol call (form-encoded, SNS's API version). */
export function isSnsCall(req: IncomingMessage, body: Buffer): boolean {
  if (req.method !== 'POST') return false;
  const type = req.headers['content-type'];
  if (typeof type !== 'string' || !type.startsWith('application/x-www-form-urlencoded')) return false;
  return body.includes('Version=2010-03-31');
}

const escapeXml = (text: string) => text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
/** One XML element with escaped text. */
const el = (name: string, text: string) => `<${name}>${escapeXml(text)}</${name}>`;

/** `Prefix.entry.N.key` / `.value` pairs of a query request (Attributes). */
function entries(params: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 1; params.has(`${prefix}.entry.${i}.key`); i++) out[params.get(`${prefix}.entry.${i}.key`)!] = params.get(`${prefix}.entry.${i}.value`) ?? '';
  return out;
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` of a query request. */
function messageAttributes(params: URLSearchParams): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
    const at = `MessageAttributes.entry.${i}.Value`;
    const value: MessageAttributeValue = { DataType: params.get(`${at}.DataType`) ?? 'String' };
    if (params.has(`${at}.StringValue`)) value.StringValue = params.get(`${at}.StringValue`)!;
    if (params.has(`${at}.BinaryValue`)) value.BinaryValue = params.get(`${at}.BinaryValue`)!;
    out[params.get(`MessageAttributes.entry.${i}.Name`)!] = value;
  }
  return out;
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(xml)) });
  res.end(xml);
}

/** Answers one SNS API call (`isSnsCall` was true). */
export async function handleSnsCall(topics: SnsTopics, req: IncomingMessage, res: ServerResponse, body: Buffer, config: NormalizedConfig): Promise<void> {
  const params = new URLSearchParams(body.toString('utf8'));
  const action = params.get('Action') ?? '';
  const requestId = randomUUID();
  try {
    try {
      await verifySignature(req, body, config, 'sns');
    } catch (error) {
      if (error instanceof SqsError) throw new SnsError(error.code, error.message, 403);
      throw error;
    }
    let result = '';
    switch (action) {
      case 'CreateTopic':
        result = `<TopicArn>${escapeXml(topics.createTopic(params.get('Name'), entries(params, 'Attributes')))}</TopicArn>`;
        break;
      case 'DeleteTopic':
        topics.deleteTopic(params.get('TopicArn'));
        break;
      case 'ListTopics':
        result = `<Topics>${topics
          .listTopics()
          .map((arn) => `<member><TopicArn>${escapeXml(arn)}</TopicArn></member>`)
          .join('')}</Topics>`;
        break;
      case 'Subscribe':
        result = el('SubscriptionArn', topics.subscribe(params.get('TopicArn'), params.get('Protocol'), params.get('Endpoint'), entries(params, 'Attributes')));
        break;
      case 'Unsubscribe':
        topics.unsubscribe(params.get('SubscriptionArn'));
        break;
      case 'ListSubscriptions':
      case 'ListSubscriptionsByTopic':
        result = `<Subscriptions>${topics
          .listSubscriptions(action === 'ListSubscriptionsByTopic' ? (params.get('TopicArn') ?? '') : undefined)
          .map(
            (s) =>
              `<member>${el('SubscriptionArn', s.arn)}${el('TopicArn', s.topicArn)}${el('Protocol', s.protocol)}` +
              `${el('Endpoint', s.endpoint)}${el('Owner', ACCOUNT)}</member>`,
          )
          .join('')}</Subscriptions>`;
        break;
      case 'Publish':
        result = `<MessageId>${topics.publish({
          TopicArn: params.get('TopicArn') ?? undefined,
          TargetArn: params.get('TargetArn') ?? undefined,
          Message: params.get('Message') ?? undefined,
          Subject: params.get('Subject') ?? undefined,
          MessageAttributes: messageAttributes(params),
        })}</MessageId>`;
        break;
      default:
        throw new SnsError('InvalidAction', `The action ${action} is not supported by appsync-gateway's SNS.`);
    }
    sendXml(
      res,
      200,
      `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result>` +
        `<ResponseMetadata>${el('RequestId', requestId)}</ResponseMetadata></${action}Response>`,
    );
  } catch (error) {
    if (!(error instanceof SnsError)) throw error;
    sendXml(
      res,
      error.statusCode,
      `<ErrorResponse xmlns="${XMLNS}"><Error>${el('Type', 'Sender')}${el('Code', error.code)}${el('Message', error.message)}</Error>` +
        `${el('RequestId', requestId)}</ErrorResponse>`,
    );
  }
}
