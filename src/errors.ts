/**
 * The error catalogue. Every failure the gateway reports is a value of one of these classes,
 * carrying the AppSync `errorType` name (shared/spec/errors.md §3) and knowing its HTTP status
 * and wire shape. `toGraphQLErrorEntry` (src/server) turns any of them into the entry AppSync
 * would send.
 */

/** AppSync `errorType` names the gateway emits. Data-source errors are prefixed with the kind. */
export type ErrorType =
  | 'UnauthorizedException'
  | 'Unauthorized'
  | 'MalformedHttpRequestException'
  | 'BadRequestException'
  | 'InternalFailure'
  | 'Code'
  | 'MappingTemplate'
  | 'ExecutionTimeout'
  | 'QueryDepthLimitReached'
  | 'ResolverExecutionLimitReached'
  | 'ResponseHeaderError'
  | 'TooManyRequestsException'
  | 'NotSupported'
  | 'UnsupportedOperation'
  | 'LimitExceededError'
  | `DynamoDB:${string}`
  | `Lambda:${string}`
  | `Http:${string}`
  | `RDS:${string}`
  | `Postgres:${string}`
  | (string & {});

/**
 * Every `errorType` the gateway itself can produce, for documentation and the README test.
 * Data-source kinds add their prefixed names (e.g. `DynamoDB:ConditionalCheckFailedException`),
 * which pass through from the service as they are.
 */
export const ERROR_TYPES = [
  'UnauthorizedException',
  'Unauthorized',
  'MalformedHttpRequestException',
  'BadRequestException',
  'InternalFailure',
  'Code',
  'ExecutionTimeout',
  'QueryDepthLimitReached',
  'ResolverExecutionLimitReached',
  'ResponseHeaderError',
  'TooManyRequestsException',
  'NotSupported',
  'UnsupportedOperation',
  'LimitExceededError',
] as const;

const BRAND = Symbol.for('appsync-gateway.error');

/** Base of every gateway error. `instanceof` works across copies of the package (undici's brand). */
export class AppSyncError extends Error {
  readonly errorType: ErrorType;
  /** Value placed in the error entry's `data` key (filtered by selection set for `util.error`). */
  readonly data: unknown;
  /** Value placed in the error entry's `errorInfo` key, never filtered. */
  readonly errorInfo: unknown;
  readonly [BRAND] = true;

  constructor(message: string, errorType: ErrorType, options: { data?: unknown; errorInfo?: unknown; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.errorType = errorType;
    this.data = options.data ?? null;
    this.errorInfo = options.errorInfo ?? null;
  }

  static is(value: unknown): value is AppSyncError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/**
 * A failure of the whole request, answered before execution with an HTTP status and a body
 * `{ errors: [{ errorType, message }] }` (shared/spec/errors.md §3, auth.md §6).
 */
export class RequestError extends AppSyncError {
  readonly statusCode: number;
  constructor(message: string, errorType: ErrorType, statusCode: number) {
    super(message, errorType);
    this.statusCode = statusCode;
  }
}

/** 401: no auth mode accepted the request (shared/spec/auth.md §6). */
export class UnauthorizedError extends RequestError {
  constructor(message = 'Valid authorization header not provided.') {
    super(message, 'UnauthorizedException', 401);
  }
}

/** 400: the HTTP body is not a GraphQL request. */
export class MalformedRequestError extends RequestError {
  constructor(message = 'Unable to parse GraphQL query.', statusCode = 400) {
    super(message, 'MalformedHttpRequestException', statusCode);
  }
}

/**
 * A field-level error: raised by `util.error`, by a data source, or by the runtime. The field
 * resolves to `null` and one error entry is added at its path.
 */
export class FieldError extends AppSyncError {}

/** The caller's auth mode may not reach this field (`Not Authorized to access F on type T`). */
export class FieldUnauthorizedError extends FieldError {
  constructor(fieldName: string, typeName: string) {
    super(`Not Authorized to access ${fieldName} on type ${typeName}`, 'Unauthorized');
  }
}

/** A runtime fault in resolver code (exception, timeout, bad request object): errorType `Code`. */
export class ResolverCodeError extends FieldError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, 'Code', options);
  }
}

/**
 * A data source failed. Resolver response handlers see it as `ctx.error = { message, type }`;
 * `data` is the item AppSync returns alongside some failures (e.g. the current item on a
 * conditional-check failure).
 */
export class DataSourceError extends AppSyncError {}

/** A feature the gateway does not implement yet. Message names the feature. */
export class NotSupportedError extends AppSyncError {
  constructor(feature: string) {
    super(`${feature} is not supported by appsync-gateway yet.`, 'NotSupported');
  }
}

/**
 * A configuration error. `path` is the dotted key path (`resolvers.Query.getPost.dataSource`);
 * the message reads `path: what was expected`.
 */
export class ConfigError extends Error {
  readonly path: string;
  readonly detail: string;
  constructor(path: string, detail: string, options: { cause?: unknown } = {}) {
    super(path ? `${path}: ${detail}` : detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConfigError';
    this.path = path;
    this.detail = detail;
  }
}

/** Several config errors reported together. */
export class ConfigErrors extends Error {
  readonly errors: ConfigError[];
  constructor(errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}

/** A schema SDL error, located by file and line. */
export class SchemaError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  constructor(message: string, location: { file?: string; line?: number; column?: number } = {}) {
    const where = location.file ? `${location.file}${location.line ? `:${location.line}${location.column ? `:${location.column}` : ''}` : ''}: ` : '';
    super(`${where}${message}`);
    this.name = 'SchemaError';
    this.file = location.file;
    this.line = location.line;
    this.column = location.column;
  }
}

/** Resolver code that cannot be loaded (syntax error, or an APPSYNC_JS rule broken under --strict). */
export class CodeLoadError extends Error {
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, message: string, line?: number) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
    this.name = 'CodeLoadError';
    this.file = file;
    this.line = line;
  }
}
