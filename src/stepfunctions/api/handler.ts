/**
 * The HTTP side of the Step Functions API: POST with `X-Amz-Target: AWSStepFunctions.<Action>`
 * and `Content-Type: application/x-amz-json-1.0`, answered in the same content type. Errors are
 * HTTP 400 (403 for signatures) with `{ "__type", "message" }` and an `x-amzn-ErrorType` header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NormalizedConfig } from '../../config/types.js';
import type { Logger } from '../../datasources/types.js';
import { requestTooLarge, SfnApiError, type SfnErrorName } from '../service/errors.js';
import type { StepFunctionsService } from '../service/service.js';
import type { PeerAnswer, StorePeers } from '../store/types.js';
import { ACTIONS, LIST_ITEMS, listPage, mergeListItems, type ListAction } from './actions.js';

/** SigV4 checking (and its signer) loads only for configs with an AWS_IAM provider. */
let sigv4: Promise<typeof import('./sigv4.js')> | undefined;
const hasIam = (config: NormalizedConfig) => config.authentication.type === 'AWS_IAM' || config.additionalAuthentications.some((a) => a.type === 'AWS_IAM');

const TARGET_PREFIX = 'AWSStepFunctions.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
let requestCounter = 0;

/** True when the request is a Step Functions API call (by its target and content type). */
export function isStepFunctionsCall(req: IncomingMessage): boolean {
  if (req.method !== 'POST') return false;
  const target = req.headers['x-amz-target'];
  if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) return false;
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.startsWith(CONTENT_TYPE);
}

function requestId(): string {
  // Cheap, unique enough per process; AWS's are UUIDs, callers only log them.
  requestCounter = (requestCounter + 1) >>> 0;
  return `${process.pid.toString(16)}-${Date.now().toString(16)}-${requestCounter.toString(16)}`;
}

function send(res: ServerResponse, status: number, text: string, errorType?: string): void {
  // A flat [name, value, …] list: Node takes it without walking an object (hot path).
  const headers = [
    'content-type',
    CONTENT_TYPE,
    'content-length',
    String(Buffer.byteLength(text)),
    'x-amzn-requestid',
    requestId(),
    'access-control-allow-origin',
    '*',
  ];
  if (errorType) headers.push('x-amzn-errortype', errorType);
  res.writeHead(status, headers);
  res.end(text);
}

function sendError(res: ServerResponse, error: SfnApiError): void {
  send(res, error.statusCode, JSON.stringify(error.toJSON()), error.sfnName);
}

/**
 * Answers a Step Functions call whose body the gateway refused as too large in the service's own
 * error shape (the SDK's `ValidationException`); false for any other request.
 */
export function answerTooLarge(req: IncomingMessage, res: ServerResponse, limitBytes: number): boolean {
  if (!isStepFunctionsCall(req)) return false;
  sendError(res, requestTooLarge(limitBytes));
  return true;
}

export interface ApiHandlerOptions {
  service: StepFunctionsService;
  config(): NormalizedConfig;
  logger: Logger;
  /** Other instances sharing the store: calls about their executions and tokens go to them. */
  peers?: StorePeers;
}

type OwnedRef = 'executionArn' | 'taskToken' | 'stateMachineArn' | 'activityArn' | 'stateMachineVersionArn' | 'stateMachineAliasArn';

/**
 * The actions that name one execution, task token, state machine or activity, which may belong
 * to another instance sharing the store; with the time the owner may take to answer.
 */
const OWNED_BY: Record<string, { ref: OwnedRef; timeoutMs?: number }> = {
  DescribeExecution: { ref: 'executionArn' },
  DescribeStateMachineForExecution: { ref: 'executionArn' },
  GetExecutionHistory: { ref: 'executionArn' },
  StopExecution: { ref: 'executionArn' },
  RedriveExecution: { ref: 'executionArn' },
  SendTaskSuccess: { ref: 'taskToken' },
  SendTaskFailure: { ref: 'taskToken' },
  SendTaskHeartbeat: { ref: 'taskToken' },
  DescribeStateMachine: { ref: 'stateMachineArn' },
  UpdateStateMachine: { ref: 'stateMachineArn' },
  DeleteStateMachine: { ref: 'stateMachineArn' },
  PublishStateMachineVersion: { ref: 'stateMachineArn' },
  DeleteStateMachineVersion: { ref: 'stateMachineVersionArn' },
  DescribeStateMachineAlias: { ref: 'stateMachineAliasArn' },
  UpdateStateMachineAlias: { ref: 'stateMachineAliasArn' },
  DeleteStateMachineAlias: { ref: 'stateMachineAliasArn' },
  ListStateMachineVersions: { ref: 'stateMachineArn' },
  ListStateMachineAliases: { ref: 'stateMachineArn' },
  StartExecution: { ref: 'stateMachineArn' },
  // Express runs last up to 5 minutes.
  StartSyncExecution: { ref: 'stateMachineArn', timeoutMs: 310_000 },
  ListExecutions: { ref: 'stateMachineArn' },
  DescribeActivity: { ref: 'activityArn' },
  DeleteActivity: { ref: 'activityArn' },
  // A long poll: up to 60 s.
  GetActivityTask: { ref: 'activityArn', timeoutMs: 65_000 },
};

/** The "not here" answers after which the owner is asked. */
const NOT_HERE = new Set(['ExecutionDoesNotExist', 'TaskDoesNotExist', 'StateMachineDoesNotExist', 'ActivityDoesNotExist']);

const isListAction = (action: string): action is ListAction => Object.hasOwn(LIST_ITEMS, action);

/**
 * Actions that only read (or, StartSyncExecution, run an Express execution nothing keeps). Every
 * other action is answered only once what it changed is durable in the store (group commit), so
 * a crash right after the answer loses nothing the caller was told happened.
 */
const READS = /^(Describe|List|Get|Validate|Test)|^StartSyncExecution$/;
const changesState = (action: string) => !READS.test(action);

/** How long a list waits for each other instance's part; one that does not answer is left out. */
const LIST_PEER_TIMEOUT_MS = 2_000;

/**
 * Runs an action another instance forwarded here: the actions of {@link OWNED_BY}, and the List
 * actions with `localOnly` (this instance's whole list, unpaged, for the caller to merge).
 */
export async function answerPeerCall(service: StepFunctionsService, action: string, input: Record<string, unknown>): Promise<PeerAnswer> {
  const localList = input.localOnly === true && isListAction(action);
  const run = localList
    ? (_s: StepFunctionsService, body: Record<string, unknown>) => ({ items: LIST_ITEMS[action as ListAction](service, body) })
    : Object.hasOwn(OWNED_BY, action)
      ? ACTIONS[action]
      : undefined;
  if (!run) return { ok: false, name: 'UnknownOperationException', message: '', status: 400 };
  try {
    const result = (await run(service, input, { signal: NEVER })) ?? {};
    if (changesState(action)) await service.durable();
    return { ok: true, result };
  } catch (error) {
    if (error instanceof SfnApiError) return { ok: false, name: error.sfnName, message: error.message, status: error.statusCode, extra: error.extra };
    throw error;
  }
}

/**
 * The answer of the other instance owning what the call names, or undefined when none does.
 * Asked after a "does not exist" here, and for the deletes (which succeed either way) when the
 * machine or activity is not this instance's.
 */
async function askOwner(peers: StorePeers, action: string, input: Record<string, unknown>): Promise<PeerAnswer | undefined> {
  const owned = OWNED_BY[action];
  const ref = owned ? input[owned.ref] : undefined;
  if (!owned || typeof ref !== 'string') return undefined;
  // A version or alias ARN (`…:stateMachine:<name>:<qualifier>`) belongs to its machine's owner.
  const machineRef = owned.ref === 'stateMachineArn' || owned.ref === 'stateMachineVersionArn' || owned.ref === 'stateMachineAliasArn';
  const lookup = machineRef && ref.split(':').length === 8 ? ref.slice(0, ref.lastIndexOf(':')) : ref;
  const owner = await peers.ownerOf(machineRef ? { stateMachineArn: lookup } : { [owned.ref]: lookup });
  if (owner === undefined) return undefined;
  try {
    return await peers.call(owner, action, input, owned.timeoutMs);
  } catch (failure) {
    return {
      ok: false,
      name: 'ServiceUnavailable',
      message: `the gateway instance "${owner}" that owns this resource is unavailable: ${(failure as Error).message}`,
      status: 503,
    };
  }
}

/**
 * A List action over every instance sharing the store: this instance's items and those of each
 * other running instance (config machines, which every instance has, appear once), paged as one.
 */
async function listEverywhere(
  service: StepFunctionsService,
  peers: StorePeers,
  action: ListAction,
  input: Record<string, unknown>,
  logger: Logger,
): Promise<Record<string, unknown>> {
  const local = LIST_ITEMS[action](service, input);
  const others = await peers.liveOwners();
  const { nextToken: _token, maxResults: _max, ...query } = input;
  const parts = await Promise.all(
    others.map(async (other) => {
      try {
        const answer = await peers.call(other, action, { ...query, localOnly: true }, LIST_PEER_TIMEOUT_MS);
        if (answer.ok) return (answer.result as { items?: Record<string, unknown>[] }).items ?? [];
        // e.g. ListExecutions of a machine only this instance has
        if (!NOT_HERE.has(answer.name)) logger.warn(`Step Functions ${action}: instance "${other}" answered ${answer.name}`, { message: answer.message });
      } catch (error) {
        logger.warn(`Step Functions ${action}: instance "${other}" is left out of the list`, { error: (error as Error).message });
      }
      return [];
    }),
  );
  return listPage(action, mergeListItems(action, [local, ...parts]), input);
}

/** True when a delete names a machine or activity this instance does not have (another may). */
function deletesElsewhere(service: StepFunctionsService, action: string, input: Record<string, unknown>): boolean {
  if (action === 'DeleteStateMachine') return typeof input.stateMachineArn === 'string' && !service.hasStateMachine(input.stateMachineArn);
  if (action === 'DeleteActivity') return typeof input.activityArn === 'string' && !service.hasActivity(input.activityArn);
  const qualified =
    action === 'DeleteStateMachineVersion' ? input.stateMachineVersionArn : action === 'DeleteStateMachineAlias' ? input.stateMachineAliasArn : undefined;
  if (typeof qualified === 'string') return !service.hasStateMachine(qualified.slice(0, qualified.lastIndexOf(':')));
  return false;
}

/** Answers one Step Functions API call (`isStepFunctionsCall(req)` is true). */
export async function handleApiCall(options: ApiHandlerOptions, req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
  const action = (req.headers['x-amz-target'] as string).slice(TARGET_PREFIX.length);
  try {
    const config = options.config();
    if (hasIam(config)) {
      const { iamConfigOf, verifyStatesSignature } = await (sigv4 ??= import('./sigv4.js'));
      const iam = iamConfigOf(config);
      if (iam) await verifyStatesSignature(req, body, iam);
    }
    const run = ACTIONS[action];
    if (!run || !Object.hasOwn(ACTIONS, action)) throw new SfnApiError('UnknownOperationException', '');
    let parsed: unknown;
    try {
      parsed = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new SfnApiError('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new SfnApiError('SerializationException', 'Start of structure or map found where not expected.');
    let signal: AbortSignal;
    let controller: AbortController | undefined;
    if (action === 'GetActivityTask') {
      // Long polls end when the caller hangs up.
      controller = new AbortController();
      const abort = () => controller!.abort();
      res.once('close', abort);
      signal = controller.signal;
    } else signal = NEVER;
    const input = parsed as Record<string, unknown>;
    const peers = options.peers;
    let result: unknown;
    let answer: PeerAnswer | undefined;
    if (peers && deletesElsewhere(options.service, action, input)) answer = await askOwner(peers, action, input);
    if (!answer) {
      try {
        result =
          peers && isListAction(action)
            ? await listEverywhere(options.service, peers, action, input, options.logger)
            : await run(options.service, input, { signal });
        if (changesState(action)) await options.service.durable();
      } catch (error) {
        if (peers && error instanceof SfnApiError && NOT_HERE.has(error.sfnName)) answer = await askOwner(peers, action, input);
        if (!answer) throw error;
      }
    }
    if (answer) {
      if (!answer.ok) throw new SfnApiError(answer.name as SfnErrorName, answer.message, answer.status, answer.extra);
      result = answer.result;
    }
    if (!res.writableEnded && !res.destroyed) send(res, 200, JSON.stringify(result ?? {}));
  } catch (error) {
    if (error instanceof SfnApiError) return sendError(res, error);
    options.logger.error('Step Functions API failure', { action, error: error instanceof Error ? error.stack : String(error) });
    send(res, 500, JSON.stringify({ __type: 'com.amazon.coral.service#InternalFailure', message: 'An internal error occurred.' }), 'InternalFailure');
  }
}

const NEVER = new AbortController().signal;
