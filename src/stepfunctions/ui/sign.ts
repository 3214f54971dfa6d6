/**
 * Browser side: SigV4 signing of the page's API calls for gateways whose config declares AWS_IAM
 * credentials (the API then verifies every request, as AWS does). The credentials are typed into
 * the page by its user and kept in `sessionStorage` only: they never leave the browser except as
 * a signature.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface PageCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** The region of the credential scope. @default us-east-1 */
  region: string;
}

const STORAGE_KEY = 'appsync-gateway:stepfunctions:credentials';

export function loadCredentials(): PageCredentials | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as PageCredentials) : undefined;
    return parsed?.accessKeyId && parsed.secretAccessKey ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function saveCredentials(credentials: PageCredentials | undefined): void {
  signer = undefined;
  try {
    if (credentials) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(credentials));
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Storage disabled: the credentials last until the page is reloaded.
  }
  current = credentials;
}

let current: PageCredentials | undefined = loadCredentials();
let signer: { key: PageCredentials; signer: SignatureV4 } | undefined;

/** Whether requests are being signed. */
export const hasCredentials = (): boolean => current !== undefined;

/**
 * The headers for one POST `/` with `body`, signed for service `states` when credentials are set
 * (`host` is signed but left out: the browser sends it itself).
 */
export async function signedHeaders(headers: Record<string, string>, body: string): Promise<Record<string, string>> {
  if (!current) return headers;
  if (signer?.key !== current) {
    const { accessKeyId, secretAccessKey, sessionToken, region } = current;
    signer = {
      key: current,
      signer: new SignatureV4({
        service: 'states',
        region: region || 'us-east-1',
        sha256: Sha256,
        credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
      }),
    };
  }
  const request = new HttpRequest({
    method: 'POST',
    protocol: location.protocol,
    hostname: location.hostname,
    port: location.port ? Number(location.port) : undefined,
    path: '/',
    headers: { ...headers, host: location.host },
    body,
  });
  const signed = await signer.signer.sign(request);
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) if (name.toLowerCase() !== 'host') result[name] = String(value);
  return result;
}

/** The API's answers to an unsigned or wrongly signed request. */
export const isAuthError = (type: string): boolean =>
  type === 'MissingAuthenticationTokenException' ||
  type === 'UnrecognizedClientException' ||
  type === 'InvalidSignatureException' ||
  type === 'AccessDeniedException';
