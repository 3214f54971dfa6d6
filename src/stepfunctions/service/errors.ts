/**
 * Errors of the Step Functions API, as AWS names them. Each is an HTTP 400 whose JSON 1.0 body is
 * `{ "__type": "<namespace>#<name>", "message": … }`; the AWS SDK v3 reads the part after `#` and
 * throws the modeled exception of that name (`err.name === 'ExecutionDoesNotExist'`).
 */
import { RequestError } from '../../errors.js';
import type { ErrorType } from '../../errors.js';

/** The error names the Step Functions API answers with (the subset this gateway emits). */
export type SfnErrorName =
  | 'ActivityDoesNotExist'
  | 'ActivityAlreadyExists'
  | 'ConflictException'
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionNotRedrivable'
  | 'ExecutionLimitExceeded'
  | 'InvalidArn'
  | 'InvalidDefinition'
  | 'InvalidExecutionInput'
  | 'InvalidName'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'MissingRequiredParameter'
  | 'ResourceNotFound'
  | 'ServiceQuotaExceededException'
  | 'StateMachineAlreadyExists'
  | 'StateMachineDoesNotExist'
  | 'StateMachineTypeNotSupported'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException'
  | 'UnknownOperationException'
  | 'SerializationException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException'
  | 'MissingAuthenticationTokenException'
  | 'InternalFailure'
  | 'ServiceUnavailable';

/** Namespace of Step Functions' own exceptions in the `__type` field. */
const SFN_NAMESPACE = 'com.amazonaws.swf.service.v2.model';
/** Coral (the AWS RPC layer) owns the protocol-level errors. */
const CORAL_NAMESPACES: Partial<Record<SfnErrorName, string>> = {
  ValidationException: 'com.amazon.coral.validate',
  UnknownOperationException: 'com.amazon.coral.service',
  SerializationException: 'com.amazon.coral.service',
  InvalidSignatureException: 'com.amazon.coral.service',
  UnrecognizedClientException: 'com.amazon.coral.service',
  MissingAuthenticationTokenException: 'com.amazon.coral.service',
  InternalFailure: 'com.amazon.coral.service',
  ServiceUnavailable: 'com.amazon.coral.service',
};

/** One failed Step Functions API call. */
export class SfnApiError extends RequestError {
  constructor(
    readonly sfnName: SfnErrorName,
    message: string,
    statusCode = 400,
    /** Extra members of the body (`reason` of ValidationException, `resourceName`, ...). */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message, sfnName as ErrorType, statusCode);
    this.name = sfnName;
  }

  /** The JSON 1.0 body. */
  toJSON(): Record<string, unknown> {
    return { __type: `${CORAL_NAMESPACES[this.sfnName] ?? SFN_NAMESPACE}#${this.sfnName}`, message: this.message, ...this.extra };
  }
}

// Messages as AWS words them (quoted ARN/name in single quotes).
export const stateMachineDoesNotExist = (arn: string) => new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
export const stateMachineAlreadyExists = (arn: string) => new SfnApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
export const executionDoesNotExist = (arn: string) => new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
export const executionAlreadyExists = (arn: string) => new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
export const activityDoesNotExist = (arn: string) => new SfnApiError('ActivityDoesNotExist', `Activity Does Not Exist: '${arn}'`);
export const invalidArn = (detail: string) => new SfnApiError('InvalidArn', `Invalid Arn: '${detail}'`);
export const invalidName = (name: string) => new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
export const invalidToken = (detail = 'Invalid token') => new SfnApiError('InvalidToken', `Invalid Token: '${detail}'`);
export const taskDoesNotExist = () => new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist');
export const taskTimedOut = () => new SfnApiError('TaskTimedOut', 'Task Timed Out');
export const typeNotSupported = () => new SfnApiError('StateMachineTypeNotSupported', 'This operation is not supported by this type of state machine');
/**
 * A call whose body is past Step Functions' 1 MB request quota: the JSON 1.0 error shape the SDK
 * turns into its typed `ValidationException`, with HTTP 413 as the request's size is what is wrong.
 */
export const requestTooLarge = (limitBytes: number) =>
  new SfnApiError('ValidationException', `Request size exceeds the maximum request size of ${limitBytes} bytes (the Step Functions API quota of 1 MB)`, 413);
export const invalidExecutionInput = (detail: string) => new SfnApiError('InvalidExecutionInput', `Invalid State Machine Execution Input: '${detail}'`);

/**
 * Members the Step Functions model marks sensitive (definitions, inputs, outputs, errors, causes):
 * Coral leaves their value out of a validation message (`Value at 'definition' failed …`).
 */
const SENSITIVE_MEMBERS = new Set(['definition', 'input', 'output', 'error', 'cause']);

/** Coral's member validation error: `1 validation error detected: Value … at '…' failed to satisfy constraint: …`. */
export function validationError(member: string, value: unknown, constraint: string): SfnApiError {
  const shown =
    value === undefined || value === null ? 'null ' : SENSITIVE_MEMBERS.has(member) ? '' : `'${typeof value === 'string' ? value : JSON.stringify(value)}' `;
  return new SfnApiError('ValidationException', `1 validation error detected: Value ${shown}at '${member}' failed to satisfy constraint: ${constraint}`);
}
