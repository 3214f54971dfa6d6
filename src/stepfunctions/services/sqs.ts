/**
 * The in-process SQS default: standard queues held in memory, served on the gateway's port with
 * SQS's JSON protocol (`X-Amz-Target: AmazonSQS.<Action>`, `application/x-amz-json-1.0`, what
 * `@aws-sdk/client-sqs` and the AWS CLI v2 send) and used by `arn:aws:states:::sqs:sendMessage`
 * tasks (docs/stepfunctions.md, "SQS").
 *
 * Written by hand: the npm implementations (`sqslite`) speak only SQS's older XML query protocol
 * that the current SDKs no longer send, and run their own HTTP server instead of answering on the
 * gateway's port.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NormalizedConfig } from '../../config/types.js';
import { characterCode, messageBytes, type MessageAttributeValue } from './messageAttributes.js';
import {
  ALLOWED_CHARACTERS,
  listValuesProblem,
  messageAttributesProblem,
  REFUSED_CHARACTER,
  systemAttributesProblem,
  TRACE_HEADER,
} from './sqsMessageAttributes.js';

const TARGET_PREFIX = 'AmazonSQS.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** An SQS API error: `__type` `com.amazonaws.sqs#<code>`, and the query-protocol code SDKs map it by. */
export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly queryCode: string = code,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/**
 * SQS's largest message, body and attributes counted in: the highest `MaximumMessageSize` a queue
 * may have and its default (1 MiB since AWS raised it in 2025), and the limit on a batch's messages together.
 */
export const MAX_MESSAGE_BYTES = 1_048_576;

/**
 * The largest SQS call the gateway reads (docs/stepfunctions.md#sqs): a batch of messages up to
 * {@link MAX_MESSAGE_BYTES} in all, each byte at most two once JSON-escaped (`\"`, `\n`; SQS
 * refuses the characters JSON writes longer), and room for the rest of the call.
 * Gateway choice: AWS does not document its request limit.
 */
export const MAX_REQUEST_BYTES = 2 * MAX_MESSAGE_BYTES + 64 * 1024;

/** Queue attributes SQS takes as whole numbers in a range (a value outside it is `InvalidAttributeValue`), and their defaults. */
const NUMERIC_ATTRIBUTES: Record<string, { min: number; max: number; default: number }> = {
  DelaySeconds: { min: 0, max: 900, default: 0 },
  MaximumMessageSize: { min: 1_024, max: MAX_MESSAGE_BYTES, default: MAX_MESSAGE_BYTES },
  MessageRetentionPeriod: { min: 60, max: 1_209_600, default: 345_600 },
  ReceiveMessageWaitTimeSeconds: { min: 0, max: 20, default: 0 },
  VisibilityTimeout: { min: 0, max: 43_200, default: 30 },
};
const DEFAULT_ATTRIBUTES = Object.fromEntries(Object.entries(NUMERIC_ATTRIBUTES).map(([name, range]) => [name, String(range.default)]));

const noQueue = () => new SqsError('QueueDoesNotExist', 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue');
const invalid = (message: string) => new SqsError('InvalidParameterValue', message);
const unsupported = (message: string) => new SqsError('UnsupportedOperation', message, 'AWS.SimpleQueueService.UnsupportedOperation');
const messageTooLong = (limit: number) => invalid(`One or more parameters are invalid. Reason: Message must be shorter than ${limit} bytes.`);
const batchTooLong = (detail: string, statusCode = 400) =>
  new SqsError(
    'BatchRequestTooLong',
    `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. ${detail}`,
    'AWS.SimpleQueueService.BatchRequestTooLong',
    statusCode,
  );

/** Refuses a body with a character SQS does not allow, as SQS does (`InvalidMessageContents`). */
function checkContents(body: string): void {
  const found = REFUSED_CHARACTER.exec(body)?.[0];
  if (found === undefined) return;
  throw new SqsError(
    'InvalidMessageContents',
    `Invalid binary character '${characterCode(found)}' was found in the message body, the set of allowed characters is ${ALLOWED_CHARACTERS}`,
  );
}

/** Refuses a numeric queue attribute outside SQS's range, as SQS does (CreateQueue, SetQueueAttributes). */
function checkAttributes(attributes: Record<string, string>): void {
  for (const [name, value] of Object.entries(attributes)) {
    const range = NUMERIC_ATTRIBUTES[name];
    if (!range) continue;
    const number = Number(value);
    if (value.trim() === '' || !Number.isInteger(number) || number < range.min || number > range.max)
      throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
  }
}

/** Whether `arn` has the form of an SQS queue's ARN (`arn:aws:sqs:<region>:<account>:<name>`): what a dead-letter target must be. */
export function isSqsQueueArn(arn: unknown): arn is string {
  return typeof arn === 'string' && /^arn:aws:sqs:[^:]*:[^:]*:[^:]+$/.test(arn);
}

interface StoredMessage {
  id: string;
  body: string;
  md5: string;
  attributes?: Record<string, MessageAttributeValue>;
  attributesMd5?: string;
  /** The `AWSTraceHeader` message system attribute it was sent with, shown among its attributes when received. */
  traceHeader?: string;
  sentAt: number;
  /** Not visible before this time (DelaySeconds, then each receive's visibility timeout). */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  receiptHandle?: string;
}

interface Queue {
  name: string;
  createdAt: number;
  attributes: Record<string, string>;
  messages: StoredMessage[];
  /** Long polls waiting for a message. */
  waiters: Set<() => void>;
}

/** What SendMessage answers. */
export interface SentMessage {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
}

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');

/**
 * MD5 of message attributes as SQS computes it (and SDKs check it): for each attribute by name,
 * length-prefixed name, data type, a transport byte (1 string, 2 binary) and length-prefixed value.
 */
export function messageAttributesMd5(attributes: Record<string, MessageAttributeValue>): string {
  const parts: Buffer[] = [];
  const field = (data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    parts.push(length, data);
  };
  for (const name of Object.keys(attributes).sort()) {
    const value = attributes[name]!;
    field(Buffer.from(name, 'utf8'));
    field(Buffer.from(value.DataType, 'utf8'));
    if (value.BinaryValue !== undefined) {
      parts.push(Buffer.from([2]));
      field(Buffer.from(value.BinaryValue, 'base64'));
    } else {
      parts.push(Buffer.from([1]));
      field(Buffer.from(value.StringValue ?? '', 'utf8'));
    }
  }
  return md5(Buffer.concat(parts));
}

/** The queues of one gateway. */
export class SqsQueues {
  private readonly queues = new Map<string, Queue>();

  /** The queues and their messages as JSON (services/persisted.ts keeps them under the data folder). */
  snapshot(): unknown[] {
    return [...this.queues.values()].map(({ waiters: _waiters, ...queue }) => queue);
  }

  /** Puts back queues of {@link snapshot}; a queue that exists already is replaced. */
  restore(queues: unknown[]): void {
    for (const q of queues as Array<Omit<Queue, 'waiters'>>) {
      if (typeof q?.name === 'string' && Array.isArray(q.messages)) this.queues.set(q.name, { ...q, waiters: new Set() });
    }
  }

  /** The URL of a queue as this gateway names it (the host is the caller's, as SQS's own URLs are). */
  static queueUrl(name: string, origin = 'http://localhost'): string {
    return `${origin}/${ACCOUNT}/${name}`;
  }

  /** The queue a URL, ARN or bare name designates; throws QueueDoesNotExist. */
  private queue(ref: unknown): Queue {
    if (typeof ref !== 'string' || ref === '') throw invalid('Value for parameter QueueUrl is invalid. Reason: Must specify a queue URL.');
    const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf(':') + 1) : ref.slice(ref.lastIndexOf('/') + 1);
    const queue = this.queues.get(name);
    if (!queue) throw noQueue();
    return queue;
  }

  /** Creates a queue; `update` (config declarations) sets the attributes of an existing one instead of refusing a difference. */
  createQueue(name: unknown, attributes: Record<string, string> = {}, update = false): string {
    if (typeof name !== 'string' || !QUEUE_NAME.test(name)) {
      if (typeof name === 'string' && name.endsWith('.fifo')) {
        throw new SqsError('UnsupportedOperation', 'FIFO queues are not supported by appsync-gateway.', 'AWS.SimpleQueueService.UnsupportedOperation');
      }
      throw invalid('Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length');
    }
    if (attributes.FifoQueue === 'true') {
      throw new SqsError('UnsupportedOperation', 'FIFO queues are not supported by appsync-gateway.', 'AWS.SimpleQueueService.UnsupportedOperation');
    }
    checkAttributes(attributes);
    if (attributes.RedrivePolicy !== undefined) this.checkRedrivePolicy(attributes.RedrivePolicy);
    const existing = this.queues.get(name);
    const wanted = { ...DEFAULT_ATTRIBUTES, ...attributes };
    if (existing && update) {
      Object.assign(existing.attributes, attributes);
      return name;
    }
    if (existing) {
      // SQS answers the existing URL when the attributes agree, QueueAlreadyExists otherwise.
      const current: Record<string, string> = { ...DEFAULT_ATTRIBUTES, ...existing.attributes };
      for (const [key, value] of Object.entries(attributes)) {
        if (current[key] !== value)
          throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${key}`, 'QueueAlreadyExists');
      }
      return name;
    }
    this.queues.set(name, { name, createdAt: Date.now(), attributes: wanted, messages: [], waiters: new Set() });
    return name;
  }

  /** SetQueueAttributes: the given attributes replace those of the queue (a RedrivePolicy is checked first). */
  setQueueAttributes(ref: unknown, attributes: unknown): void {
    const queue = this.queue(ref);
    if (!attributes || typeof attributes !== 'object') throw new SqsError('MissingParameter', 'The request must contain the parameter Attributes.');
    const given = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, String(v)]));
    checkAttributes(given);
    if (given.RedrivePolicy !== undefined && given.RedrivePolicy !== '') this.checkRedrivePolicy(given.RedrivePolicy);
    Object.assign(queue.attributes, given);
    if (given.RedrivePolicy === '') delete queue.attributes.RedrivePolicy;
  }

  /** A RedrivePolicy as SQS takes it: JSON with an existing queue's `deadLetterTargetArn` and `maxReceiveCount` 1-1000. */
  private checkRedrivePolicy(text: string): { target: string; max: number } {
    const reason = (why: string) => invalid(`Value ${text} for parameter RedrivePolicy is invalid. Reason: ${why}`);
    let policy: Record<string, unknown>;
    try {
      policy = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw reason('Invalid value for the parameter RedrivePolicy.');
    }
    const max = Number(policy?.maxReceiveCount);
    if (!Number.isInteger(max) || max < 1 || max > 1000) throw reason('Invalid value for maxReceiveCount: must be an integer from 1 to 1000.');
    const target = policy.deadLetterTargetArn;
    if (typeof target !== 'string' || !target.startsWith('arn:aws:sqs:') || !this.queues.has(target.slice(target.lastIndexOf(':') + 1)))
      throw reason('Dead letter target does not exist.');
    return { target: target.slice(target.lastIndexOf(':') + 1), max };
  }

  /** The queue's dead-letter queue and receive limit, if it has a valid RedrivePolicy. */
  private redrive(queue: Queue): { target: Queue; max: number } | undefined {
    const text = queue.attributes.RedrivePolicy;
    if (!text) return undefined;
    try {
      const { target, max } = this.checkRedrivePolicy(text);
      const dlq = this.queues.get(target);
      return dlq && dlq !== queue ? { target: dlq, max } : undefined;
    } catch {
      // The policy was checked when set; its dead-letter queue may have been deleted since, which SQS also tolerates.
      return undefined;
    }
  }

  deleteQueue(ref: unknown): void {
    const queue = this.queue(ref);
    this.queues.delete(queue.name);
    for (const wake of queue.waiters) wake();
  }

  purgeQueue(ref: unknown): void {
    this.queue(ref).messages = [];
  }

  /** The queue's name when it exists (GetQueueUrl). */
  queueName(name: unknown): string {
    if (typeof name !== 'string' || !this.queues.has(name)) throw noQueue();
    return name;
  }

  listQueues(prefix = ''): string[] {
    return [...this.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
  }

  getQueueAttributes(ref: unknown, names: string[] = ['All']): Record<string, string> {
    const queue = this.queue(ref);
    const now = Date.now();
    const all: Record<string, string> = {
      // A queue kept from before an attribute had a default here shows the default.
      ...DEFAULT_ATTRIBUTES,
      ...queue.attributes,
      QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queue.name}`,
      ApproximateNumberOfMessages: String(queue.messages.filter((m) => m.visibleAt <= now).length),
      ApproximateNumberOfMessagesNotVisible: String(queue.messages.filter((m) => m.visibleAt > now && m.receiveCount > 0).length),
      ApproximateNumberOfMessagesDelayed: String(queue.messages.filter((m) => m.visibleAt > now && m.receiveCount === 0).length),
      CreatedTimestamp: String(Math.floor(queue.createdAt / 1000)),
      LastModifiedTimestamp: String(Math.floor(queue.createdAt / 1000)),
    };
    if (names.includes('All')) return all;
    return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]!]));
  }

  /** The queue's `MaximumMessageSize` (a queue kept from before it had one: the default). */
  private maximumMessageSize(queue: Queue): number {
    return Number(queue.attributes.MaximumMessageSize ?? MAX_MESSAGE_BYTES);
  }

  sendMessage(
    ref: unknown,
    body: unknown,
    options: { DelaySeconds?: unknown; MessageAttributes?: unknown; MessageSystemAttributes?: unknown } = {},
  ): SentMessage {
    const queue = this.queue(ref);
    if (typeof body !== 'string' || body.length === 0) throw new SqsError('MissingParameter', 'The request must contain the parameter MessageBody.');
    const listValues = listValuesProblem('SendMessage', options.MessageAttributes, options.MessageSystemAttributes);
    if (listValues !== undefined) throw unsupported(listValues);
    const attributes = options.MessageAttributes as Record<string, MessageAttributeValue> | undefined;
    const attributesProblem = attributes ? messageAttributesProblem(attributes) : undefined;
    if (attributesProblem !== undefined) throw invalid(attributesProblem);
    // System attributes do not count towards the message's size ("The size of a message system attribute doesn't count towards the total size of a message").
    const system = options.MessageSystemAttributes as Record<string, MessageAttributeValue> | undefined;
    const systemProblem = system ? systemAttributesProblem(system) : undefined;
    if (systemProblem !== undefined) throw invalid(systemProblem);
    const limit = this.maximumMessageSize(queue);
    if (messageBytes(body, attributes) > limit) throw messageTooLong(limit);
    checkContents(body);
    const delay = options.DelaySeconds === undefined ? Number(queue.attributes.DelaySeconds ?? 0) : Number(options.DelaySeconds);
    if (!Number.isInteger(delay) || delay < 0 || delay > 900)
      throw invalid(`Value ${String(options.DelaySeconds)} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`);
    const now = Date.now();
    const message: StoredMessage = {
      id: randomUUID(),
      body,
      md5: md5(body),
      sentAt: now,
      visibleAt: now + delay * 1000,
      receiveCount: 0,
    };
    if (attributes && Object.keys(attributes).length > 0) {
      message.attributes = attributes;
      message.attributesMd5 = messageAttributesMd5(attributes);
    }
    const traceHeader = system?.[TRACE_HEADER]?.StringValue;
    if (traceHeader !== undefined) message.traceHeader = traceHeader;
    queue.messages.push(message);
    if (delay === 0) for (const wake of queue.waiters) wake();
    else setTimeout(() => queue.waiters.forEach((wake) => wake()), delay * 1000).unref();
    return {
      MessageId: message.id,
      MD5OfMessageBody: message.md5,
      ...(message.attributesMd5 ? { MD5OfMessageAttributes: message.attributesMd5 } : {}),
      // SQS digests system attributes as it digests message attributes.
      ...(traceHeader !== undefined ? { MD5OfMessageSystemAttributes: messageAttributesMd5(system as Record<string, MessageAttributeValue>) } : {}),
    };
  }

  /**
   * Up to `max` visible messages, hidden for the visibility timeout once received; with
   * `waitSeconds`, waits that long for the first one (long polling).
   */
  async receiveMessage(
    ref: unknown,
    options: { MaxNumberOfMessages?: unknown; VisibilityTimeout?: unknown; WaitTimeSeconds?: unknown; signal?: AbortSignal } = {},
  ): Promise<Array<Record<string, unknown>>> {
    const queue = this.queue(ref);
    const max = options.MaxNumberOfMessages === undefined ? 1 : Number(options.MaxNumberOfMessages);
    if (!Number.isInteger(max) || max < 1 || max > 10)
      throw invalid(
        `Value ${String(options.MaxNumberOfMessages)} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    const visibility = options.VisibilityTimeout === undefined ? Number(queue.attributes.VisibilityTimeout ?? 30) : Number(options.VisibilityTimeout);
    if (!Number.isInteger(visibility) || visibility < 0 || visibility > 43_200)
      throw invalid(`Value ${String(options.VisibilityTimeout)} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
    const wait = options.WaitTimeSeconds === undefined ? Number(queue.attributes.ReceiveMessageWaitTimeSeconds ?? 0) : Number(options.WaitTimeSeconds);
    if (!Number.isInteger(wait) || wait < 0 || wait > 20)
      throw invalid(`Value ${String(options.WaitTimeSeconds)} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`);
    const deadline = Date.now() + wait * 1000;
    for (;;) {
      const taken = this.take(queue, max, visibility);
      if (taken.length > 0 || Date.now() >= deadline || !this.queues.has(queue.name) || options.signal?.aborted) return taken;
      // Woken by a send, by the next message becoming visible again, or at the deadline.
      const now = Date.now();
      const nextVisible = Math.min(...queue.messages.map((m) => m.visibleAt).filter((t) => t > now), deadline);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, nextVisible - now));
        function done() {
          clearTimeout(timer);
          queue.waiters.delete(done);
          options.signal?.removeEventListener('abort', done);
          resolve();
        }
        queue.waiters.add(done);
        options.signal?.addEventListener('abort', done);
      });
    }
  }

  private take(queue: Queue, max: number, visibilitySeconds: number): Array<Record<string, unknown>> {
    const now = Date.now();
    const out: Array<Record<string, unknown>> = [];
    const redrive = this.redrive(queue);
    if (redrive) {
      // A message received maxReceiveCount times and visible again moves to the dead-letter queue
      // instead of being received once more; it keeps its id, body, attributes and sent time.
      const moving = queue.messages.filter((m) => m.visibleAt <= now && m.receiveCount >= redrive.max);
      if (moving.length > 0) {
        queue.messages = queue.messages.filter((m) => !moving.includes(m));
        for (const m of moving) {
          redrive.target.messages.push({ ...m, visibleAt: now, receiveCount: 0, firstReceivedAt: undefined, receiptHandle: undefined });
        }
        for (const wake of redrive.target.waiters) wake();
      }
    }
    for (const m of queue.messages) {
      if (out.length >= max) break;
      if (m.visibleAt > now) continue;
      m.receiveCount++;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + visibilitySeconds * 1000;
      m.receiptHandle = Buffer.from(`${queue.name}\n${m.id}\n${randomUUID()}`).toString('base64');
      out.push({
        MessageId: m.id,
        ReceiptHandle: m.receiptHandle,
        MD5OfBody: m.md5,
        Body: m.body,
        Attributes: {
          SenderId: ACCOUNT,
          SentTimestamp: String(m.sentAt),
          ApproximateReceiveCount: String(m.receiveCount),
          ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt),
          ...(m.traceHeader !== undefined ? { [TRACE_HEADER]: m.traceHeader } : {}),
        },
        ...(m.attributes ? { MessageAttributes: m.attributes, MD5OfMessageAttributes: m.attributesMd5 } : {}),
      });
    }
    return out;
  }

  private byHandle(queue: Queue, handle: unknown): number {
    if (typeof handle !== 'string') throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
    const [name, id] = Buffer.from(handle, 'base64').toString('utf8').split('\n');
    if (name !== queue.name || !id) throw new SqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`);
    return queue.messages.findIndex((m) => m.id === id);
  }

  /** Deletes a received message; a handle of a message already deleted is accepted, as SQS does. */
  deleteMessage(ref: unknown, handle: unknown): void {
    const queue = this.queue(ref);
    const index = this.byHandle(queue, handle);
    if (index >= 0) queue.messages.splice(index, 1);
  }

  changeMessageVisibility(ref: unknown, handle: unknown, seconds: unknown): void {
    const queue = this.queue(ref);
    const index = this.byHandle(queue, handle);
    const timeout = Number(seconds);
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43_200)
      throw invalid(`Value ${String(seconds)} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
    const message = queue.messages[index];
    if (!message || message.receiptHandle !== handle)
      throw new SqsError(
        'MessageNotInflight',
        'Message does not exist or is not available for visibility timeout change.',
        'AWS.SimpleQueueService.MessageNotInflight',
      );
    message.visibleAt = Date.now() + timeout * 1000;
    if (timeout === 0) for (const wake of queue.waiters) wake();
  }
}

/** The checks SQS makes on a batch request's entries before any entry runs. */
function checkBatch(entries: unknown): Array<Record<string, unknown>> {
  if (!Array.isArray(entries) || entries.length === 0)
    throw new SqsError('EmptyBatchRequest', 'There should be at least one batch request entry in the request.', 'AWS.SimpleQueueService.EmptyBatchRequest');
  if (entries.length > 10)
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    );
  const ids = new Set<string>();
  for (const e of entries as Array<Record<string, unknown>>) {
    const id = e?.Id;
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id))
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
        'AWS.SimpleQueueService.InvalidBatchEntryId',
      );
    if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct');
    ids.add(id);
  }
  return entries as Array<Record<string, unknown>>;
}

/** Runs each entry of a batch; an entry that fails is reported in `Failed` with its code, as SQS does. */
function runBatch<T>(entries: Array<Record<string, unknown>>, each: (entry: Record<string, unknown>) => T) {
  const Successful: Array<{ Id: unknown } & T> = [];
  const Failed: Array<{ Id: unknown; SenderFault: boolean; Code: string; Message: string }> = [];
  for (const entry of entries) {
    try {
      Successful.push({ Id: entry.Id, ...each(entry) });
    } catch (error) {
      if (!(error instanceof SqsError)) throw error;
      Failed.push({ Id: entry.Id, SenderFault: true, Code: error.queryCode, Message: error.message });
    }
  }
  return { Successful, Failed };
}

/** True when the request is an SQS JSON-protocol call. */
export function isSqsCall(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return false;
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.startsWith(CONTENT_TYPE);
}

function send(res: ServerResponse, status: number, value: unknown, error?: SqsError): void {
  const text = JSON.stringify(value);
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE, 'content-length': String(Buffer.byteLength(text)), 'x-amzn-requestid': randomUUID() };
  // SQS's JSON protocol keeps the query protocol's error codes in this header; SDKs read them.
  if (error) headers['x-amzn-query-error'] = `${error.queryCode};Sender`;
  res.writeHead(status, headers);
  res.end(text);
}

/**
 * Answers an SQS call whose body was past the gateway's `limitBytes` (docs/stepfunctions.md#sqs) as
 * SQS words a call that is too large, so the SDK throws its own error: a batch send is the typed
 * `BatchRequestTooLong`, a send `InvalidParameterValue` naming the message limit, another call
 * `InvalidParameterValue` naming the request limit. Gateway choice: HTTP 413, as for every body
 * the gateway refuses for its size (AWS's status for a request this large is not documented).
 */
export function answerSqsTooLarge(req: IncomingMessage, res: ServerResponse, limitBytes: number): void {
  const action = String(req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
  const over = `The request is over the ${limitBytes}-byte request limit.`;
  const error =
    action === 'SendMessageBatch'
      ? batchTooLong(over, 413)
      : new SqsError(
          'InvalidParameterValue',
          // Past the request limit a message is past the largest MaximumMessageSize a queue may have.
          action === 'SendMessage' ? messageTooLong(MAX_MESSAGE_BYTES).message : `One or more parameters are invalid. Reason: ${over}`,
          undefined,
          413,
        );
  sendError(res, error);
}

function sendError(res: ServerResponse, error: SqsError): void {
  send(res, error.statusCode, { __type: `com.amazonaws.sqs#${error.code}`, message: error.message }, error);
}

/**
 * With AWS_IAM credentials in the config, calls must be SigV4-signed (service `sqs`, or `sns` for
 * the SNS API) with one of them, as the Step Functions API's are; throws a 403 {@link SqsError}.
 */
export async function verifySignature(req: IncomingMessage, body: Buffer, config: NormalizedConfig, service = 'sqs'): Promise<void> {
  if (![config.authentication, ...config.additionalAuthentications].some((a) => a.type === 'AWS_IAM')) return;
  const [{ iamConfigOf }, { signedRequestOf, verifySigV4 }, { SignatureError }] = await Promise.all([
    import('../api/sigv4.js'),
    import('../../auth/iam.js'),
    import('../../auth/errors.js'),
  ]);
  const iam = iamConfigOf(config);
  if (!iam) return;
  const request = signedRequestOf(req, body);
  try {
    await verifySigV4(request, iam, Date.now(), { service, allowUnsignedPayload: true });
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    const code =
      error.errorType === 'MissingAuthenticationTokenException'
        ? 'MissingAuthenticationToken'
        : error.errorType === 'UnrecognizedClientException'
          ? 'InvalidClientTokenId'
          : 'SignatureDoesNotMatch';
    throw new SqsError(code, code === 'MissingAuthenticationToken' ? 'Missing Authentication Token' : error.message, code, 403);
  }
}

/** Answers one SQS API call (`isSqsCall` was true). Queue URLs use the request's host. */
export async function handleSqsCall(queues: SqsQueues, req: IncomingMessage, res: ServerResponse, body: Buffer, config: NormalizedConfig): Promise<void> {
  const action = String(req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
  const origin = `http://${req.headers.host ?? 'localhost'}`;
  const url = (name: string) => SqsQueues.queueUrl(name, origin);
  try {
    await verifySignature(req, body, config);
    let input: Record<string, unknown>;
    try {
      input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    } catch {
      throw new SqsError('InvalidParameterValue', 'The request body is not valid JSON.');
    }
    let output: unknown;
    switch (action) {
      case 'CreateQueue':
        output = { QueueUrl: url(queues.createQueue(input.QueueName, input.Attributes as Record<string, string> | undefined)) };
        break;
      case 'GetQueueUrl':
        output = { QueueUrl: url(queues.queueName(input.QueueName)) };
        break;
      case 'ListQueues':
        output = { QueueUrls: queues.listQueues(typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '').map(url) };
        break;
      case 'DeleteQueue':
        queues.deleteQueue(input.QueueUrl);
        output = {};
        break;
      case 'PurgeQueue':
        queues.purgeQueue(input.QueueUrl);
        output = {};
        break;
      case 'GetQueueAttributes':
        output = { Attributes: queues.getQueueAttributes(input.QueueUrl, input.AttributeNames as string[] | undefined) };
        break;
      case 'SendMessage':
        output = queues.sendMessage(input.QueueUrl, input.MessageBody, input);
        break;
      case 'ReceiveMessage': {
        const aborted = new AbortController();
        req.once('close', () => aborted.abort());
        output = { Messages: await queues.receiveMessage(input.QueueUrl, { ...input, signal: aborted.signal }) };
        break;
      }
      case 'DeleteMessage':
        queues.deleteMessage(input.QueueUrl, input.ReceiptHandle);
        output = {};
        break;
      case 'SetQueueAttributes':
        queues.setQueueAttributes(input.QueueUrl, input.Attributes);
        output = {};
        break;
      case 'SendMessageBatch': {
        queues.getQueueAttributes(input.QueueUrl, ['QueueArn']);
        const entries = checkBatch(input.Entries);
        // List values refuse the whole batch, as on SQS, not only their entry.
        for (const e of entries) {
          const listValues = listValuesProblem('SendMessageBatch', e.MessageAttributes, e.MessageSystemAttributes);
          if (listValues !== undefined) throw unsupported(listValues);
        }
        const total = entries.reduce(
          (sum, e) =>
            sum +
            (typeof e.MessageBody === 'string' ? messageBytes(e.MessageBody, e.MessageAttributes as Record<string, MessageAttributeValue> | undefined) : 0),
          0,
        );
        if (total > MAX_MESSAGE_BYTES) throw batchTooLong(`You have sent ${total} bytes.`);
        output = runBatch(entries, (e) => queues.sendMessage(input.QueueUrl, e.MessageBody, e));
        break;
      }
      case 'DeleteMessageBatch': {
        queues.getQueueAttributes(input.QueueUrl, ['QueueArn']);
        output = runBatch(checkBatch(input.Entries), (e) => {
          queues.deleteMessage(input.QueueUrl, e.ReceiptHandle);
          return {};
        });
        break;
      }
      case 'ChangeMessageVisibility':
        queues.changeMessageVisibility(input.QueueUrl, input.ReceiptHandle, input.VisibilityTimeout);
        output = {};
        break;
      default:
        throw new SqsError(
          'UnsupportedOperation',
          `The action ${action} is not supported by appsync-gateway's SQS.`,
          'AWS.SimpleQueueService.UnsupportedOperation',
        );
    }
    send(res, 200, output);
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    sendError(res, error);
  }
}
