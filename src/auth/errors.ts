/** Auth failures as AppSync words them (docs/auth.md#errors). */
import { RequestError, UnauthorizedError } from '../errors.js';

export const NOT_AUTHORIZED = 'You are not authorized to make this call.';
export const INVALID_HEADER = 'Valid authorization header not provided.';
export const UNPARSABLE_JWT = 'Unable to parse JWT token.';
export const TOKEN_EXPIRED = 'Token has expired.';

export const unauthorized = (message: string = NOT_AUTHORIZED) => new UnauthorizedError(message);

/** 403 for SigV4 problems, with the AWS-wide error names SDKs expect (docs/auth.md#errors). */
export class SignatureError extends RequestError {
  constructor(message: string, errorType: 'InvalidSignatureException' | 'UnrecognizedClientException' | 'MissingAuthenticationTokenException') {
    super(message, errorType, 403);
  }
}
