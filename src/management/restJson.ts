/**
 * AppSync's management API speaks restJson1 (docs/management-api.md): a JSON body, the HTTP status
 * of the operation, and on failure the error's name in the `x-amzn-ErrorType` header with
 * `{ message }` (plus `reason` and `detail` for a BadRequestException) in the body, which is how the
 * AWS SDKs tell one error from another.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** The error names the management API answers with (those of AppSync's API reference). */
export type ManagementErrorName =
  | 'BadRequestException'
  | 'NotFoundException'
  | 'ConcurrentModificationException'
  | 'GraphQLSchemaException'
  | 'ConflictException'
  | 'ApiKeyValidityOutOfBoundsException'
  | 'ApiKeyLimitExceededException'
  | 'LimitExceededException'
  | 'UnauthorizedException'
  | 'UnknownOperationException'
  | 'InternalFailureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException'
  | 'MissingAuthenticationTokenException';

/** A management API failure: its name, HTTP status and the body members beside `message`. */
export class ManagementApiError extends Error {
  constructor(
    readonly errorName: ManagementErrorName,
    message: string,
    readonly statusCode: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ManagementApiError';
  }

  /** `BadRequestException` (400); `reason` and `detail` as AppSync adds them for code errors. */
  static badRequest(message: string, extra: Record<string, unknown> = {}): ManagementApiError {
    return new ManagementApiError('BadRequestException', message, 400, extra);
  }

  /** `NotFoundException` (404). */
  static notFound(message: string): ManagementApiError {
    return new ManagementApiError('NotFoundException', message, 404);
  }
}

/** Sends a restJson1 answer. */
export function sendRestJson(res: ServerResponse, status: number, body: unknown, errorName?: string): void {
  const text = JSON.stringify(body);
  const headers = [
    'content-type',
    'application/json',
    'content-length',
    String(Buffer.byteLength(text)),
    'x-amzn-requestid',
    randomUUID(),
    'access-control-allow-origin',
    '*',
  ];
  if (errorName) headers.push('x-amzn-errortype', errorName);
  res.writeHead(status, headers);
  res.end(text);
}

/** Sends a failure as the SDKs read it: the name in the header, `message` (and extras) in the body. */
export function sendRestJsonError(res: ServerResponse, error: ManagementApiError): void {
  sendRestJson(res, error.statusCode, { ...error.extra, message: error.message }, error.errorName);
}
