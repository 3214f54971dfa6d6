/**
 * The Step Functions API actions (JSON 1.0, `X-Amz-Target: AWSStepFunctions.<Action>`): request
 * members checked as AWS checks them, answers in AWS's shapes with timestamps in epoch seconds.
 */
import type { StateMachineType } from '../engine/types.js';
import { expectArn } from '../service/arns.js';
import { invalidToken, SfnApiError, validationError } from '../service/errors.js';
import { describe, type Execution } from '../service/execution.js';
import { LOG_LEVELS } from '../service/executionLogs.js';
import type { StepFunctionsService } from '../service/service.js';
import type { StateMachineRecord, StoredEvent } from '../store/types.js';

type Body = Record<string, unknown>;
/** What an action receives besides the request body. */
export interface ActionContext {
  /** Aborted when the client goes away (long polls end early). */
  signal: AbortSignal;
}
export type Action = (service: StepFunctionsService, body: Body, ctx: ActionContext) => unknown;

const seconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

// ---------------------------------------------------------------- member checks (coral's wording)

/** `bytes`: the length counts UTF-8 bytes, as AWS counts payloads (input, output), not characters. */
function str(body: Body, member: string, options: { required?: boolean; min?: number; max?: number; bytes?: boolean } = {}): string | undefined {
  const value = body[member];
  if (value === undefined || value === null) {
    if (options.required) throw validationError(member, value, 'Member must not be null');
    return undefined;
  }
  if (typeof value !== 'string') throw new SfnApiError('SerializationException', `Unexpected value type for '${member}': expected a string`);
  const min = options.min ?? (options.required ? 1 : 0);
  if (value.length < min) throw validationError(member, value, `Member must have length greater than or equal to ${min}`);
  if (options.max !== undefined && (options.bytes ? Buffer.byteLength(value) : value.length) > options.max)
    throw validationError(member, value, `Member must have length less than or equal to ${options.max}`);
  return value;
}

const reqStr = (body: Body, member: string, max?: number) => str(body, member, { required: true, max })!;

function bool(body: Body, member: string): boolean | undefined {
  const value = body[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new SfnApiError('SerializationException', `Unexpected value type for '${member}': expected a boolean`);
  return value;
}

function oneOf<T extends string>(body: Body, member: string, values: readonly T[]): T | undefined {
  const value = str(body, member);
  if (value === undefined) return undefined;
  if (!(values as readonly string[]).includes(value)) throw validationError(member, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  return value as T;
}

/** `loggingConfiguration` of CreateStateMachine / UpdateStateMachine: its `level` checked as AWS checks it. */
function loggingConfiguration(body: Body): Record<string, unknown> | undefined {
  const value = body.loggingConfiguration;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw validationError('loggingConfiguration', String(value), 'Member must be a structure');
  oneOf(value as Body, 'level', LOG_LEVELS);
  const { stdout: _local, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** A machine's `loggingConfiguration` as DescribeStateMachine shows it (without the config's local `stdout`). */
function shownLogging(value: unknown): unknown {
  if (!value || typeof value !== 'object') return { level: 'OFF', includeExecutionData: false };
  const { stdout: _local, ...rest } = value as Record<string, unknown>;
  return rest;
}

const CLOSING_STATUS: Record<string, string> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionAborted: 'ABORTED',
  ExecutionTimedOut: 'TIMED_OUT',
};

// ---------------------------------------------------------------- pagination

interface Page<T> {
  items: T[];
  nextToken?: string;
}

/** Slices `all` by `maxResults` (0/absent = `fallback`, at most 1000) and an opaque `nextToken`. */
function paginate<T>(all: T[], body: Body, scope: string, fallback = 100): Page<T> {
  const max = body.maxResults;
  if (max !== undefined && max !== null && (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > 1000)) {
    throw validationError('maxResults', max, 'Member must have value less than or equal to 1000');
  }
  const limit = typeof max === 'number' && max > 0 ? max : fallback;
  const token = str(body, 'nextToken', { max: 1024 });
  let offset = 0;
  if (token !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { s?: string; o?: number };
      if (decoded.s !== scope || typeof decoded.o !== 'number' || decoded.o < 0) throw new Error('mismatch');
      offset = decoded.o;
    } catch {
      throw invalidToken();
    }
  }
  const items = all.slice(offset, offset + limit);
  const next = offset + limit < all.length ? Buffer.from(JSON.stringify({ s: scope, o: offset + limit })).toString('base64url') : undefined;
  return { items, nextToken: next };
}

// ---------------------------------------------------------------- shapes

function describeExecutionShape(exec: Execution, service: StepFunctionsService) {
  const d = describe(exec);
  return {
    executionArn: d.executionArn,
    stateMachineArn: d.stateMachineArn,
    name: d.name,
    status: d.status,
    startDate: seconds(d.startDate),
    stopDate: seconds(d.stopDate),
    input: d.input,
    inputDetails: { included: true },
    output: d.output,
    outputDetails: d.output === undefined ? undefined : { included: true },
    // A Fail state without Error/Cause leaves them out of the answer, as AWS does.
    error: d.error || undefined,
    cause: d.cause || undefined,
    ...redriveShape(exec, service),
    stateMachineVersionArn: exec.versionArn,
    stateMachineAliasArn: exec.aliasArn,
  };
}

/** `publish: true` (with `versionDescription`) on Create/UpdateStateMachine: the version it published. */
function publishIfAsked(service: StepFunctionsService, arn: string, body: Body): { stateMachineVersionArn?: string } {
  if (body.publish !== true) return {};
  return { stateMachineVersionArn: service.publishVersion(arn, { description: str(body, 'versionDescription', { max: 256 }) }).arn };
}

/** An alias's `routingConfiguration` member, checked for shape (the service checks the versions). */
function routingConfiguration(body: Body): Array<{ stateMachineVersionArn: string; weight: number }> {
  const routing = body.routingConfiguration;
  if (!Array.isArray(routing)) throw validationError('routingConfiguration', routing, 'Member must not be null');
  return routing.map((r: unknown, i) => {
    const entry = (r ?? {}) as Record<string, unknown>;
    if (typeof entry.stateMachineVersionArn !== 'string')
      throw validationError(`routingConfiguration.${i + 1}.member.stateMachineVersionArn`, entry.stateMachineVersionArn, 'Member must not be null');
    if (typeof entry.weight !== 'number') throw validationError(`routingConfiguration.${i + 1}.member.weight`, entry.weight, 'Member must not be null');
    return { stateMachineVersionArn: entry.stateMachineVersionArn, weight: entry.weight };
  });
}

/** DescribeExecution's redrive members. */
function redriveShape(exec: Execution, service: StepFunctionsService) {
  const blocker = service.redriveBlocker(exec);
  return {
    redriveCount: exec.redriveCount ?? 0,
    redriveDate: exec.redriveDate === undefined ? undefined : seconds(exec.redriveDate),
    redriveStatus: blocker ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    redriveStatusReason: blocker,
  };
}

const PAYLOAD_KEYS = new Set(['input', 'inputDetails', 'output', 'outputDetails', 'parameters']);

function eventShape(event: StoredEvent, includeData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...event, timestamp: event.timestamp / 1000 };
  if (!includeData) {
    for (const [key, value] of Object.entries(out)) {
      if (!key.endsWith('EventDetails') || !value || typeof value !== 'object') continue;
      out[key] = Object.fromEntries(Object.entries(value).filter(([k]) => !PAYLOAD_KEYS.has(k)));
    }
  }
  return out;
}

function machineShape(sm: StateMachineRecord) {
  return {
    stateMachineArn: sm.arn,
    name: sm.name,
    status: 'ACTIVE',
    definition: sm.definition,
    roleArn: sm.roleArn,
    type: sm.type,
    creationDate: seconds(sm.creationDate),
    description: sm.description,
    loggingConfiguration: shownLogging(sm.loggingConfiguration),
    tracingConfiguration: sm.tracingConfiguration ?? { enabled: false },
  };
}

function parseJsonMember(text: string | undefined, member: string): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw validationError(member, text, `Member must be valid JSON: ${(error as Error).message}`);
  }
}

const TYPES: readonly StateMachineType[] = ['STANDARD', 'EXPRESS'];
const STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;

// ---------------------------------------------------------------- the actions

// ---------------------------------------------------------------- lists

export type ListAction = 'ListStateMachines' | 'ListActivities' | 'ListExecutions';
type ListItem = Record<string, unknown>;

const byName = (a: ListItem, b: ListItem) => String(a.name).localeCompare(String(b.name));
const newestFirst = (a: ListItem, b: ListItem) => Number(b.startDate) - Number(a.startDate);

/**
 * What each List action pages through, in the API's shape and order, before pagination; also
 * what instances sharing a store send each other to list everything (api/handler.ts).
 */
export const LIST_ITEMS: Record<ListAction, (service: StepFunctionsService, body: Body) => ListItem[]> = {
  ListStateMachines: (service) =>
    service
      .stateMachines()
      .map((sm) => ({ stateMachineArn: sm.arn, name: sm.name, type: sm.type, creationDate: seconds(sm.creationDate) }))
      .sort(byName),
  ListActivities: (service) =>
    service
      .activities()
      .map((a) => ({ activityArn: a.arn, name: a.name, creationDate: seconds(a.creationDate) }))
      .sort(byName),
  ListExecutions(service, body) {
    const smArn = str(body, 'stateMachineArn', { max: 256 });
    if (smArn === undefined) {
      if (body.mapRunArn != null) throw new SfnApiError('ResourceNotFound', `Resource not found: '${String(body.mapRunArn)}'`);
      throw new SfnApiError('ValidationException', 'Must provide a StateMachine ARN or MapRun ARN');
    }
    const status = oneOf(body, 'statusFilter', STATUSES);
    const redriven = oneOf(body, 'redriveFilter', ['REDRIVEN', 'NOT_REDRIVEN']);
    const all = service.listExecutions(smArn, status);
    const picked = redriven === undefined ? all : all.filter((e) => (redriven === 'REDRIVEN') === (e.redriveCount ?? 0) > 0);
    return picked.map((e) => ({
      executionArn: e.arn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: seconds(e.startDate),
      stopDate: seconds(e.stopDate),
      ...(e.redriveCount ? { redriveCount: e.redriveCount, redriveDate: seconds(e.redriveDate) } : {}),
    }));
  },
};

const LIST_MEMBERS: Record<ListAction, { member: string; arn: string; order: (a: ListItem, b: ListItem) => number }> = {
  ListStateMachines: { member: 'stateMachines', arn: 'stateMachineArn', order: byName },
  ListActivities: { member: 'activities', arn: 'activityArn', order: byName },
  ListExecutions: { member: 'executions', arn: 'executionArn', order: newestFirst },
};

/** Items of several instances as one list: each ARN once (the first list's copy wins), in the action's order. */
export function mergeListItems(action: ListAction, lists: ListItem[][]): ListItem[] {
  const { arn, order } = LIST_MEMBERS[action];
  const seen = new Set<unknown>();
  const out: ListItem[] = [];
  for (const list of lists) {
    for (const item of list) {
      if (seen.has(item[arn])) continue;
      seen.add(item[arn]);
      out.push(item);
    }
  }
  return lists.length > 1 ? out.sort(order) : out;
}

/** One page of a List action's answer. */
export function listPage(action: ListAction, items: ListItem[], body: Body): Record<string, unknown> {
  const scope =
    action === 'ListExecutions'
      ? `ListExecutions:${String(body.stateMachineArn)}:${String(body.statusFilter ?? '')}:${String(body.redriveFilter ?? '')}`
      : action;
  const page = paginate(items, body, scope);
  return { [LIST_MEMBERS[action].member]: page.items, nextToken: page.nextToken };
}

export const ACTIONS: Record<string, Action> = {
  /**
   * Local addition (the page's view of Express executions, docs/stepfunctions.md#execution-logs):
   * the newest runs of a machine read back from its execution log, newest first, each with
   * ListExecutions' fields, what its events tell of input, output, error and cause, and its events
   * in GetExecutionHistory's shape.
   */
  ListLoggedExecutions(service, body) {
    const stateMachineArn = reqStr(body, 'stateMachineArn', 256);
    const runs = service.loggedRuns(stateMachineArn);
    return {
      executions: runs.map((run) => {
        const first = run.events[0];
        const last = run.events[run.events.length - 1];
        const started = first?.executionStartedEventDetails as { input?: string } | undefined;
        const closing = last ? CLOSING_STATUS[String(last.type)] : undefined;
        const end = (last?.[`${String(last.type)[0]!.toLowerCase()}${String(last.type).slice(1)}EventDetails`] ?? {}) as Record<string, unknown>;
        return {
          executionArn: run.executionArn,
          stateMachineArn,
          name: run.executionArn.split(':').pop(),
          status: closing ?? 'RUNNING',
          startDate: first?.timestamp,
          ...(closing ? { stopDate: last?.timestamp } : {}),
          ...(started?.input !== undefined ? { input: started.input } : {}),
          ...(typeof end.output === 'string' ? { output: end.output } : {}),
          ...(typeof end.error === 'string' ? { error: end.error } : {}),
          ...(typeof end.cause === 'string' ? { cause: end.cause } : {}),
          events: run.events,
        };
      }),
    };
  },
  CreateStateMachine(service, body) {
    const sm = service.createStateMachine({
      name: reqStr(body, 'name', 80),
      definition: reqStr(body, 'definition', 1_048_576),
      roleArn: reqStr(body, 'roleArn', 256),
      type: oneOf(body, 'type', TYPES) ?? 'STANDARD',
      loggingConfiguration: loggingConfiguration(body),
      tracingConfiguration: body.tracingConfiguration ?? undefined,
    });
    const published = publishIfAsked(service, sm.arn, body);
    return { stateMachineArn: sm.arn, creationDate: seconds(sm.creationDate), ...published };
  },
  DescribeStateMachine(service, body) {
    const arn = reqStr(body, 'stateMachineArn', 256);
    const pieces = arn.split(':');
    if (service.hasStateMachine(arn) || pieces.length !== 8 || pieces[5] !== 'stateMachine') return machineShape(service.machine(arn));
    // A version ARN describes that version (its definition, role and description).
    const { sm, version } = service.qualified(arn);
    if (!version) throw new SfnApiError('InvalidArn', `Invalid Arn: 'Resource type not valid in this context: stateMachine alias: ${arn}'`);
    return {
      ...machineShape({ ...sm, definition: version.definition, roleArn: version.roleArn, description: version.description }),
      stateMachineArn: arn,
      revisionId: version.revisionId,
      creationDate: seconds(version.creationDate),
    };
  },
  UpdateStateMachine(service, body) {
    const arn = reqStr(body, 'stateMachineArn', 256);
    const definition = str(body, 'definition', { max: 1_048_576 });
    const roleArn = str(body, 'roleArn', { max: 256 });
    if (definition === undefined && roleArn === undefined && body.loggingConfiguration == null && body.tracingConfiguration == null) {
      service.machine(arn);
      throw new SfnApiError(
        'MissingRequiredParameter',
        'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
      );
    }
    const sm = service.updateStateMachine(arn, {
      definition,
      roleArn,
      loggingConfiguration: loggingConfiguration(body),
      tracingConfiguration: body.tracingConfiguration ?? undefined,
    });
    return { updateDate: Date.now() / 1000, revisionId: sm.revisionId, ...publishIfAsked(service, sm.arn, body) };
  },
  PublishStateMachineVersion(service, body) {
    const version = service.publishVersion(reqStr(body, 'stateMachineArn', 256), {
      revisionId: str(body, 'revisionId', { max: 256 }),
      description: str(body, 'description', { max: 256 }),
    });
    return { creationDate: seconds(version.creationDate), stateMachineVersionArn: version.arn };
  },
  ListStateMachineVersions(service, body) {
    const sm = service.machine(reqStr(body, 'stateMachineArn', 256));
    const all = [...(sm.versions ?? [])].reverse().map((v) => ({ stateMachineVersionArn: `${sm.arn}:${v.version}`, creationDate: seconds(v.creationDate) }));
    const page = paginate(all, body, `ListStateMachineVersions:${sm.arn}`);
    return { stateMachineVersions: page.items, nextToken: page.nextToken };
  },
  DeleteStateMachineVersion(service, body) {
    service.deleteVersion(reqStr(body, 'stateMachineVersionArn', 256));
    return {};
  },
  CreateStateMachineAlias(service, body) {
    const created = service.createAlias(reqStr(body, 'name', 80), str(body, 'description', { max: 256 }), routingConfiguration(body));
    return { stateMachineAliasArn: created.arn, creationDate: seconds(created.creationDate) };
  },
  DescribeStateMachineAlias(service, body) {
    const arn = reqStr(body, 'stateMachineAliasArn', 256);
    const { sm, alias } = service.alias(arn);
    return {
      stateMachineAliasArn: arn,
      name: alias.name,
      description: alias.description,
      routingConfiguration: alias.routing.map((r) => ({ stateMachineVersionArn: `${sm.arn}:${r.version}`, weight: r.weight })),
      creationDate: seconds(alias.creationDate),
      updateDate: seconds(alias.updateDate),
    };
  },
  UpdateStateMachineAlias(service, body) {
    const arn = reqStr(body, 'stateMachineAliasArn', 256);
    const description = str(body, 'description', { max: 256 });
    if (description === undefined && body.routingConfiguration == null) {
      throw new SfnApiError('ValidationException', 'Either the description or the RoutingConfiguration must be specified');
    }
    const updateDate = service.updateAlias(arn, { description, routing: body.routingConfiguration == null ? undefined : routingConfiguration(body) });
    return { updateDate: seconds(updateDate) };
  },
  DeleteStateMachineAlias(service, body) {
    service.deleteAlias(reqStr(body, 'stateMachineAliasArn', 256));
    return {};
  },
  ListStateMachineAliases(service, body) {
    const sm = service.machine(reqStr(body, 'stateMachineArn', 256));
    const all = (sm.aliases ?? []).map((a) => ({ stateMachineAliasArn: `${sm.arn}:${a.name}`, creationDate: seconds(a.creationDate) }));
    const page = paginate(all, body, `ListStateMachineAliases:${sm.arn}`);
    return { stateMachineAliases: page.items, nextToken: page.nextToken };
  },
  DeleteStateMachine(service, body) {
    service.deleteStateMachine(reqStr(body, 'stateMachineArn', 256));
    return {};
  },
  ListStateMachines(service, body) {
    return listPage('ListStateMachines', LIST_ITEMS.ListStateMachines(service, body), body);
  },
  ValidateStateMachineDefinition(service, body) {
    const definition = reqStr(body, 'definition', 1_048_576);
    oneOf(body, 'type', TYPES);
    const diagnostics = service.validate(definition);
    const max = typeof body.maxResults === 'number' && body.maxResults > 0 ? body.maxResults : 100;
    return {
      result: diagnostics.some((d) => d.severity === 'ERROR') ? 'FAIL' : 'OK',
      diagnostics: diagnostics.slice(0, max),
      truncated: diagnostics.length > max,
    };
  },

  StartExecution(service, body) {
    const started = service.startExecution(
      reqStr(body, 'stateMachineArn', 256),
      str(body, 'name', { max: 80 }),
      str(body, 'input', { max: 262_144, bytes: true }),
    );
    return { executionArn: started.executionArn, startDate: seconds(started.startDate) };
  },
  async StartSyncExecution(service, body) {
    const started = Date.now();
    const result = await service.startSyncExecution(
      reqStr(body, 'stateMachineArn', 256),
      str(body, 'name', { max: 80 }),
      str(body, 'input', { max: 262_144, bytes: true }),
    );
    const billed = Math.max(100, Math.ceil((Date.now() - started) / 100) * 100);
    return {
      executionArn: result.executionArn,
      stateMachineArn: result.stateMachineArn,
      name: result.name,
      startDate: result.startDate / 1000,
      stopDate: result.stopDate / 1000,
      status: result.status,
      error: result.error || undefined,
      cause: result.cause || undefined,
      input: result.input,
      inputDetails: { included: true },
      output: result.output,
      outputDetails: result.output === undefined ? undefined : { included: true },
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billed },
    };
  },
  DescribeExecution(service, body) {
    return describeExecutionShape(service.execution(reqStr(body, 'executionArn', 256)), service);
  },
  DescribeStateMachineForExecution(service, body) {
    const exec = service.execution(reqStr(body, 'executionArn', 256));
    const { definition, machine: sm } = service.machineOfExecution(exec);
    return {
      stateMachineArn: exec.stateMachineArn,
      name: exec.stateMachineName,
      definition,
      roleArn: sm?.roleArn,
      updateDate: seconds(sm?.creationDate ?? exec.startDate),
      revisionId: exec.revisionId,
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  },
  StopExecution(service, body) {
    const stopDate = service.stopExecution(reqStr(body, 'executionArn', 256), str(body, 'error', { max: 256 }), str(body, 'cause', { max: 32_768 }));
    return { stopDate: stopDate / 1000 };
  },
  ListExecutions(service, body) {
    return listPage('ListExecutions', LIST_ITEMS.ListExecutions(service, body), body);
  },
  RedriveExecution(service, body) {
    str(body, 'clientToken', { max: 64 });
    return { redriveDate: seconds(service.redriveExecution(reqStr(body, 'executionArn', 256))) };
  },
  GetExecutionHistory(service, body) {
    const exec = service.execution(reqStr(body, 'executionArn', 256));
    const reverse = bool(body, 'reverseOrder') ?? false;
    const includeData = bool(body, 'includeExecutionData') ?? true;
    const all = service.history(exec);
    const events = reverse ? [...all].reverse() : all;
    const page = paginate(events, body, `GetExecutionHistory:${exec.arn}:${reverse}`);
    return { events: page.items.map((e) => eventShape(e, includeData)), nextToken: page.nextToken };
  },

  SendTaskSuccess(service, body) {
    const token = reqStr(body, 'taskToken', 2048);
    service.sendTaskSuccess(token, str(body, 'output', { required: true, max: 262_144, bytes: true })!);
    return {};
  },
  SendTaskFailure(service, body) {
    service.sendTaskFailure(reqStr(body, 'taskToken', 2048), str(body, 'error', { max: 256 }), str(body, 'cause', { max: 32_768 }));
    return {};
  },
  SendTaskHeartbeat(service, body) {
    service.sendTaskHeartbeat(reqStr(body, 'taskToken', 2048));
    return {};
  },

  CreateActivity(service, body) {
    const act = service.createActivity(reqStr(body, 'name', 80));
    return { activityArn: act.arn, creationDate: seconds(act.creationDate) };
  },
  DescribeActivity(service, body) {
    const act = service.activity(reqStr(body, 'activityArn', 256));
    return { activityArn: act.arn, name: act.name, creationDate: seconds(act.creationDate) };
  },
  DeleteActivity(service, body) {
    service.deleteActivity(reqStr(body, 'activityArn', 256));
    return {};
  },
  ListActivities(service, body) {
    return listPage('ListActivities', LIST_ITEMS.ListActivities(service, body), body);
  },
  async GetActivityTask(service, body, ctx) {
    const arn = reqStr(body, 'activityArn', 256);
    expectArn(arn, ['activity'], 1);
    const task = await service.getActivityTask(arn, str(body, 'workerName', { max: 80 }), ctx.signal);
    return task ? { taskToken: task.taskToken, input: task.input } : {};
  },

  async TestState(service, body) {
    const text = reqStr(body, 'definition', 1_048_576);
    let definition: unknown;
    try {
      definition = JSON.parse(text);
    } catch (error) {
      throw new SfnApiError('InvalidDefinition', `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(error as Error).message}'`);
    }
    if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
      throw new SfnApiError('InvalidDefinition', "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The state definition must be an object'");
    }
    const inputText = str(body, 'input', { max: 262_144, bytes: true }) ?? '{}';
    let input: unknown;
    try {
      input = JSON.parse(inputText);
    } catch (error) {
      throw new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${(error as Error).message}'`);
    }
    return service.testState({
      definition: definition as Record<string, unknown>,
      input,
      inspectionLevel: oneOf(body, 'inspectionLevel', ['INFO', 'DEBUG', 'TRACE'] as const),
      variables: parseJsonMember(str(body, 'variables'), 'variables') as Record<string, unknown> | undefined,
    });
  },
};
