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
import { SqsError, isSqsQueueArn, verifySignature, type SqsQueues } from './sqs.js';
import { messageBytes, type MessageAttributeValue } from './messageAttributes.js';
import { checkPattern, matchesPattern, type Pattern } from './patterns.js';
import { queueDeliveryAttributes, snsAttributesProblem } from './snsMessageAttributes.js';
import { messageTextProblem, subjectRefused } from './snsPublishText.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

/** SNS's limit on one message, its attributes counted in, and on a batch's messages together: a topic's default `MaximumMessageSize`. */
const DEFAULT_MAX_MESSAGE_BYTES = 262_144;
/** The largest `MaximumMessageSize` a topic may have (AWS since 2026). */
const LARGEST_MESSAGE_BYTES = 1_048_576;
/** Above the default `MaximumMessageSize`, a topic may have this many subscriptions, of these protocols only (SNS's large-message rules). */
const LARGE_TOPIC_SUBSCRIPTIONS = 100;
const LARGE_TOPIC_PROTOCOLS = new Set(['sqs', 'lambda', 'firehose']);

/**
 * The largest SNS call the gateway reads (docs/stepfunctions.md#sns): a 1 MiB message
 * form-encoded, each byte at most three (`%22`), and room for the rest of the call.
 * Gateway choice: AWS does not document its request limit.
 */
export const MAX_REQUEST_BYTES = 3 * LARGEST_MESSAGE_BYTES + 64 * 1024;

const messageTooLong = (statusCode = 400) => new SnsError('InvalidParameter', 'Invalid parameter: Message too long', statusCode);
const batchTooLong = (statusCode = 400) =>
  new SnsError('BatchRequestTooLong', 'The length of all the batch messages put together is more than the limit.', statusCode);

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
  /** The `FilterPolicy` attribute's text, checked when set. */
  filterPolicy?: string;
  /** `FilterPolicyScope`. @default MessageAttributes */
  filterScope?: 'MessageAttributes' | 'MessageBody';
  /** The `RedrivePolicy` attribute's text (`{"deadLetterTargetArn": "<queue ARN>"}`), checked when set. */
  redrivePolicy?: string;
}

const SUBSCRIPTION_ATTRIBUTES = new Set(['RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy']);

/** The dead-letter queue's ARN of a subscription's RedrivePolicy, checked as SNS checks it (an SQS queue ARN). */
function deadLetterTarget(text: string): string {
  const bad = (reason: string) => new SnsError('InvalidParameter', `Invalid parameter: RedrivePolicy: ${reason}`);
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw bad('failed to parse JSON.');
  }
  const target = (policy as { deadLetterTargetArn?: unknown } | null)?.deadLetterTargetArn;
  if (!isSqsQueueArn(target)) throw bad('deadLetterTargetArn is an invalid arn');
  return target;
}

/**
 * Deliveries that failed, named after SNS's CloudWatch metrics (`GET /health` shows them as `sns`):
 * failed, then moved to the subscription's dead-letter queue or not.
 */
export interface SnsDeliveryStats {
  numberOfNotificationsFailed: number;
  numberOfNotificationsRedrivenToDlq: number;
  numberOfNotificationsFailedToRedriveToDlq: number;
}

/** Checks a FilterPolicy as SNS does (the event-pattern matchers; `$or` is not supported here). */
function checkFilterPolicy(text: string): Pattern {
  const bad = (reason: string) => new SnsError('InvalidParameter', `Invalid parameter: FilterPolicy: ${reason}`);
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw bad('failed to parse JSON.');
  }
  checkPattern(policy, bad);
  return policy;
}

/**
 * The message attributes as a filter policy sees them: `String` values as strings, `Number` ones as
 * numbers, `String.Array` ones as their JSON list; `Binary` attributes are not matched (as on SNS).
 */
function attributesForFilter(attributes: Record<string, MessageAttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (value.DataType.startsWith('Number')) out[name] = Number(value.StringValue);
    else if (value.DataType === 'String.Array') {
      try {
        out[name] = JSON.parse(value.StringValue ?? '[]');
      } catch {
        out[name] = value.StringValue;
      }
    } else if (value.DataType.startsWith('String')) out[name] = value.StringValue;
  }
  return out;
}

/** True when the subscription's filter policy (if any) lets the message through. */
function passesFilter(subscription: Subscription, message: string, attributes: Record<string, MessageAttributeValue>): boolean {
  if (!subscription.filterPolicy) return true;
  const policy = JSON.parse(subscription.filterPolicy) as Pattern;
  if (subscription.filterScope === 'MessageBody') {
    try {
      return matchesPattern(policy, JSON.parse(message));
    } catch {
      // A body that is not JSON matches no body policy.
      return false;
    }
  }
  return matchesPattern(policy, attributesForFilter(attributes));
}

interface Topic {
  arn: string;
  name: string;
  subscriptions: Map<string, Subscription>;
  /** The attributes set on the topic (GetTopicAttributes shows these and the ones SNS computes). */
  attributes: Record<string, string>;
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
  /** A PublishBatch entry's position (from 1), which SNS's error for a missing attribute type names. */
  batchEntry?: number;
}

/** The topics of one gateway. */
export class SnsTopics {
  private readonly topics = new Map<string, Topic>();
  /** Failed deliveries since the gateway started. */
  readonly stats: SnsDeliveryStats = { numberOfNotificationsFailed: 0, numberOfNotificationsRedrivenToDlq: 0, numberOfNotificationsFailedToRedriveToDlq: 0 };

  constructor(private readonly deliveries: SnsDeliveries) {}

  /** The topics and their subscriptions as JSON (services/persisted.ts). */
  snapshot(): unknown[] {
    return [...this.topics.values()].map((t) => ({ arn: t.arn, name: t.name, attributes: t.attributes, subscriptions: [...t.subscriptions.values()] }));
  }

  /** Puts back topics of {@link snapshot}. */
  restore(topics: unknown[]): void {
    for (const t of topics as Array<{ arn: string; name: string; subscriptions: Subscription[]; attributes?: Record<string, string> }>) {
      if (typeof t?.arn !== 'string' || !Array.isArray(t.subscriptions)) continue;
      this.topics.set(t.arn, {
        arn: t.arn,
        name: t.name,
        attributes: t.attributes ?? {},
        subscriptions: new Map(t.subscriptions.map((sub) => [sub.arn, sub])),
      });
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
    const existing = this.topics.get(arn);
    const topic: Topic = existing ?? { arn, name, subscriptions: new Map(), attributes: {} };
    // Checked on the topic as it would be; an existing topic keeps its attributes, as SNS's idempotent CreateTopic does.
    const given = Object.entries(attributes).filter(([key]) => key !== 'FifoTopic');
    for (const [key, value] of given) this.checkTopicAttribute(topic, key, value);
    if (!existing) {
      for (const [key, value] of given) topic.attributes[key] = value;
      this.topics.set(arn, topic);
    }
    return arn;
  }

  /**
   * A topic attribute as SNS checks it; `MaximumMessageSize` above the default needs a topic SNS
   * allows large messages on. Gateway choice: other attributes are kept as given, unchecked (SNS
   * has many, for features the in-process SNS does not have).
   */
  private checkTopicAttribute(topic: Topic, name: unknown, value: unknown): void {
    if (typeof name !== 'string' || name === '') throw new SnsError('InvalidParameter', 'Invalid parameter: AttributeName');
    if (name !== 'MaximumMessageSize') return;
    const size = Number(value);
    if (typeof value !== 'string' || value.trim() === '' || !Number.isInteger(size) || size < 1_024 || size > LARGEST_MESSAGE_BYTES)
      throw new SnsError('InvalidParameter', `Invalid parameter: MaximumMessageSize: must be an integer from 1024 to ${LARGEST_MESSAGE_BYTES}`);
    if (size > DEFAULT_MAX_MESSAGE_BYTES) {
      const subscriptions = [...topic.subscriptions.values()];
      if (subscriptions.length > LARGE_TOPIC_SUBSCRIPTIONS || subscriptions.some((s) => !LARGE_TOPIC_PROTOCOLS.has(s.protocol)))
        throw new SnsError(
          'InvalidParameter',
          `Invalid parameter: MaximumMessageSize: a topic above ${DEFAULT_MAX_MESSAGE_BYTES} bytes ` +
            `may have up to ${LARGE_TOPIC_SUBSCRIPTIONS} subscriptions, of Amazon SQS, Lambda or Firehose only`,
        );
    }
  }

  /** SetTopicAttributes: one attribute, checked first. */
  setTopicAttribute(arn: unknown, name: unknown, value: unknown): void {
    const topic = this.topic(arn);
    this.checkTopicAttribute(topic, name, value);
    topic.attributes[name as string] = String(value ?? '');
  }

  /** GetTopicAttributes: what SNS computes and the attributes set (`MaximumMessageSize` only once set, as SNS answers). */
  getTopicAttributes(arn: unknown): Record<string, string> {
    const topic = this.topic(arn);
    return {
      TopicArn: topic.arn,
      Owner: ACCOUNT,
      DisplayName: '',
      SubscriptionsConfirmed: String(topic.subscriptions.size),
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
      ...topic.attributes,
    };
  }

  /** The topic's `MaximumMessageSize`: its limit on one message and on a batch's messages together. */
  maximumMessageSize(arn: unknown): number {
    return Number(this.topic(arn).attributes.MaximumMessageSize ?? DEFAULT_MAX_MESSAGE_BYTES);
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
    // Attributes are checked first: a bad FilterPolicy is refused even for an existing subscription.
    const arn = `${topic.arn}:${randomUUID()}`;
    const subscription: Subscription = { arn, topicArn: topic.arn, protocol, endpoint, raw: false };
    for (const [name, value] of Object.entries(attributes)) this.applyAttribute(subscription, name, value);
    for (const existing of topic.subscriptions.values()) {
      if (existing.protocol === protocol && existing.endpoint === endpoint) return existing.arn;
    }
    if (this.maximumMessageSize(topic.arn) > DEFAULT_MAX_MESSAGE_BYTES) {
      if (!LARGE_TOPIC_PROTOCOLS.has(protocol) || topic.subscriptions.size >= LARGE_TOPIC_SUBSCRIPTIONS)
        throw new SnsError(
          'InvalidParameter',
          `Invalid parameter: a topic whose MaximumMessageSize is above ${DEFAULT_MAX_MESSAGE_BYTES} bytes ` +
            `takes up to ${LARGE_TOPIC_SUBSCRIPTIONS} subscriptions, of Amazon SQS, Lambda or Firehose only`,
        );
    }
    topic.subscriptions.set(arn, subscription);
    return arn;
  }

  /** One subscription attribute (Subscribe's Attributes, SetSubscriptionAttributes). */
  private applyAttribute(subscription: Subscription, name: unknown, value: unknown): void {
    if (typeof name !== 'string' || !SUBSCRIPTION_ATTRIBUTES.has(name))
      throw new SnsError('InvalidParameter', `Invalid parameter: AttributeName (${String(name)} is not supported by appsync-gateway)`);
    const text = typeof value === 'string' ? value : '';
    if (name === 'RawMessageDelivery') subscription.raw = text === 'true';
    else if (name === 'RedrivePolicy') {
      if (text === '') delete subscription.redrivePolicy;
      else {
        deadLetterTarget(text);
        subscription.redrivePolicy = text;
      }
    } else if (name === 'FilterPolicyScope') {
      if (text !== 'MessageAttributes' && text !== 'MessageBody')
        throw new SnsError(
          'InvalidParameter',
          'Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [' + text + ']. Please use either MessageBody or MessageAttributes',
        );
      subscription.filterScope = text;
    } else if (text === '') delete subscription.filterPolicy;
    else {
      checkFilterPolicy(text);
      subscription.filterPolicy = text;
    }
  }

  private subscription(arn: unknown): Subscription {
    for (const topic of this.topics.values()) {
      const found = typeof arn === 'string' ? topic.subscriptions.get(arn) : undefined;
      if (found) return found;
    }
    throw new SnsError('NotFound', 'Subscription does not exist', 404);
  }

  setSubscriptionAttributes(arn: unknown, name: unknown, value: unknown): void {
    this.applyAttribute(this.subscription(arn), name, value);
  }

  getSubscriptionAttributes(arn: unknown): Record<string, string> {
    const s = this.subscription(arn);
    return {
      SubscriptionArn: s.arn,
      TopicArn: s.topicArn,
      Protocol: s.protocol,
      Endpoint: s.endpoint,
      Owner: ACCOUNT,
      RawMessageDelivery: String(s.raw),
      ConfirmationWasAuthenticated: 'true',
      PendingConfirmation: 'false',
      ...(s.filterPolicy ? { FilterPolicy: s.filterPolicy, FilterPolicyScope: s.filterScope ?? 'MessageAttributes' } : {}),
      ...(s.redrivePolicy ? { RedrivePolicy: s.redrivePolicy } : {}),
    };
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
    const textProblem = messageTextProblem(input.Message);
    if (textProblem !== undefined) throw new SnsError('InvalidParameter', textProblem);
    const subject = typeof input.Subject === 'string' ? input.Subject : undefined;
    if (subject !== undefined && subjectRefused(subject)) throw new SnsError('InvalidParameter', 'Invalid parameter: Subject');
    const attributes = input.MessageAttributes ?? {};
    const attributesProblem = snsAttributesProblem(attributes, input.batchEntry);
    if (attributesProblem) throw new SnsError(attributesProblem.code, attributesProblem.message);
    if (messageBytes(input.Message, attributes) > this.maximumMessageSize(topic.arn)) throw messageTooLong();
    const id = randomUUID();
    const timestamp = new Date().toISOString();
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
    const queueAttributes = queueDeliveryAttributes(attributes);
    for (const subscription of topic.subscriptions.values()) {
      if (!passesFilter(subscription, input.Message, attributes)) continue;
      // What a queue receives: the notification JSON, or with raw delivery the message and its attributes (not SNS's own).
      const queued = () => ({
        body: subscription.raw ? (input.Message as string) : JSON.stringify(envelope(subscription, false)),
        options: subscription.raw && Object.keys(queueAttributes).length > 0 ? { MessageAttributes: queueAttributes } : {},
      });
      const failed = (error: unknown) => this.deliveryFailed(subscription, error, queued);
      if (subscription.protocol === 'sqs') {
        try {
          const { body, options } = queued();
          this.deliveries.sqs.sendMessage(subscription.endpoint, body, options);
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

  /**
   * A delivery that failed (the queue refused the message, the function threw, the endpoint
   * answered an error): as SNS, not retried here, and moved to the subscription's dead-letter queue
   * when its RedrivePolicy names one, else discarded; either way counted ({@link stats}) and logged
   * once at `warn` with the reason. Gateway choice: the dead-letter message is what an SQS
   * subscription would have received (AWS does not document its shape).
   */
  private deliveryFailed(
    subscription: Subscription,
    error: unknown,
    queued: () => { body: string; options: { MessageAttributes?: Record<string, MessageAttributeValue> } },
  ): void {
    this.stats.numberOfNotificationsFailed++;
    const where = `SNS delivery to ${subscription.protocol} ${subscription.endpoint} failed`;
    const reason = (error as Error)?.message ?? String(error);
    if (!subscription.redrivePolicy) {
      this.deliveries.logger.warn(`${where}; the message is discarded (the subscription has no RedrivePolicy)`, {
        error: reason,
        subscription: subscription.arn,
      });
      return;
    }
    let target: string | undefined;
    try {
      target = deadLetterTarget(subscription.redrivePolicy);
      const { body, options } = queued();
      this.deliveries.sqs.sendMessage(target, body, options);
      this.stats.numberOfNotificationsRedrivenToDlq++;
      this.deliveries.logger.warn(`${where}; the message is moved to the dead-letter queue ${target}`, { error: reason, subscription: subscription.arn });
    } catch (dlqError) {
      this.stats.numberOfNotificationsFailedToRedriveToDlq++;
      this.deliveries.logger.warn(`${where}, and so did moving it to the dead-letter queue ${target ?? subscription.redrivePolicy}; the message is discarded`, {
        error: reason,
        deadLetterError: (dlqError as Error)?.message ?? String(dlqError),
        subscription: subscription.arn,
      });
    }
  }
}

/** True when the request may be an SNS call, known before its body is read (a form post): its body may be up to {@link MAX_REQUEST_BYTES}. */
export function mayBeSnsCall(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return req.method === 'POST' && typeof type === 'string' && type.startsWith('application/x-www-form-urlencoded');
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
function messageAttributes(params: URLSearchParams, prefix = ''): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (let i = 1; params.has(`${prefix}MessageAttributes.entry.${i}.Name`); i++) {
    const at = `${prefix}MessageAttributes.entry.${i}.Value`;
    // A missing DataType stays missing: publish refuses it, as SNS does.
    const value = { DataType: params.get(`${at}.DataType`) ?? undefined } as MessageAttributeValue;
    if (params.has(`${at}.StringValue`)) value.StringValue = params.get(`${at}.StringValue`)!;
    if (params.has(`${at}.BinaryValue`)) value.BinaryValue = params.get(`${at}.BinaryValue`)!;
    out[params.get(`${prefix}MessageAttributes.entry.${i}.Name`)!] = value;
  }
  return out;
}

/** PublishBatch: the entries (`PublishBatchRequestEntries.member.N.*`), checked as SNS checks a batch, each published on its own. */
function publishBatch(topics: SnsTopics, params: URLSearchParams): string {
  const topicArn = params.get('TopicArn') ?? undefined;
  const entries: string[] = [];
  for (let i = 1; params.has(`PublishBatchRequestEntries.member.${i}.Id`) || params.has(`PublishBatchRequestEntries.member.${i}.Message`); i++)
    entries.push(`PublishBatchRequestEntries.member.${i}.`);
  if (entries.length === 0) throw new SnsError('EmptyBatchRequest', "The batch request doesn't contain any entries");
  if (entries.length > 10) throw new SnsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible');
  const ids = entries.map((at) => params.get(`${at}Id`) ?? '');
  if (new Set(ids).size !== ids.length) throw new SnsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id');
  if (ids.some((id) => !/^[A-Za-z0-9_-]{1,80}$/.test(id)))
    throw new SnsError('InvalidBatchEntryId', "The Id of a batch entry in a batch request doesn't abide by the specification");
  const total = entries.reduce((sum, at) => sum + messageBytes(params.get(`${at}Message`) ?? '', messageAttributes(params, at)), 0);
  if (total > topics.maximumMessageSize(topicArn)) throw batchTooLong();
  let ok = '';
  let failed = '';
  for (const [i, at] of entries.entries()) {
    try {
      const id = topics.publish({
        TopicArn: topicArn,
        Message: params.get(`${at}Message`) ?? undefined,
        Subject: params.get(`${at}Subject`) ?? undefined,
        MessageAttributes: messageAttributes(params, at),
        batchEntry: i + 1,
      });
      ok += `<member>${el('Id', ids[i]!)}${el('MessageId', id)}</member>`;
    } catch (error) {
      // A topic that does not exist fails the whole call, as on SNS; a bad entry only itself.
      if (!(error instanceof SnsError) || error.code === 'NotFound') throw error;
      failed += `<member>${el('Id', ids[i]!)}${el('Code', error.code)}${el('Message', error.message)}${el('SenderFault', 'true')}</member>`;
    }
  }
  return `<Successful>${ok}</Successful><Failed>${failed}</Failed>`;
}

/**
 * Answers an SNS call whose body was past the gateway's `limitBytes` (docs/stepfunctions.md#sns) with
 * the error SNS gives a message or batch over its limit, which the SDK throws typed: a batch publish
 * is `BatchRequestTooLong`, a publish `InvalidParameter` (message too long), another call
 * `InvalidParameter` naming the request limit. `head` is the body's first bytes (the
 * action is its first parameter). Gateway choice: HTTP 413, as for every body the gateway refuses for its size.
 */
export function answerSnsTooLarge(res: ServerResponse, head: Buffer, limitBytes: number): void {
  const action = new URLSearchParams(head.toString('latin1')).get('Action');
  const error =
    action === 'PublishBatch'
      ? batchTooLong(413)
      : action === 'Publish'
        ? messageTooLong(413)
        : new SnsError('InvalidParameter', `Invalid parameter: the request is over the ${limitBytes}-byte request limit`, 413);
  sendSnsError(res, error, randomUUID());
}

function sendSnsError(res: ServerResponse, error: SnsError, requestId: string): void {
  sendXml(
    res,
    error.statusCode,
    `<ErrorResponse xmlns="${XMLNS}"><Error>${el('Type', 'Sender')}${el('Code', error.code)}${el('Message', error.message)}</Error>` +
      `${el('RequestId', requestId)}</ErrorResponse>`,
  );
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
      case 'PublishBatch':
        result = publishBatch(topics, params);
        break;
      case 'SetSubscriptionAttributes':
        topics.setSubscriptionAttributes(params.get('SubscriptionArn'), params.get('AttributeName'), params.get('AttributeValue') ?? '');
        break;
      case 'SetTopicAttributes':
        topics.setTopicAttribute(params.get('TopicArn'), params.get('AttributeName'), params.get('AttributeValue') ?? '');
        break;
      case 'GetTopicAttributes':
        result = `<Attributes>${Object.entries(topics.getTopicAttributes(params.get('TopicArn')))
          .map(([k, v]) => `<entry>${el('key', k)}${el('value', v)}</entry>`)
          .join('')}</Attributes>`;
        break;
      case 'GetSubscriptionAttributes':
        result = `<Attributes>${Object.entries(topics.getSubscriptionAttributes(params.get('SubscriptionArn')))
          .map(([k, v]) => `<entry>${el('key', k)}${el('value', v)}</entry>`)
          .join('')}</Attributes>`;
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
    sendSnsError(res, error, requestId);
  }
}
