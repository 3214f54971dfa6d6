/**
 * SigV4 headers for a GraphQL POST, made with the AWS SDK's own signer (@smithy/signature-v4),
 * as a client signs an AppSync request. The `host` header is left out: fetch sets it.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface SigningOptions {
  accessKeyId: string;
  secretAccessKey: string;
  /** default `appsync` */
  service?: string;
  /** default `us-east-1` */
  region?: string;
  /** default now */
  date?: Date;
}

/** The headers that sign a POST of `{ query }` to `endpoint` (the gateway's GraphQL URL). */
export async function signedGraphQLHeaders(endpoint: string, query: string, options: SigningOptions): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signer = new SignatureV4({
    service: options.service ?? 'appsync',
    region: options.region ?? 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
  });
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    headers: { 'content-type': 'application/json', host: url.host },
    body: JSON.stringify({ query }),
  });
  const { host: _host, ...headers } = (await signer.sign(request, { signingDate: options.date ?? new Date() })).headers as Record<string, string>;
  return headers;
}
