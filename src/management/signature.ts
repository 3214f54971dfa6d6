/**
 * SigV4 verification of management API calls (service `appsync`), against the credentials the
 * config declares for the AWS_IAM auth mode, by the verifier the AWS_IAM auth mode and the Step
 * Functions API use (docs/management-api.md#signing).
 */
import type { IncomingMessage } from 'node:http';
import { SignatureError } from '../auth/index.js';
import { signedRequestOf, verifySigV4 } from '../auth/iam.js';
import type { NormalizedConfig } from '../config/types.js';
import { iamConfigOf } from '../stepfunctions/api/sigv4.js';
import { ManagementApiError } from './restJson.js';

/**
 * Verifies the call's signature when the config declares AWS_IAM credentials; throws a 403
 * {@link ManagementApiError} when it does not verify. Without credentials there is nothing to
 * check against: the gateway's admin lock (src/server/adminAccess.ts) decides whether unsigned
 * calls get here at all.
 */
export async function verifyManagementSignature(req: IncomingMessage, body: Buffer, config: NormalizedConfig): Promise<void> {
  const iam = iamConfigOf(config);
  if (!iam) return;
  const request = signedRequestOf(req, body);
  try {
    await verifySigV4(request, iam, Date.now(), { service: 'appsync' });
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    const name = error.errorType as 'InvalidSignatureException' | 'UnrecognizedClientException' | 'MissingAuthenticationTokenException';
    throw new ManagementApiError(name, name === 'MissingAuthenticationTokenException' ? 'Missing Authentication Token' : error.message, 403);
  }
}
