/**
 * The CLI's client of a running gateway's management API (docs/management-api.md): `flush-cache`
 * calls FlushApiCache (`DELETE /v1/apis/{apiId}/FlushCache`). Requests are signed with SigV4 when
 * AWS credentials are in the environment (a gateway on a non-loopback host takes only signed
 * management calls); on loopback unsigned calls are accepted.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

export interface ManagementClientOptions {
  /** The gateway's origin, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** `process.env`: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and AWS_REGION sign the calls. */
  env?: NodeJS.ProcessEnv;
}

/** A management API call that failed: AppSync's error type (x-amzn-ErrorType) and message. */
export class ManagementCallError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(`${errorType}: ${message}`);
  }
}

async function call(options: ManagementClientOptions, method: string, path: string): Promise<unknown> {
  const url = new URL(path, options.url);
  const env = options.env ?? process.env;
  let headers: Record<string, string> = { host: url.host, 'content-type': 'application/json' };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const signer = new SignatureV4({
      service: 'appsync',
      region: env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
      sha256: Sha256,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
    });
    const request = new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port) || undefined,
      path: url.pathname,
      headers,
    });
    headers = (await signer.sign(request)).headers;
  }
  const res = await fetch(url, { method, headers });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new ManagementCallError(
      res.status,
      'InvalidResponse',
      `${method} ${url.href} answered ${res.status} with text that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  if (!res.ok) {
    const fields = body as { message?: string; __type?: string };
    const errorType = res.headers.get('x-amzn-errortype')?.split(':')[0] ?? fields.__type ?? `HTTP ${res.status}`;
    throw new ManagementCallError(res.status, errorType, fields.message ?? text);
  }
  return body;
}

/**
 * Empties the cache of one API of a running gateway (FlushApiCache). `api` is an id or a name;
 * without it the gateway must serve exactly one API. Resolves to the flushed API's id.
 */
export async function flushApiCacheAt(options: ManagementClientOptions & { api?: string }): Promise<string> {
  const { graphqlApis } = (await call(options, 'GET', '/v1/apis')) as { graphqlApis: Array<{ apiId: string; name: string }> };
  const matching = options.api === undefined ? graphqlApis : graphqlApis.filter((a) => a.apiId === options.api || a.name === options.api);
  const list = graphqlApis.map((a) => `${a.apiId} (${a.name})`).join(', ');
  if (matching.length !== 1) {
    const reason =
      options.api === undefined
        ? `the gateway serves ${graphqlApis.length} APIs (${list}); name one with --api`
        : `the gateway serves no API with the id or name "${options.api}" (its APIs: ${list || 'none'})`;
    throw new ManagementCallError(404, 'NotFoundException', reason);
  }
  const apiId = matching[0]!.apiId;
  await call(options, 'DELETE', `/v1/apis/${encodeURIComponent(apiId)}/FlushCache`);
  return apiId;
}
