/**
 * The in-process EventBridge default: rules of the default event bus held in memory, served on the
 * gateway's port with EventBridge's JSON protocol (`X-Amz-Target: AWSEvents.<Action>`, what
 * `@aws-sdk/client-eventbridge` sends) and fed by `arn:aws:states:::events:putEvents` tasks. An
 * event that matches a rule's pattern goes to its targets: state machines (an execution starts
 * with the event as input), the gateway's Lambda functions, in-process queues and topics.
 *
 * Written by hand, pattern matching included: no maintained npm package matches event patterns.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NormalizedConfig } from '../../config/types.js';
import type { Logger } from '../../datasources/types.js';
import type { SnsTopics } from './sns.js';
import { SqsError, isSqsQueueArn, verifySignature, type SqsQueues } from './sqs.js';
import { checkPattern, matchesPattern, type Pattern } from './patterns.js';

export { matchesPattern } from './patterns.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const TARGET_PREFIX = 'AWSEvents.';

/** An EventBridge API error (`__type` is the bare code). */
export class EventsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** PutEvents' limit on its entries' size together (docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). */
const MAX_ENTRIES_BYTES = 262_144;
const entriesTooLarge = (statusCode = 400) => new EventsError('ValidationException', 'Total size of the entries in the request is over the limit.', statusCode);

/** An entry's size as EventBridge counts it: 14 bytes for a `Time`, and the UTF-8 bytes of `Source`, `DetailType`, `Detail` and each of `Resources`. */
function entryBytes(entry: EventEntry): number {
  if (!entry || typeof entry !== 'object') return 0;
  const text = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  let bytes = (entry.Time !== undefined ? 14 : 0) + text(entry.Source) + text(entry.DetailType) + text(entry.Detail);
  if (Array.isArray(entry.Resources)) for (const resource of entry.Resources as unknown[]) bytes += text(resource);
  return bytes;
}

const badPattern = (reason: string) => new EventsError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`);

/** A rule's target as PutTargets takes it (and ListTargetsByRule answers it). */
export interface Target {
  Id: string;
  Arn: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  /** Where an event this target cannot take goes: an SQS queue. */
  DeadLetterConfig?: { Arn: string };
}

/**
 * Deliveries to targets that failed, named after EventBridge's CloudWatch metrics (`GET /health`
 * shows them as `events`): failed, then sent to the target's dead-letter queue or not.
 */
export interface EventsDeliveryStats {
  failedInvocations: number;
  invocationsSentToDlq: number;
  invocationsFailedToBeSentToDlq: number;
}

interface Rule {
  name: string;
  arn: string;
  pattern: Pattern;
  patternText: string;
  enabled: boolean;
  targets: Map<string, Target>;
}

/** What rules deliver to. */
export interface EventsDeliveries {
  sqs: SqsQueues;
  sns: SnsTopics;
  invokeLambda(functionName: string, event: unknown): Promise<unknown>;
  startExecution(stateMachineArn: string, input: unknown): Promise<unknown>;
  logger: Logger;
}

/** One PutEvents entry. */
export interface EventEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
}

const targetInvalid = (message: string) => new EventsError('ValidationException', message);
// EventBridge's paths: `$`, dot notation and array indices (`$.detail.items[0].id`); names may hold dashes.
const EVENT_PATH = /^\$(\.[^.[\]\s]+|\[\d+\])*$/;

/** Checks one PutTargets entry as EventBridge does and keeps only what the gateway uses. */
function checkTarget(t: Target): Target {
  if (typeof t?.Id !== 'string' || typeof t.Arn !== 'string') throw targetInvalid('Target Id and Arn are required.');
  const given = (['Input', 'InputPath', 'InputTransformer'] as const).filter((k) => t[k] !== undefined && t[k] !== null);
  if (given.length > 1) throw targetInvalid(`Target ${t.Id}: only one of Input, InputPath and InputTransformer may be given.`);
  const out: Target = { Id: t.Id, Arn: t.Arn };
  const deadLetter = t.DeadLetterConfig;
  if (deadLetter !== undefined && deadLetter !== null) {
    if (!isSqsQueueArn(deadLetter.Arn)) throw targetInvalid(`Target ${t.Id}: DeadLetterConfig Arn must be an Amazon SQS queue ARN.`);
    out.DeadLetterConfig = { Arn: deadLetter.Arn };
  }
  if (t.Input !== undefined && t.Input !== null) {
    if (typeof t.Input !== 'string') throw targetInvalid(`Target ${t.Id}: Input must be a string.`);
    try {
      JSON.parse(t.Input);
    } catch {
      throw targetInvalid(`Target ${t.Id}: Input is not valid JSON text.`);
    }
    out.Input = t.Input;
  }
  if (t.InputPath !== undefined && t.InputPath !== null) {
    if (typeof t.InputPath !== 'string' || !EVENT_PATH.test(t.InputPath))
      throw targetInvalid(`Target ${t.Id}: InputPath ${String(t.InputPath)} is not a valid JsonPath.`);
    out.InputPath = t.InputPath;
  }
  const transformer = t.InputTransformer;
  if (transformer !== undefined && transformer !== null) {
    if (typeof transformer.InputTemplate !== 'string' || transformer.InputTemplate === '')
      throw targetInvalid(`Target ${t.Id}: InputTransformer needs an InputTemplate.`);
    const map = transformer.InputPathsMap ?? {};
    for (const [name, path] of Object.entries(map)) {
      if (name.startsWith('aws.')) throw targetInvalid(`Target ${t.Id}: InputPathsMap key ${name} is reserved (it starts with aws.).`);
      if (typeof path !== 'string' || !EVENT_PATH.test(path))
        throw targetInvalid(`Target ${t.Id}: InputPathsMap value ${String(path)} for ${name} is not a valid JsonPath.`);
    }
    out.InputTransformer = { ...(transformer.InputPathsMap ? { InputPathsMap: { ...map } } : {}), InputTemplate: transformer.InputTemplate };
  }
  return out;
}

/** The value at an EventBridge path of the event; undefined when a step is missing. */
function valueAt(event: unknown, path: string): unknown {
  let node = event;
  for (const [, name, index] of path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]/g)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[name ?? Number(index)];
  }
  return node;
}

/**
 * Fills an InputTemplate as EventBridge does: a placeholder inside a JSON string is replaced by
 * the value's text as it is (no escaping, as EventBridge documents); outside one, by the value as
 * JSON (a string quoted). A template that is no JSON (`<a> is in <b>`) is all text. A variable
 * whose path is not in the event is left out: empty inside a string, `null` outside. Only the
 * InputPathsMap's names and the predefined `aws.events.*` ones are placeholders.
 * Written by hand: a few lines no library does.
 */
function fillTemplate(template: string, variables: Map<string, unknown>): string {
  const first = template.trimStart()[0];
  let inString = first !== '{' && first !== '[' && first !== '"';
  const plain = inString;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && !plain) {
      out += c + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '"' && !plain) inString = !inString;
    if (c === '<') {
      const end = template.indexOf('>', i);
      const name = end > i ? template.slice(i + 1, end) : '';
      if (variables.has(name)) {
        const value = variables.get(name);
        if (inString) out += value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
        else out += value === undefined ? 'null' : JSON.stringify(value);
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** The text a target gets for an event: its Input, the value at its InputPath, its InputTransformer's output or the event. */
function targetInput(target: Target, event: Record<string, unknown>, rule: Rule): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) return JSON.stringify(valueAt(event, target.InputPath) ?? null);
  if (target.InputTransformer === undefined) return JSON.stringify(event);
  const variables = new Map<string, unknown>([
    ['aws.events.rule-arn', rule.arn],
    ['aws.events.rule-name', rule.name],
    ['aws.events.event.ingestion-time', event.time],
    ['aws.events.event', event],
    ['aws.events.event.json', event],
  ]);
  for (const [name, path] of Object.entries(target.InputTransformer.InputPathsMap ?? {})) {
    // A path the event lacks still names a variable: its placeholders are left empty.
    variables.set(name, valueAt(event, path));
  }
  return fillTemplate(target.InputTransformer.InputTemplate, variables);
}

/** The rules of the default event bus. */
export class EventRules {
  private readonly rules = new Map<string, Rule>();
  /** Failed deliveries since the gateway started. */
  readonly stats: EventsDeliveryStats = { failedInvocations: 0, invocationsSentToDlq: 0, invocationsFailedToBeSentToDlq: 0 };

  constructor(private readonly deliveries: EventsDeliveries) {}

  /** The rules and their targets as JSON (services/persisted.ts). */
  snapshot(): unknown[] {
    return [...this.rules.values()].map((r) => ({ name: r.name, patternText: r.patternText, enabled: r.enabled, targets: [...r.targets.values()] }));
  }

  /** Puts back rules of {@link snapshot}, their patterns checked again as PutRule does. */
  restore(rules: unknown[]): void {
    for (const r of rules as Array<{ name: string; patternText: string; enabled: boolean; targets: Target[] }>) {
      this.putRule({ Name: r.name, EventPattern: r.patternText, State: r.enabled ? 'ENABLED' : 'DISABLED' });
      if (Array.isArray(r.targets) && r.targets.length > 0) this.putTargets(r.name, r.targets);
    }
  }

  private rule(name: unknown): Rule {
    const rule = typeof name === 'string' ? this.rules.get(name) : undefined;
    if (!rule) throw new EventsError('ResourceNotFoundException', `Rule ${String(name)} does not exist on EventBus default.`);
    return rule;
  }

  putRule(input: Record<string, unknown>): string {
    const name = input.Name;
    if (typeof name !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(name))
      throw new EventsError('ValidationException', `1 validation error detected: Value '${String(name)}' at 'name' failed to satisfy constraint`);
    if (input.EventBusName !== undefined && input.EventBusName !== 'default')
      throw new EventsError('ResourceNotFoundException', `Event bus ${String(input.EventBusName)} does not exist.`);
    if (input.ScheduleExpression !== undefined) throw new EventsError('ValidationException', 'Scheduled rules are not supported by appsync-gateway.');
    if (typeof input.EventPattern !== 'string') throw new EventsError('ValidationException', 'Parameter EventPattern is not valid.');
    let pattern: unknown;
    try {
      pattern = JSON.parse(input.EventPattern);
    } catch {
      throw badPattern('Filter is not valid JSON');
    }
    checkPattern(pattern, badPattern);
    const existing = this.rules.get(name);
    const arn = `arn:aws:events:${REGION}:${ACCOUNT}:rule/${name}`;
    this.rules.set(name, { name, arn, pattern, patternText: input.EventPattern, enabled: input.State !== 'DISABLED', targets: existing?.targets ?? new Map() });
    return arn;
  }

  deleteRule(name: unknown): void {
    const rule = this.rules.get(String(name));
    if (rule && rule.targets.size > 0) throw new EventsError('ValidationException', "Rule can't be deleted since it has targets.");
    this.rules.delete(String(name));
  }

  listRules(prefix = ''): Array<Record<string, unknown>> {
    return [...this.rules.values()]
      .filter((r) => r.name.startsWith(prefix))
      .map((r) => ({ Name: r.name, Arn: r.arn, EventPattern: r.patternText, State: r.enabled ? 'ENABLED' : 'DISABLED', EventBusName: 'default' }));
  }

  putTargets(ruleName: unknown, targets: unknown): void {
    const rule = this.rule(ruleName);
    if (!Array.isArray(targets) || targets.length === 0) throw new EventsError('ValidationException', 'Parameter Targets is not valid.');
    const checked = (targets as Target[]).map(checkTarget);
    for (const t of checked) rule.targets.set(t.Id, t);
  }

  removeTargets(ruleName: unknown, ids: unknown): void {
    const rule = this.rule(ruleName);
    for (const id of Array.isArray(ids) ? ids : []) rule.targets.delete(String(id));
  }

  listTargets(ruleName: unknown): Target[] {
    return [...this.rule(ruleName).targets.values()];
  }

  /**
   * Puts events on the default bus; each matching rule's targets get the event (in the background).
   * Entries over 262,144 bytes together throw EventBridge's `ValidationException` ({@link EventsError}).
   */
  putEvents(entries: EventEntry[]): Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }> {
    // The whole call is refused, as PutEvents refuses it, whether it came through the API, a task or a resolver.
    if (entries.reduce((sum, entry) => sum + entryBytes(entry), 0) > MAX_ENTRIES_BYTES) throw entriesTooLarge();
    return entries.map((entry) => {
      if (typeof entry.Source !== 'string' || typeof entry.DetailType !== 'string' || typeof entry.Detail !== 'string') {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required.' };
      }
      if (entry.EventBusName !== undefined && entry.EventBusName !== 'default' && !String(entry.EventBusName).endsWith(':event-bus/default')) {
        return { ErrorCode: 'InternalException', ErrorMessage: `Event bus ${String(entry.EventBusName)} does not exist.` };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
      }
      const id = randomUUID();
      const event: Record<string, unknown> = {
        version: '0',
        id,
        'detail-type': entry.DetailType,
        source: entry.Source,
        account: ACCOUNT,
        time: (entry.Time instanceof Date ? entry.Time : new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        region: REGION,
        resources: Array.isArray(entry.Resources) ? entry.Resources : [],
        detail,
      };
      for (const rule of this.rules.values()) {
        if (rule.enabled && matchesPattern(rule.pattern, event)) for (const target of rule.targets.values()) this.deliver(rule, target, event);
      }
      return { EventId: id };
    });
  }

  private deliver(rule: Rule, target: Target, event: Record<string, unknown>): void {
    const failed = (error: unknown) => this.deliveryFailed(rule, target, event, error);
    try {
      // Queues and topics get the text as it is; state machines and functions need it as JSON.
      const text = targetInput(target, event, rule);
      const json = () => JSON.parse(text) as unknown;
      if (target.Arn.startsWith('arn:aws:states:')) void this.deliveries.startExecution(target.Arn, json()).catch(failed);
      else if (target.Arn.startsWith('arn:aws:lambda:')) void this.deliveries.invokeLambda(target.Arn, json()).catch(failed);
      else if (target.Arn.startsWith('arn:aws:sqs:')) this.deliveries.sqs.sendMessage(target.Arn, text);
      else if (target.Arn.startsWith('arn:aws:sns:')) this.deliveries.sns.publish({ TopicArn: target.Arn, Message: text });
      else failed(new Error('appsync-gateway delivers to state machines, Lambda functions, SQS queues and SNS topics only'));
    } catch (error) {
      failed(error);
    }
  }

  /**
   * A delivery that failed: as EventBridge, sent to the target's dead-letter queue when it has one
   * (the event as its body; `RULE_ARN`, `TARGET_ARN`, `ERROR_CODE`, `ERROR_MESSAGE` message
   * attributes), else dropped; either way counted ({@link stats}) and logged once at `warn` with the
   * reason. Gateway choice: no retries (EventBridge retries for up to 24 hours by default).
   */
  private deliveryFailed(rule: Rule, target: Target, event: Record<string, unknown>, error: unknown): void {
    this.stats.failedInvocations++;
    const { logger } = this.deliveries;
    const where = `EventBridge rule ${rule.name}: delivery to ${target.Arn} failed`;
    const reason = (error as Error)?.message ?? String(error);
    const dlq = target.DeadLetterConfig?.Arn;
    if (!dlq) {
      logger.warn(`${where}; the event is dropped (the target has no DeadLetterConfig)`, { error: reason });
      return;
    }
    const text = (value: string) => ({ DataType: 'String', StringValue: value });
    try {
      this.deliveries.sqs.sendMessage(dlq, JSON.stringify(event), {
        MessageAttributes: {
          RULE_ARN: text(rule.arn),
          TARGET_ARN: text(target.Arn),
          ERROR_CODE: text((error as { code?: unknown })?.code ? String((error as { code: unknown }).code) : 'DeliveryFailed'),
          ERROR_MESSAGE: text(reason || 'unknown'),
        },
      });
      this.stats.invocationsSentToDlq++;
      logger.warn(`${where}; the event is sent to the dead-letter queue ${dlq}`, { error: reason });
    } catch (dlqError) {
      this.stats.invocationsFailedToBeSentToDlq++;
      logger.warn(`${where}, and so did sending it to the dead-letter queue ${dlq}; the event is dropped`, {
        error: reason,
        deadLetterError: (dlqError as Error)?.message ?? String(dlqError),
      });
    }
  }
}

/** True when the request is an EventBridge JSON-protocol call. */
export function isEventsCall(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith(TARGET_PREFIX);
}

/**
 * Answers an EventBridge call whose body was past the gateway's `limitBytes` (docs/stepfunctions.md#eventbridge)
 * with EventBridge's `ValidationException`, the error it gives PutEvents entries over their limit. Gateway
 * choice: HTTP 413, as for every body the gateway refuses for its size.
 */
export function answerEventsTooLarge(req: IncomingMessage, res: ServerResponse, limitBytes: number): void {
  const action = String(req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
  const error =
    action === 'PutEvents' ? entriesTooLarge(413) : new EventsError('ValidationException', `The request is over the ${limitBytes}-byte request limit.`, 413);
  send(res, error.statusCode, { __type: error.code, message: error.message }, error.code);
}

function send(res: ServerResponse, status: number, value: unknown, errorType?: string): void {
  const text = JSON.stringify(value);
  const headers: Record<string, string> = {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': String(Buffer.byteLength(text)),
    'x-amzn-requestid': randomUUID(),
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

/** Answers one EventBridge API call (`isEventsCall` was true). */
export async function handleEventsCall(rules: EventRules, req: IncomingMessage, res: ServerResponse, body: Buffer, config: NormalizedConfig): Promise<void> {
  const action = String(req.headers['x-amz-target']).slice(TARGET_PREFIX.length);
  try {
    try {
      await verifySignature(req, body, config, 'events');
    } catch (error) {
      if (error instanceof SqsError)
        throw new EventsError(
          error.code === 'MissingAuthenticationToken' ? 'MissingAuthenticationTokenException' : 'UnrecognizedClientException',
          error.message,
          403,
        );
      throw error;
    }
    let input: Record<string, unknown>;
    try {
      input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    } catch {
      throw new EventsError('SerializationException', 'The request body is not valid JSON.');
    }
    let output: unknown;
    switch (action) {
      case 'PutRule':
        output = { RuleArn: rules.putRule(input) };
        break;
      case 'DeleteRule':
        rules.deleteRule(input.Name);
        output = {};
        break;
      case 'ListRules':
        output = { Rules: rules.listRules(typeof input.NamePrefix === 'string' ? input.NamePrefix : '') };
        break;
      case 'PutTargets':
        rules.putTargets(input.Rule, input.Targets);
        output = { FailedEntryCount: 0, FailedEntries: [] };
        break;
      case 'RemoveTargets':
        rules.removeTargets(input.Rule, input.Ids);
        output = { FailedEntryCount: 0, FailedEntries: [] };
        break;
      case 'ListTargetsByRule':
        output = { Targets: rules.listTargets(input.Rule) };
        break;
      case 'PutEvents': {
        const entries = rules.putEvents(Array.isArray(input.Entries) ? (input.Entries as EventEntry[]) : []);
        output = { FailedEntryCount: entries.filter((e) => e.ErrorCode).length, Entries: entries };
        break;
      }
      default:
        throw new EventsError('UnknownOperationException', `The action ${action} is not supported by appsync-gateway's EventBridge.`);
    }
    send(res, 200, output);
  } catch (error) {
    if (!(error instanceof EventsError)) throw error;
    send(res, error.statusCode, { __type: error.code, message: error.message }, error.code);
  }
}
