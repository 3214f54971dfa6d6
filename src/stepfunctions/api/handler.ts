/**
 * The HTTP side of the Step Functions API: POST with `X-Amz-Target: AWSStepFunctions.<Action>`
 * and `Content-Type: application/x-amz-json-1.0`, answered in the same content type. Errors are
 * HTTP 400 (403 for signatures) with `{ "__type", "message" }` and an `x-amzn-ErrorType` header.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NormalizedConfig } from '../../config/types.js';
import type { Logger } from '../../datasources/types.js';
import { SfnApiError, type SfnErrorName } from '../service/errors.js';
import type { StepFunctionsService } from '../service/service.js';
import type { PeerAnswer, StorePeers } from '../store/types.js';
import { ACTIONS } from './actions.js';

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
  const headers = ['content-type', CONTENT_TYPE, 'content-length', String(Buffer.byteLength(text)), 'x-amzn-requestid', requestId(), 'access-control-allow-origin', '*'];
  if (errorType) headers.push('x-amzn-errortype', errorType);
  res.writeHead(status, headers);
  res.end(text);
}

function sendError(res: ServerResponse, error: SfnApiError): void {
  send(res, error.statusCode, JSON.stringify(error.toJSON()), error.sfnName);
}

export interface ApiHandlerOptions {
  service: StepFunctionsService;
  config(): NormalizedConfig;
  logger: Logger;
  /** Other instances sharing the store: calls about their executions and tokens go to them. */
  peers?: StorePeers;
}

/** The actions that name one execution or task token, which may belong to another instance. */
const OWNED_BY: Record<string, 'executionArn' | 'taskToken'> = {
  DescribeExecution: 'executionArn',
  DescribeStateMachineForExecution: 'executionArn',
  GetExecutionHistory: 'executionArn',
  StopExecution: 'executionArn',
  SendTaskSuccess: 'taskToken',
  SendTaskFailure: 'taskToken',
  SendTaskHeartbeat: 'taskToken',
};

/** Runs an action another instance forwarded here; only the actions of {@link OWNED_BY}. */
export async function answerPeerCall(service: StepFunctionsService, action: string, input: Record<string, unknown>): Promise<PeerAnswer> {
  const run = Object.hasOwn(OWNED_BY, action) ? ACTIONS[action] : undefined;
  if (!run) return { ok: false, name: 'UnknownOperationException', message: '', status: 400 };
  try {
    return { ok: true, result: (await run(service, input, { signal: NEVER })) ?? {} };
  } catch (error) {
    if (error instanceof SfnApiError) return { ok: false, name: error.sfnName, message: error.message, status: error.statusCode, extra: error.extra };
    throw error;
  }
}

/**
 * When this instance does not know the execution or token a call names, another instance
 * sharing the store may: its answer, or undefined when none owns it.
 */
async function askOwner(peers: StorePeers | undefined, action: string, input: Record<string, unknown>, error: SfnApiError): Promise<PeerAnswer | undefined> {
  const key = OWNED_BY[action];
  if (!peers || !key || (error.sfnName !== 'ExecutionDoesNotExist' && error.sfnName !== 'TaskDoesNotExist')) return undefined;
  const ref = input[key];
  if (typeof ref !== 'string') return undefined;
  const owner = await peers.ownerOf({ [key]: ref });
  if (owner === undefined) return undefined;
  try {
    return await peers.call(owner, action, input);
  } catch (failure) {
    return { ok: false, name: 'ServiceUnavailable', message: `the gateway instance "${owner}" running this execution is unavailable: ${(failure as Error).message}`, status: 503 };
  }
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
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new SfnApiError('SerializationException', 'Start of structure or map found where not expected.');
    let signal: AbortSignal;
    let controller: AbortController | undefined;
    if (action === 'GetActivityTask') {
      // Long polls end when the caller hangs up.
      controller = new AbortController();
      const abort = () => controller!.abort();
      res.once('close', abort);
      signal = controller.signal;
    } else signal = NEVER;
    let result: unknown;
    try {
      result = await run(options.service, parsed as Record<string, unknown>, { signal });
    } catch (error) {
      const answer = error instanceof SfnApiError ? await askOwner(options.peers, action, parsed as Record<string, unknown>, error) : undefined;
      if (!answer) throw error;
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
