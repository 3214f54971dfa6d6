/**
 * SigV4 verification of Step Functions API calls (service `states`), against the credentials the
 * config declares for the AWS_IAM auth mode. `auth/iam.ts` verifies service `appsync` only, so
 * the same steps are repeated here for `states` with the same maintained signer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { MAX_CLOCK_SKEW_MS, validateIamConfig, type IamConfig, type IamCredential } from '../../auth/iam.js';
import type { NormalizedConfig } from '../../config/types.js';
import { SfnApiError } from '../service/errors.js';

const SERVICE = 'states';
const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})\s*$/;

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

const signers = new Map<string, SignatureV4>();
function signerFor(credential: IamCredential, region: string): SignatureV4 {
  const key = `${credential.accessKeyId}\u0000${credential.secretAccessKey}\u0000${region}`;
  let signer = signers.get(key);
  if (!signer) {
    signer = new SignatureV4({ service: SERVICE, region, sha256: Sha256, credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey }, applyChecksum: false });
    if (signers.size < 256) signers.set(key, signer);
  }
  return signer;
}

const fail = (name: 'InvalidSignatureException' | 'UnrecognizedClientException' | 'MissingAuthenticationTokenException', message: string) => new SfnApiError(name, message, 403);

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Verifies the request's SigV4 signature for service `states`; throws a 403 {@link SfnApiError}. */
export async function verifyStatesSignature(req: IncomingMessage, body: Buffer, config: IamConfig, now = Date.now()): Promise<IamCredential> {
  const match = AUTH_RE.exec(header(req, 'authorization') ?? '');
  if (!match) throw fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const [, accessKeyId, day, region, service, signedHeaders, signature] = match;
  const credential = config.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credential) throw fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
  const sessionToken = header(req, 'x-amz-security-token');
  if (credential.sessionToken !== undefined ? sessionToken !== credential.sessionToken : sessionToken !== undefined) {
    throw fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  if (service !== SERVICE) throw fail('InvalidSignatureException', `Credential should be scoped to correct service: '${SERVICE}'. `);
  const amzDate = header(req, 'x-amz-date') ?? '';
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m || !amzDate.startsWith(day!)) throw fail('InvalidSignatureException', 'The request must carry a valid x-amz-date matching the credential scope.');
  const signedAt = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  if (Math.abs(now - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) throw fail('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier or later than the allowed 5 minutes from the server time.`);
  const claimedHash = header(req, 'x-amz-content-sha256');
  if (claimedHash !== undefined && claimedHash !== 'UNSIGNED-PAYLOAD' && claimedHash !== createHash('sha256').update(body).digest('hex')) {
    throw fail('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided.');
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) {
    const value = header(req, name);
    if (value === undefined) throw fail('InvalidSignatureException', `The signed header ${name} is missing from the request.`);
    headers[name] = value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const previous = query[k];
    query[k] = previous === undefined ? v : Array.isArray(previous) ? [...previous, v] : [previous, v];
  }
  const unsigned = new HttpRequest({ method: req.method ?? 'POST', protocol: 'http:', hostname: 'localhost', path: url.pathname, query, headers, body });
  const signed = await signerFor(credential, region!).sign(unsigned, { signingDate: signedAt, signingRegion: region, signingService: SERVICE, signableHeaders: new Set(signedHeaders!.split(';')) });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ?? '';
  if (expected.length !== signature!.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) {
    throw fail('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
  }
  return credential;
}
