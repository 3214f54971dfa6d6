/**
 * The error catalogue. Every failure the gateway reports is a value of one of these classes,
 * carrying the AppSync `errorType` name (docs/errors.md) and knowing its HTTP status
 * and wire shape. `toGraphQLErrorEntry` (src/server) turns any of them into the entry AppSync
 * would send.
 */

/** One row of the catalogue: what docs/errors.md shows for an `errorType`. */
export interface ErrorCatalogueEntry {
  /** AppSync's exact name. */
  readonly errorType: string;
  /**
   * HTTP status of the response that carries it: 4xx/5xx for a request-level failure, 200 for an
   * error entry beside `data`, `null` for an error sent only in a real-time frame.
   */
  readonly status: number | null;
  readonly when: string;
  readonly fix: string;
}

/**
 * Every `errorType` the gateway chooses itself, the one source of the `ErrorType` union, of
 * `ERROR_TYPES` and of the table in docs/errors.md (`npm run docs:errors` writes it;
 * test/errors.test.ts fails when src/ emits a type missing here or the page differs).
 */
export const ERROR_CATALOGUE = [
  // Request-level failures: `{ errors: [{ errorType, message }] }` and x-amzn-ErrorType.
  {
    errorType: 'UnauthorizedException',
    status: 401,
    when:
      'no auth mode accepts the request (missing or expired key, bad token, the Lambda authorizer said no); ' +
      'also a real-time connection or subscription that fails auth',
    fix: "send valid credentials for one of the API's modes",
  },
  {
    errorType: 'InvalidSignatureException',
    status: 403,
    when: "a SigV4 signature that does not verify, is scoped to another service or region, or was made more than 5 minutes from the gateway's clock",
    fix: 'sign with the configured credentials, region and service `appsync`',
  },
  {
    errorType: 'UnrecognizedClientException',
    status: 403,
    when: 'a SigV4 request whose access key the gateway does not know',
    fix: 'use an access key from the IAM auth config',
  },
  {
    errorType: 'MissingAuthenticationTokenException',
    status: 403,
    when: 'a SigV4 `Authorization` header without Credential, SignedHeaders and Signature; a management request that a locked host takes only signed',
    fix: 'sign the request (any AWS SDK does)',
  },
  {
    errorType: 'MalformedHttpRequestException',
    status: 400,
    when: 'an empty body, a body that is not a GraphQL request, a query that does not parse; 413 over 1 MB',
    fix: 'send `{"query": "…"}` as JSON',
  },
  {
    errorType: 'BadRequestException',
    status: 400,
    when:
      'a subscription over HTTP, a mutation over GET; on a real-time connection, a subscription id already in use, a payload over the limit, ' +
      'or a subscription the schema cannot serve',
    fix: 'use the WebSocket endpoints for subscriptions, POST for mutations; the message names the problem',
  },
  {
    errorType: 'InternalFailure',
    status: 500,
    when:
      'a fault in the gateway itself (logged with its stack); as a field error, ' +
      'a data-source answer that cannot be serialised or a conflict handler that failed',
    fix: 'report it, with the log line',
  },
  { errorType: 'ExecutionTimeout', status: 200, when: 'the whole request ran over 30 s (`data` is `null`)', fix: 'make the resolvers faster' },
  // Errors of one field: the field is null, the entry carries path and locations.
  {
    errorType: 'Unauthorized',
    status: 200,
    when: "a field the caller's mode or groups may not reach, or `util.unauthorized()`",
    fix: "add the mode's directive to the field or its type",
  },
  {
    errorType: 'Code',
    status: 200,
    when: 'resolver code threw, timed out (`handlerTimeoutMs`), or returned something that is not JSON',
    fix: 'the message names the file, line and column',
  },
  {
    errorType: 'MappingTemplate',
    status: 200,
    when:
      "a VTL mapping template rendered text that is not JSON (the message is AppSync's), or broke a VTL limit: 1,000 iterations per `#foreach`, " +
      '5 MB of output, macros 20 deep; a whole answer over 5 MiB (`Transformation too large`, `data` is `null`)',
    fix: 'see [VTL mapping templates](resolvers.md#vtl-mapping-templates); ask for fewer items or fields',
  },
  {
    errorType: 'CustomTemplateException',
    status: 200,
    when: '`$util.validate(false, message)` in a VTL template, without an error type of its own',
    fix: "the message is the template's",
  },
  { errorType: 'QueryDepthLimitReached', status: 200, when: 'a field deeper than `queryDepthLimit`', fix: 'a shallower query or a higher limit' },
  {
    errorType: 'ResolverExecutionLimitReached',
    status: 200,
    when: 'more resolvers than `resolverCountLimit` in one request',
    fix: 'fewer fields or a higher limit',
  },
  {
    errorType: 'ResponseHeaderError',
    status: 200,
    when: '`util.http.addResponseHeader` with a restricted name, a null value, or over 4 KB in all',
    fix: 'use another header name or smaller values',
  },
  { errorType: 'NotSupported', status: 200, when: 'a feature the gateway does not implement (see [Not supported yet](not-supported.md))', fix: '—' },
  {
    errorType: 'BadRequest',
    status: 200,
    when: 'a write to a versioned DynamoDB data source that sets `_version`, `_lastChangedAt`, `_deleted` or `_ttl` itself',
    fix: 'leave the metadata fields to the data source',
  },
  {
    errorType: 'ConflictUnhandled',
    status: 200,
    when:
      'a versioned write whose `_version` is stale and whose conflict handler does not resolve it (`OPTIMISTIC_CONCURRENCY`, ' +
      "or a merge or Lambda that rejects); the server's item in `data`",
    fix: 'read the item again and retry with its `_version`',
  },
  {
    errorType: 'ConflictError',
    status: 200,
    when: 'the `LAMBDA` conflict handler has no function, failed, or answered other than `RESOLVE`, `REJECT` or `REMOVE`',
    fix: 'fix the handler or its `sync` config',
  },
  {
    errorType: 'MaxConflicts',
    status: 200,
    when: "a versioned write that still conflicted after the handler's retries",
    fix: 'retry later; fewer concurrent writers of one item',
  },
  {
    errorType: 'DeltaSyncWriteError',
    status: 200,
    when: 'a versioned write that stood, but whose delta-sync record could not be written',
    fix: 'check the delta-sync table',
  },
  // Real-time frames only.
  {
    errorType: 'UnsupportedOperation',
    status: null,
    when:
      'a query or mutation sent over the real-time channel, an unknown frame type; as a field error, ' +
      'an operation a versioned DynamoDB data source cannot keep versions for',
    fix: 'send queries and mutations over HTTP',
  },
  { errorType: 'LimitExceededError', status: null, when: 'more than 100 subscriptions on one real-time connection', fix: 'open another connection' },
] as const satisfies readonly ErrorCatalogueEntry[];

/**
 * Data-source errors: the service's own error name behind the kind's prefix
 * (`DynamoDB:ConditionalCheckFailedException`), passed on as the service sent it, so the part
 * after the colon is open.
 */
export const ERROR_FAMILIES = [
  {
    prefix: 'DynamoDB',
    when:
      'DynamoDB said no, e.g. `DynamoDB:ConditionalCheckFailedException` (current item in `data`), `DynamoDB:TransactionCanceledException`, ' +
      '`DynamoDB:DynamoDbException` (a malformed request object, the field named)',
    fix: '[DynamoDB](dynamodb.md)',
  },
  {
    prefix: 'RDSHttp',
    when: 'Postgres said no: `RDSHttp:BadRequestException`, `RDSHttp:StatementTimeoutException`, `RDSHttp:DatabaseUnavailableException`',
    fix: '[Postgres](postgres.md#errors)',
  },
  {
    prefix: 'Http',
    when:
      'the HTTP data source could not complete the call: `Http:ExecutionTimeoutException`, `Http:ConnectionException`, ' +
      '`Http:BadRequestException` (a malformed request object)',
    fix: '[HTTP](http-lambda.md#http-data-source)',
  },
  {
    prefix: 'Lambda',
    when:
      '`Lambda:Unhandled` (the function threw), `Lambda:ExecutionTimeoutException`, `Lambda:InvalidRequestException`, `Lambda:ServiceException`; ' +
      "a direct Lambda resolver passes on the function's own error name (`NotFound`, …) unprefixed",
    fix: '[Lambda](http-lambda.md#lambda-data-source)',
  },
  {
    prefix: 'StepFunctions',
    when:
      'the Step Functions data source: `StepFunctions:InvalidRequestException` (a malformed request object), ' +
      "the API's error name (`StepFunctions:StateMachineDoesNotExist`, …), " +
      "or a synchronous run's error (`StepFunctions:States.Timeout`, `StepFunctions:ExecutionAborted`)",
    fix: '[Step Functions](stepfunctions.md)',
  },
  {
    prefix: 'EventBridge',
    when: 'the EventBridge data source: `EventBridge:ValidationException` (a malformed request object: no `PutEvents`, no events or more than 10)',
    fix: '[Step Functions, from resolvers](stepfunctions.md#from-resolvers)',
  },
] as const;

declare const PASSED_ON: unique symbol;
/**
 * An `errorType` the gateway passes on without choosing it: `util.error`'s second argument, a
 * Lambda function's error name, a plugged-in data source's `type`. Made only by `passedOn`, so a
 * name the gateway picks itself must be in the catalogue to type-check.
 */
export type PassedOnErrorType = string & { readonly [PASSED_ON]: true };

/** Marks a type that came from user code or a service (AppSync sends it as given, `null` included). */
export const passedOn = (type: string | null | undefined): PassedOnErrorType => type as PassedOnErrorType;

/** The closed set of `errorType` values: the catalogue, the data-source families, and passed-on names. */
export type ErrorType = (typeof ERROR_CATALOGUE)[number]['errorType'] | `${(typeof ERROR_FAMILIES)[number]['prefix']}:${string}` | PassedOnErrorType;

/** Every `errorType` the gateway itself can produce, in the catalogue's order. */
export const ERROR_TYPES: ReadonlyArray<(typeof ERROR_CATALOGUE)[number]['errorType']> = ERROR_CATALOGUE.map((entry) => entry.errorType);

/** The markdown table of docs/errors.md, built from the catalogue and the families. */
export function errorTableMarkdown(): string {
  const rows = [
    '| errorType | HTTP status | when | how to fix |',
    '| --- | --- | --- | --- |',
    ...ERROR_CATALOGUE.map((e) => `| \`${e.errorType}\` | ${e.status ?? '— (real-time frame)'} | ${e.when} | ${e.fix} |`),
    ...ERROR_FAMILIES.map((f) => `| \`${f.prefix}:<Name>\` | 200 | ${f.when} | ${f.fix} |`),
  ];
  return rows.join('\n') + '\n';
}

/** Stable `code` of the errors that stop the gateway before it serves (config, schema, resolver code). */
export const STARTUP_ERROR_CODES = {
  ConfigError: 'CONFIG_INVALID',
  SchemaError: 'SCHEMA_INVALID',
  CodeLoadError: 'CODE_LOAD_FAILED',
} as const;

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
 * `{ errors: [{ errorType, message }] }` (docs/errors.md, docs/auth.md#errors).
 */
export class RequestError extends AppSyncError {
  readonly statusCode: number;
  constructor(message: string, errorType: ErrorType, statusCode: number) {
    super(message, errorType);
    this.statusCode = statusCode;
  }
}

/** 401: no auth mode accepted the request (docs/auth.md#errors). */
export class UnauthorizedError extends RequestError {
  constructor(message = 'Valid authorization header not provided.') {
    super(message, 'UnauthorizedException', 401);
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
  readonly code = STARTUP_ERROR_CODES.ConfigError;
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
  readonly code = STARTUP_ERROR_CODES.ConfigError;
  readonly errors: ConfigError[];
  constructor(errors: ConfigError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'ConfigErrors';
    this.errors = errors;
  }
}

/** A schema SDL error, located by file and line. */
export class SchemaError extends Error {
  readonly code = STARTUP_ERROR_CODES.SchemaError;
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
  readonly code = STARTUP_ERROR_CODES.CodeLoadError;
  readonly file: string;
  readonly line: number | undefined;
  constructor(file: string, message: string, line?: number) {
    super(`${file}${line ? `:${line}` : ''}: ${message}`);
    this.name = 'CodeLoadError';
    this.file = file;
    this.line = line;
  }
}
