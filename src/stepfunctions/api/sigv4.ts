/**
 * SigV4 verification of Step Functions API calls (service `states`), against the credentials the
 * config declares for the AWS_IAM auth mode, by the same verifier the AWS_IAM auth mode uses.
 */
import type { IncomingMessage } from 'node:http';
import { SignatureError } from '../../auth/errors.js';
import { signedRequestOf, validateIamConfig, verifySigV4, type IamConfig, type IamCredential } from '../../auth/iam.js';
import type { NormalizedConfig } from '../../config/types.js';
import { SfnApiError } from '../service/errors.js';

const iamConfigs = new WeakMap<NormalizedConfig, IamConfig | null>();

/** The AWS_IAM credentials of the config (every AWS_IAM provider's), or null when none is declared. */
export function iamConfigOf(config: NormalizedConfig): IamConfig | null {
  let cached = iamConfigs.get(config);
  if (cached !== undefined) return cached;
  const providers = [config.authentication, ...config.additionalAuthentications].filter((a) => a.type === 'AWS_IAM');
  const credentials: IamCredential[] = [];
  for (const [i, provider] of providers.entries()) {
    try {
      credentials.push(...validateIamConfig(provider.config ?? {}, `authentication.${i}.config`).credentials);
    } catch {
      // The auth module reports a bad AWS_IAM block at load; here it just declares nothing.
    }
  }
  cached = credentials.length > 0 ? { credentials } : null;
  iamConfigs.set(config, cached);
  return cached;
}

/** Verifies the request's SigV4 signature for service `states`; throws a 403 {@link SfnApiError}. */
export async function verifyStatesSignature(req: IncomingMessage, body: Buffer, config: IamConfig, now = Date.now()): Promise<IamCredential> {
  const request = signedRequestOf(req, body);
  try {
    return await verifySigV4(request, config, now, { service: 'states', allowUnsignedPayload: true });
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    const name = error.errorType as 'InvalidSignatureException' | 'UnrecognizedClientException' | 'MissingAuthenticationTokenException';
    // The AWS JSON services word a missing signature this way, not as AppSync does.
    throw new SfnApiError(name, name === 'MissingAuthenticationTokenException' ? 'Missing Authentication Token' : error.message, 403);
  }
}
