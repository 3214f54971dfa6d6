/**
 * AWS_IAM (docs/auth.md#aws_iam): SigV4 requests for service `appsync`, checked against the
 * credentials the config declares (local addition: AppSync asks IAM; the gateway has no IAM, so
 * it knows its callers' keys). The signature is recomputed with the maintained
 * `@smithy/signature-v4` signer, never with hand-written crypto.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { ConfigError } from '../errors.js';
import { SignatureError } from './errors.js';
import { compileFieldPolicy, type FieldPolicy } from './iam-policy.js';
import { headerValue, sourceIps } from './identity.js';
import type { AuthContext, AuthProvider, AuthRequest } from './types.js';

export interface IamCredential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId?: string;
  userArn?: string;
  /** The IAM principal id shown as `ctx.identity.username`. @default accessKeyId */
  username?: string;
  /** For temporary credentials: the `x-amz-security-token` requests must carry. */
  sessionToken?: string;
  /** Local addition (iam-policy.ts): the fields this caller may resolve; absent = all. */
  allow?: string[];
}

export interface IamConfig {
  credentials: IamCredential[];
  /** Region requests must be scoped to; any when absent. */
  region?: string;
}

/** AppSync allows 5 minutes between the request's x-amz-date and the server clock. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

export function validateIamConfig(config: Record<string, unknown>, path: string, env: NodeJS.ProcessEnv = process.env): IamConfig {
  let credentials = config.credentials;
  if (credentials === undefined && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    // Gateway choice: without declared credentials, the process's own AWS keys are accepted.
    credentials = [{ accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY }];
  }
  if (!Array.isArray(credentials) || credentials.length === 0) {
    throw new ConfigError(`${path}.credentials`, 'expected a list of { accessKeyId, secretAccessKey, accountId, userArn } the gateway accepts');
  }
  credentials.forEach((c, i) => {
    if (!c || typeof c.accessKeyId !== 'string' || typeof c.secretAccessKey !== 'string') {
      throw new ConfigError(`${path}.credentials.${i}`, 'expected accessKeyId and secretAccessKey strings');
    }
    if (c.allow !== undefined && (!Array.isArray(c.allow) || c.allow.some((p: unknown) => typeof p !== 'string'))) {
      throw new ConfigError(`${path}.credentials.${i}.allow`, "expected a list of 'Type.field' globs or appsync field ARNs");
    }
  });
  if (config.region !== undefined && typeof config.region !== 'string') throw new ConfigError(`${path}.region`, 'expected a region name');
  return { credentials: credentials as IamCredential[], region: config.region as string | undefined };
}

const AUTH_RE = /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]{64})\s*$/;

function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
}

// One signer per credential, region and service: SignatureV4 caches the derived signing key per day, which a
// fresh instance per request would recompute (four HMACs).
const signers = new WeakMap<IamCredential, Map<string, SignatureV4>>();
function signerFor(credential: IamCredential, region: string, service: string): SignatureV4 {
  let byRegion = signers.get(credential);
  if (!byRegion) signers.set(credential, (byRegion = new Map()));
  const key = `${service}\u0000${region}`;
  let signer = byRegion.get(key);
  if (!signer) {
    signer = new SignatureV4({
      service,
      region,
      sha256: Sha256,
      credentials: { accessKeyId: credential.accessKeyId, secretAccessKey: credential.secretAccessKey },
      applyChecksum: false,
    });
    // Regions come from requests; keep the cache small whatever callers send.
    if (byRegion.size < 32) byRegion.set(key, signer);
  }
  return signer;
}

/** What besides AppSync a signature may be for (the Step Functions API verifies service `states`). */
export interface SigV4Options {
  /** @default 'appsync' */
  service?: string;
  /** Accept `x-amz-content-sha256: UNSIGNED-PAYLOAD` (the AWS CLI sends it to some services). @default false */
  allowUnsignedPayload?: boolean;
}

/** The request an AWS service API on the gateway's port verifies (Step Functions, SQS, SNS, the management API), from the raw call. */
export function signedRequestOf(req: IncomingMessage, body: Buffer): AuthRequest {
  return { headers: req.headers, method: req.method ?? 'POST', url: req.url ?? '/', body: body.toString('utf8'), sourceIp: req.socket.remoteAddress ?? '' };
}

/** Verifies one SigV4-signed request; throws `SignatureError` (403) naming what is wrong. */
export async function verifySigV4(request: AuthRequest, config: IamConfig, now = Date.now(), options: SigV4Options = {}): Promise<IamCredential> {
  const expectedService = options.service ?? 'appsync';
  const header = headerValue(request, 'authorization') ?? '';
  const match = AUTH_RE.exec(header);
  if (!match) throw new SignatureError('Authorization header requires Credential, SignedHeaders and Signature.', 'MissingAuthenticationTokenException');
  const [, accessKeyId, day, region, service, signedHeaders, signature] = match;
  const credential = config.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credential) throw new SignatureError('The security token included in the request is invalid.', 'UnrecognizedClientException');
  const sessionToken = headerValue(request, 'x-amz-security-token');
  if (credential.sessionToken !== undefined ? sessionToken !== credential.sessionToken : sessionToken !== undefined) {
    throw new SignatureError('The security token included in the request is invalid.', 'UnrecognizedClientException');
  }
  if (service !== expectedService)
    throw new SignatureError(`Credential should be scoped to correct service: '${expectedService}'.`, 'InvalidSignatureException');
  if (config.region && region !== config.region)
    throw new SignatureError(`Credential should be scoped to a valid region, not '${region}'.`, 'InvalidSignatureException');
  const amzDate = headerValue(request, 'x-amz-date');
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt || !amzDate!.startsWith(day!))
    throw new SignatureError('The request must carry a valid x-amz-date matching the credential scope.', 'InvalidSignatureException');
  if (Math.abs(now - signedAt.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw new SignatureError(
      `Signature expired: ${amzDate} is now earlier or later than the allowed 5 minutes from the server time.`,
      'InvalidSignatureException',
    );
  }

  // The signer trusts x-amz-content-sha256 when present, so the body must match it.
  const claimedHash = headerValue(request, 'x-amz-content-sha256');
  const unsignedPayload = options.allowUnsignedPayload === true && claimedHash === 'UNSIGNED-PAYLOAD';
  if (claimedHash !== undefined && !unsignedPayload && claimedHash !== createHash('sha256').update(request.body).digest('hex')) {
    throw new SignatureError('The request signature we calculated does not match the signature you provided.', 'InvalidSignatureException');
  }
  const url = new URL(request.url, 'http://localhost');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders!.split(';')) {
    const value = request.headers[name];
    if (value === undefined) throw new SignatureError(`The signed header ${name} is missing from the request.`, 'InvalidSignatureException');
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const previous = query[k];
    query[k] = previous === undefined ? v : Array.isArray(previous) ? [...previous, v] : [previous, v];
  }
  const unsigned = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: 'localhost',
    path: url.pathname,
    query,
    headers,
    body: request.body,
  });
  const signer = signerFor(credential, region!, expectedService);
  const signed = await signer.sign(unsigned, {
    signingDate: signedAt,
    signingRegion: region,
    signingService: expectedService,
    signableHeaders: new Set(signedHeaders!.split(';')),
  });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization ?? signed.headers.Authorization))?.[1] ?? '';
  if (expected.length !== signature!.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(signature!))) {
    throw new SignatureError('The request signature we calculated does not match the signature you provided.', 'InvalidSignatureException');
  }
  return credential;
}

export function createIamProvider(config: IamConfig, apiId = 'local'): AuthProvider {
  // Policies depend on the signing region only through ARN patterns; compile per credential and region.
  const policies = new Map<string, FieldPolicy>();
  const policyFor = (credential: IamCredential, region: string): FieldPolicy | undefined => {
    if (!credential.allow) return undefined;
    const key = `${credential.accessKeyId}\u0000${region}`;
    let policy = policies.get(key);
    if (!policy) {
      policy = compileFieldPolicy(credential.allow, { region, accountId: credential.accountId ?? '000000000000', apiId });
      policies.set(key, policy);
    }
    return policy;
  };
  return {
    mode: 'AWS_IAM',
    // docs/auth.md#aws_iam: a credential's `allow` list (AuthContext.allows) refuses the fields outside it.
    restrictsFields: config.credentials.some((credential) => credential.allow !== undefined),
    async authenticate(request: AuthRequest): Promise<AuthContext | null> {
      if (!(headerValue(request, 'authorization') ?? '').startsWith('AWS4-HMAC-SHA256')) return null;
      const credential = await verifySigV4(request, config);
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(headerValue(request, 'authorization') ?? '')?.[1] ?? '';
      return {
        mode: 'AWS_IAM',
        allows: policyFor(credential, region),
        identity: {
          accountId: credential.accountId ?? '000000000000',
          cognitoIdentityPoolId: null,
          cognitoIdentityId: null,
          sourceIp: sourceIps(request),
          username: credential.username ?? credential.accessKeyId,
          userArn: credential.userArn ?? `arn:aws:iam::${credential.accountId ?? '000000000000'}:user/${credential.username ?? credential.accessKeyId}`,
          cognitoIdentityAuthType: null,
          cognitoIdentityAuthProvider: null,
        },
      };
    },
  };
}
