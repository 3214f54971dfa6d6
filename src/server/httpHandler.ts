/**
 * GraphQL over HTTP as AppSync serves it: `POST /graphql` (and GET for queries), request-level
 * failures with AppSync's status codes and bodies (docs/errors.md), CORS as AppSync
 * answers browsers. The steps are a short ordered list: read body → authenticate → execute.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestError } from '../errors.js';
import type { AuthContext, AuthRequest } from '../auth/types.js';
import type { SplitKey } from '../cache/index.js';
import { resolverHeadersOfNodeRequest } from '../resolvers/index.js';
import { executeGraphQL, requestFailure, type GraphQLResponse, type Publish } from './execute.js';
import type { Api } from './loadApi.js';

/**
 * Gateway choice (docs/errors.md#request-limits): bodies over 1 MB are refused with 413 (Step
 * Functions, SQS, SNS and EventBridge calls in their services' shape; SQS calls and form posts
 * such as SNS calls may be larger, `MAX_REQUEST_BYTES` of src/stepfunctions/services/sqs.ts and sns.ts).
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The largest GraphQL answer sent (docs/errors.md#request-limits). Gateway choice: 5 MiB, the
 * limit on one resolver's result, so any answer one resolver may give fits.
 */
export const MAX_ANSWER_BYTES = 5 * 1024 * 1024;
/** What AppSync answers when a result is over its size limit (errorType and message as its clients see them). */
const TOO_LARGE_ANSWER = JSON.stringify({ data: null, errors: [{ errorType: 'MappingTemplate', message: 'Transformation too large' }] });

/** How much of a refused body {@link BodyTooLargeError} keeps: enough for a query-protocol call's `Action=…&Version=…`. */
const REFUSED_HEAD_BYTES = 256;

/** A body past the limit; `head` is its first bytes, which tell an SNS query-protocol call from others. */
export class BodyTooLargeError extends Error {
  constructor(readonly head: Buffer) {
    super('Request body is too large.');
  }
}

function headOf(chunks: Buffer[]): Buffer {
  const taken: Buffer[] = [];
  let length = 0;
  for (const chunk of chunks) {
    if (length >= REFUSED_HEAD_BYTES) break;
    taken.push(chunk.subarray(0, REFUSED_HEAD_BYTES - length));
    length += taken.at(-1)!.length;
  }
  return Buffer.concat(taken);
}

/** Reads the whole body, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limit) {
        refused = true;
        reject(new BodyTooLargeError(headOf([...chunks, chunk])));
        chunks.length = 0;
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface ParsedRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

/** The body must be a JSON object with a string `query` (docs/errors.md: else 400). */
function parseGraphQLBody(body: string): ParsedRequest | GraphQLResponse {
  if (body.trim() === '') return requestFailure(400, 'MalformedHttpRequestException', 'Request body is empty.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return requestFailure(400, 'MalformedHttpRequestException', 'Unable to parse GraphQL query.');
  }
  return checkRequestShape(parsed);
}

function checkRequestShape(parsed: unknown): ParsedRequest | GraphQLResponse {
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return requestFailure(400, 'MalformedHttpRequestException', 'Unable to parse GraphQL query.');
  }
  const { query, variables, operationName } = parsed as Record<string, unknown>;
  if (typeof query !== 'string' || query.trim() === '') {
    return requestFailure(400, 'MalformedHttpRequestException', 'Unable to parse GraphQL query.');
  }
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return requestFailure(400, 'MalformedHttpRequestException', 'The variables of a GraphQL request must be a JSON object.');
  }
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') {
    return requestFailure(400, 'MalformedHttpRequestException', 'The operationName of a GraphQL request must be a string.');
  }
  return { query, variables: variables as Record<string, unknown> | null | undefined, operationName: operationName as string | null | undefined };
}

function parseGraphQLQueryString(url: URL): ParsedRequest | GraphQLResponse {
  const variablesText = url.searchParams.get('variables');
  let variables: unknown;
  if (variablesText) {
    try {
      variables = JSON.parse(variablesText);
    } catch {
      return requestFailure(400, 'MalformedHttpRequestException', 'The variables of a GraphQL request must be a JSON object.');
    }
  }
  return checkRequestShape({ query: url.searchParams.get('query'), variables, operationName: url.searchParams.get('operationName') ?? undefined });
}

export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  // `*` does not cover Authorization (Fetch standard), which SigV4 and Cognito/OIDC callers send.
  'access-control-allow-headers': '*, authorization',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-max-age': '86400',
};

/** Headers the gateway always sets: a resolver's header of the same name does not go out. */
const OWN_HEADERS = new Set([...Object.keys(CORS_HEADERS), 'content-type', 'content-length', 'x-amzn-requestid']);

/**
 * Writes a JSON answer. Of the CORS headers only `access-control-allow-origin` goes out here: the
 * others are read by browsers from the preflight (OPTIONS) answer alone (Fetch standard), which
 * sends all of CORS_HEADERS. Node checks every header it writes (~0.15 µs each), so the fewer the
 * cheaper (docs/bench.md#the-gateway-process-per-request).
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>, errorType?: string): void {
  sendText(res, status, JSON.stringify(body), headers, errorType);
}

/**
 * Sends JSON text as it is (a kept answer, docs/caching.md#answers-kept-whole) with the headers
 * every answer has; a GraphQL answer over MAX_ANSWER_BYTES is replaced by AppSync's error for it.
 * Returns whether `text` went out as it is.
 */
function sendText(res: ServerResponse, status: number, text: string, headers?: Record<string, string>, errorType?: string, isAnswer = false): boolean {
  let length = Buffer.byteLength(text);
  const tooLarge = isAnswer && length > MAX_ANSWER_BYTES;
  if (tooLarge) {
    text = TOO_LARGE_ANSWER;
    length = Buffer.byteLength(text);
    headers = undefined;
  }
  const list = [
    'access-control-allow-origin',
    '*',
    'content-type',
    'application/json; charset=UTF-8',
    'content-length',
    String(length),
    'x-amzn-requestid',
    randomUUID(),
  ];
  if (errorType) list.push('x-amzn-ErrorType', errorType);
  if (headers) for (const name in headers) if (!OWN_HEADERS.has(name.toLowerCase())) list.push(name, headers[name]!);
  res.writeHead(status, list);
  res.end(text);
  return !tooLarge;
}

/** Sends an answer; one that may be kept whole is kept as the text sent, never one replaced by the size limit's error. */
function send(res: ServerResponse, response: GraphQLResponse): void {
  const text = JSON.stringify(response.body);
  if (sendText(res, response.status, text, response.headers, response.errorType, true)) response.keep?.(text);
}

function parseRequest(req: IncomingMessage, method: string, text: string): ParsedRequest | GraphQLResponse {
  return method === 'GET' ? parseGraphQLQueryString(new URL(req.url ?? '/', 'http://localhost')) : parseGraphQLBody(text);
}

/**
 * What the auth providers read of an HTTP request. `sourceIp` is read when a mode asks for it
 * (IAM, Cognito and OIDC identities), not per request: the socket's address is a call into
 * node:net that API_KEY requests never need. A class, not an object literal with a getter: V8
 * builds such a literal per request far slower than an instance whose getter is on the prototype.
 */
class HttpAuthRequest implements AuthRequest {
  readonly headers: IncomingMessage['headers'];
  readonly method: string;
  readonly url: string;
  readonly host: string | undefined;
  readonly #socket: IncomingMessage['socket'];

  constructor(
    req: IncomingMessage,
    readonly body: string,
  ) {
    this.headers = req.headers;
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    this.host = req.headers.host;
    this.#socket = req.socket;
  }

  get sourceIp(): string {
    return this.#socket.remoteAddress ?? '';
  }
}

/** Answers one GraphQL HTTP request against the current API. */
export async function handleGraphQLHttp(req: IncomingMessage, res: ServerResponse, body: Buffer, api: Api, publish?: Publish): Promise<void> {
  const method = req.method ?? 'GET';
  if (method !== 'POST' && method !== 'GET') {
    res.writeHead(405, { allow: 'GET, POST, OPTIONS', ...CORS_HEADERS }).end();
    return;
  }
  const text = body.toString('utf8');
  // docs/caching.md#answers-kept-whole: a request sent before by the same caller is answered with
  // the text kept then, before its body is parsed (a kept request parsed then). Envelop plugins may
  // change any answer: not with them.
  const keepsAnswers = api.cache?.keepsAnswers === true && api.envelop === undefined;
  let parsed = keepsAnswers ? undefined : parseRequest(req, method, text);
  if (parsed !== undefined && 'status' in parsed) return send(res, parsed);

  let auth: AuthContext;
  try {
    // API_KEY answers at once: no await (a promise and a microtask per request) then.
    const authenticated = api.authenticate(new HttpAuthRequest(req, text));
    auth = authenticated instanceof Promise ? await authenticated : authenticated;
  } catch (error) {
    // A request both malformed and refused is answered as malformed, as when the body is parsed first.
    parsed ??= parseRequest(req, method, text);
    if ('status' in parsed) return send(res, parsed);
    if (error instanceof RequestError) return send(res, requestFailure(error.statusCode, error.errorType, error.message));
    throw error;
  }
  let answerKey: SplitKey | undefined;
  if (keepsAnswers) {
    answerKey = api.cache!.answerKey(method, method === 'GET' ? (req.url ?? '') : text, auth);
    const found = api.cache!.getAnswer(answerKey);
    const kept = found instanceof Promise ? await found : found;
    // Only answers sent as they were are kept: within the size limit.
    if (kept !== undefined) return void sendText(res, 200, kept.body, kept.headers);
  }
  parsed ??= parseRequest(req, method, text);
  if ('status' in parsed) return send(res, parsed);
  const answered = executeGraphQL(
    api,
    {
      query: parsed.query,
      variables: parsed.variables,
      operationName: parsed.operationName,
      auth,
      headers: resolverHeadersOfNodeRequest(req.headers),
      method,
      answerKey,
    },
    publish,
  );
  send(res, answered instanceof Promise ? await answered : answered);
}
