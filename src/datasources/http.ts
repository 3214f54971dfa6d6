/**
 * HTTP data source (docs/http-lambda.md#http-data-source): the request object becomes a real HTTP call to
 * `config.endpoint`; any status is a result `{ statusCode, headers, body }`; only transport
 * failures are `ctx.error` (`Http:<reason>`). `authorizationConfig` with AWS_IAM signs the call
 * with SigV4 through @smithy/signature-v4 and the AWS SDK credential chain.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { unknownKeyErrors } from '../config/index.js';
import { ConfigError, DataSourceError } from '../errors.js';
import type { DataSource, DataSourceKind } from './types.js';

export interface HttpDataSourceConfig {
  endpoint: string;
  authorizationConfig?: { authorizationType: 'AWS_IAM'; awsIamConfig: { signingRegion: string; signingServiceName: string } };
  /** Local addition: ms before a call fails with Http:ExecutionTimeoutException. @default 10000 */
  timeout?: number;
  /** Local addition for tests and non-default profiles: static signing credentials. */
  credentials?: AwsCredentialIdentity;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
/** Headers a request may not set (docs/http-lambda.md#http-data-source). */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'connection',
  'user-agent',
  'expectation',
  'expect',
  'transfer-encoding',
  'transfer_encoding',
  'content-length',
  'content_length',
]);

const CONFIG_KEYS = ['endpoint', 'authorizationConfig', 'timeout', 'credentials'];
/** The Serverless AppSync plugin's IAM keys: no role is assumed locally. */
const IGNORED_PLUGIN_KEYS = ['serviceRoleArn', 'iamRoleStatements'];

function validate(config: unknown, path: string): ConfigError[] {
  const c = (config ?? {}) as Record<string, unknown>;
  const problems: ConfigError[] = [];
  if (typeof c.endpoint !== 'string' || !/^https?:\/\/[^/]+/.test(c.endpoint))
    problems.push(new ConfigError(`${path}.endpoint`, `expected an http(s) URL, got ${JSON.stringify(c.endpoint)}`));
  problems.push(...unknownKeyErrors(c, path, CONFIG_KEYS, IGNORED_PLUGIN_KEYS).errors);
  const auth = c.authorizationConfig as HttpDataSourceConfig['authorizationConfig'] | undefined;
  if (auth !== undefined) {
    if (auth && typeof auth === 'object') {
      problems.push(...unknownKeyErrors(auth, `${path}.authorizationConfig`, ['authorizationType', 'awsIamConfig']).errors);
      if (auth.awsIamConfig && typeof auth.awsIamConfig === 'object') {
        problems.push(...unknownKeyErrors(auth.awsIamConfig, `${path}.authorizationConfig.awsIamConfig`, ['signingRegion', 'signingServiceName']).errors);
      }
    }
    if (auth?.authorizationType !== 'AWS_IAM') problems.push(new ConfigError(`${path}.authorizationConfig.authorizationType`, 'expected AWS_IAM'));
    else if (typeof auth.awsIamConfig?.signingRegion !== 'string' || typeof auth.awsIamConfig?.signingServiceName !== 'string') {
      problems.push(new ConfigError(`${path}.authorizationConfig.awsIamConfig`, 'expected { signingRegion, signingServiceName }'));
    }
  }
  if (c.timeout !== undefined && (typeof c.timeout !== 'number' || c.timeout <= 0))
    problems.push(new ConfigError(`${path}.timeout`, 'expected milliseconds > 0'));
  return problems;
}

function badRequest(message: string): DataSourceError {
  return new DataSourceError(message, 'Http:BadRequestException');
}

interface HttpRequestObject {
  method: string;
  resourcePath: string;
  params?: { headers?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
}

function checkRequest(request: unknown): HttpRequestObject {
  if (!request || typeof request !== 'object') throw badRequest('The HTTP request object must be an object with method and resourcePath.');
  const r = request as Record<string, unknown>;
  if (typeof r.method !== 'string' || !METHODS.has(r.method.toUpperCase()))
    throw badRequest(`method: expected one of ${[...METHODS].join(', ')}, got ${JSON.stringify(r.method)}`);
  if (typeof r.resourcePath !== 'string' || !r.resourcePath.startsWith('/'))
    throw badRequest(`resourcePath: expected a path starting with /, got ${JSON.stringify(r.resourcePath)}`);
  if (r.params !== undefined && (r.params === null || typeof r.params !== 'object'))
    throw badRequest('params: expected an object with headers, query and body');
  return r as unknown as HttpRequestObject;
}

interface Signer {
  sign(request: { method: string; url: URL; headers: Record<string, string>; body: string | undefined }): Promise<Record<string, string>>;
}

/**
 * The SigV4 signer for `authorizationConfig`, with its packages (the AWS SDK credential chain and
 * the smithy signer, ~100 ms to load) loaded on the first signed call rather than at start-up.
 */
async function createSigner(iam: { signingRegion: string; signingServiceName: string }, credentials: AwsCredentialIdentity | undefined): Promise<Signer> {
  const [{ Sha256 }, { HttpRequest }, { SignatureV4 }] = await Promise.all([
    import('@aws-crypto/sha256-js'),
    import('@smithy/protocol-http'),
    import('@smithy/signature-v4'),
  ]);
  const provider = credentials ? async () => credentials : (await import('@aws-sdk/credential-providers')).fromNodeProviderChain();
  const signer = new SignatureV4({ service: iam.signingServiceName, region: iam.signingRegion, sha256: Sha256, credentials: provider });
  return {
    async sign({ method, url, headers, body }) {
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of url.searchParams) {
        const prev = query[k];
        query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
      }
      const signed = await signer.sign(
        new HttpRequest({
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          query,
          headers: { ...headers, host: url.host },
          body,
        }),
      );
      const { host: _host, ...rest } = signed.headers as Record<string, string>;
      return rest;
    },
  };
}

export const httpKind: DataSourceKind<HttpDataSourceConfig> = {
  validate,
  create({ name, config }): DataSource {
    const endpoint = config.endpoint.replace(/\/$/, '');
    const timeout = config.timeout ?? 10_000;
    const iam = config.authorizationConfig?.awsIamConfig;
    let signer: Promise<Signer> | undefined;

    return {
      name,
      type: 'HTTP',
      async invoke(request) {
        const r = checkRequest(request);
        const method = r.method.toUpperCase();
        const url = new URL(endpoint + r.resourcePath);
        for (const [k, v] of Object.entries(r.params?.query ?? {})) {
          for (const item of Array.isArray(v) ? v : [v]) if (item !== undefined && item !== null) url.searchParams.append(k, String(item));
        }
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.params?.headers ?? {})) {
          if (FORBIDDEN_HEADERS.has(k.toLowerCase())) continue;
          if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
        }
        const rawBody = r.params?.body;
        // docs/http-lambda.md#http-data-source, Gateway choice: an object body is JSON-serialised.
        const body =
          rawBody === undefined || rawBody === null || method === 'GET' || method === 'HEAD'
            ? undefined
            : typeof rawBody === 'string'
              ? rawBody
              : JSON.stringify(rawBody);
        if (body !== undefined && !headers['content-type']) headers['content-type'] = typeof rawBody === 'string' ? 'text/plain' : 'application/json';

        let finalHeaders = headers;
        if (iam) {
          if (!signer) {
            signer = createSigner(iam, config.credentials);
            // A failed load is retried by the next call instead of failing every call after it.
            signer.catch(() => (signer = undefined));
          }
          finalHeaders = await (await signer).sign({ method, url, headers, body });
        }
        let response: Response;
        try {
          response = await fetch(url, { method, headers: finalHeaders, body, signal: AbortSignal.timeout(timeout), redirect: 'manual' });
        } catch (error) {
          const e = error as { name?: string; cause?: { code?: string; message?: string } };
          if (e.name === 'TimeoutError' || e.name === 'AbortError')
            return { error: { message: 'execution timed out', type: 'Http:ExecutionTimeoutException' } };
          // Gateway choice (docs/http-lambda.md#http-data-source): every other transport failure is Http:ConnectionException.
          const cause = e.cause as { code?: string; message?: string; errors?: Array<{ code?: string }> } | undefined;
          const code = cause?.code ?? cause?.errors?.[0]?.code;
          return { error: { message: `Could not reach ${url.origin}${code ? ` (${code})` : ''}.`, type: 'Http:ConnectionException' } };
        }
        const responseHeaders: Record<string, string> = {};
        response.headers.forEach((value, key) => {
          responseHeaders[key] = value;
        });
        return { result: { statusCode: response.status, headers: responseHeaders, body: await response.text() } };
      },
    };
  },
};
