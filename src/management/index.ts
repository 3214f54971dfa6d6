/**
 * AppSync's management API on the gateway's port (docs/management-api.md): the restJson1 routes
 * `@aws-sdk/client-appsync` and the AWS CLI call under `/v1/…` and `/v2/…`. Served: the GraphQL
 * API operations on the gateway's API registry (graphqlApis.ts, resources.ts), EvaluateCode and
 * EvaluateMappingTemplate; every other route answers UnknownOperationException naming what is served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NormalizedConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import type { SandboxLimits } from '../resolvers/index.js';
import { RegistryError, type ApiRegistry } from '../apis/index.js';
import { RawAnswer, type ApiUris, type Handler } from './context.js';
import { apiCacheRoutes } from './apiCaches.js';
import { graphqlApiRoutes } from './graphqlApis.js';
import { eventApiRoutes, type EventDns } from './eventApis.js';
import { resourceRoutes } from './resources.js';
import { RouteTable } from './routeTable.js';
import { CodeEvaluator } from './evaluateCode.js';
import { TemplateEvaluator } from './evaluateTemplate.js';
import { ManagementApiError, sendRestJson, sendRestJsonError } from './restJson.js';
import { DEFAULT_REGION, DEFAULT_ACCOUNT_ID } from '../config/awsDefaults.js';

export { ManagementApiError } from './restJson.js';
export type { ApiUris } from './context.js';
export type { EventDns } from './eventApis.js';
export { MAX_SCHEMA_BYTES } from './graphqlApis.js';
export type { CodeError, EvaluateCodeRequest, EvaluateCodeResponse } from './evaluateCode.js';
export type { EvaluateMappingTemplateResponse } from './evaluateTemplate.js';

/**
 * The SigV4 verifier (signature.ts: @smithy/signature-v4, its HTTP request and SHA-256 packages),
 * loaded on the first management call: every gateway serves this API, few call it, and loading
 * the verifier at start cost the start-up ~40 ms of CPU.
 */
let signatureModule: Promise<typeof import('./signature.js')> | undefined;

export interface ManagementApiOptions {
  logger: Logger;
  /** The config in force now (its AWS_IAM credentials verify signatures; its `sandbox` block sets limits). */
  config(): NormalizedConfig;
  /** Time limit of one evaluated handler call, in ms, over the config's. @default 1000 */
  handlerTimeoutMs?: number;
  /** The evaluation sandbox's other limits, over the config's. */
  sandbox?: SandboxLimits;
  /** The APIs the gateway serves; without it only the evaluation calls are served. */
  registry?: ApiRegistry;
  /** Empties an API's cache (FlushApiCache). @default nothing to flush */
  flushApiCache?(apiId: string): Promise<void>;
  /** The endpoints of an API, as `uris` answers them. */
  uris?(apiId: string): ApiUris;
  /** An Event API's `dns` (`HTTP`, `REALTIME`): host and path prefix clients append `/event` to. */
  eventDns?(apiId: string): EventDns;
  /** Region and account in ARNs. @default us-east-1 / 123456789012 */
  region?: string;
  accountId?: string;
}

export interface ManagementApi {
  /** Answers a call whose path {@link isManagementPath} accepts. */
  handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void>;
  /** Stops the evaluation sandbox. */
  close(): Promise<void>;
}

/** The management API's paths: AppSync's GraphQL API routes under `/v1/`, Event APIs under `/v2/`. */
export function isManagementPath(path: string): boolean {
  return path.startsWith('/v1/') || path.startsWith('/v2/');
}

type Route = Handler;

export function createManagementApi(options: ManagementApiOptions): ManagementApi {
  const evaluatorLimits = () => {
    const fromConfig = options.config().sandbox ?? {};
    return { ...fromConfig, ...options.sandbox, timeoutMs: options.handlerTimeoutMs ?? fromConfig.timeoutMs };
  };
  const evaluator = new CodeEvaluator({ logger: options.logger, limits: evaluatorLimits });
  const templates = new TemplateEvaluator({ logger: options.logger, limits: evaluatorLimits });
  // `METHOD path` → handler: a new operation is a row here and a handler beside it.
  const routes: Record<string, Route> = {
    'POST /v1/dataplane-evaluatecode': async ({ body }) => {
      const request = CodeEvaluator.parseRequest(parseBody(body));
      return evaluator.evaluate(request.code, request.contextValue, request.function);
    },
    'POST /v1/dataplane-evaluatetemplate': async ({ body }) => {
      const request = TemplateEvaluator.parseRequest(parseBody(body));
      return templates.evaluate(request.template, request.contextValue);
    },
  };

  const table = new RouteTable<Route>();
  if (options.registry) {
    const context = {
      registry: options.registry,
      region: options.region ?? DEFAULT_REGION,
      accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
      uris:
        options.uris ??
        ((apiId: string) => ({ GRAPHQL: `http://127.0.0.1:4000/apis/${apiId}/graphql`, REALTIME: `ws://127.0.0.1:4000/apis/${apiId}/graphql/realtime` })),
      flushApiCache: options.flushApiCache ?? (async () => {}),
    };
    const eventDns = options.eventDns ?? ((apiId: string) => ({ HTTP: `127.0.0.1:4000/apis/${apiId}`, REALTIME: `127.0.0.1:4000/apis/${apiId}` }));
    Object.assign(routes, graphqlApiRoutes(context), resourceRoutes(context), apiCacheRoutes(context), eventApiRoutes({ ...context, eventDns }));
  }
  for (const [route, handler] of Object.entries(routes)) table.add(route, handler);

  return {
    async handle(req, res, body) {
      const [path, search = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
      try {
        const { verifyManagementSignature } = await (signatureModule ??= import('./signature.js'));
        await verifyManagementSignature(req, body, options.config());
        const match = table.match(req.method ?? 'GET', path);
        if (!match) {
          throw new ManagementApiError(
            'UnknownOperationException',
            `appsync-gateway does not serve ${req.method} ${path}; see docs/management-api.md for the operations it serves.`,
            404,
          );
        }
        const answer = await match.handler({ body, params: match.params, query: new URLSearchParams(search) });
        if (answer instanceof RawAnswer) {
          res
            .writeHead(200, { 'content-type': answer.contentType, 'content-length': String(answer.body.length), 'access-control-allow-origin': '*' })
            .end(answer.body);
          return;
        }
        sendRestJson(res, 200, answer);
      } catch (error) {
        if (error instanceof ManagementApiError) {
          sendRestJsonError(res, error);
          return;
        }
        if (error instanceof RegistryError) {
          sendRestJsonError(res, new ManagementApiError(error.errorName, error.message, error.statusCode, error.extra));
          return;
        }
        options.logger.error(`management API ${req.method} ${path} failed`, { error: error instanceof Error ? error.stack : String(error) });
        sendRestJsonError(res, new ManagementApiError('InternalFailureException', 'An internal failure occurred.', 500));
      }
    },
    close: async () => {
      await Promise.all([evaluator.close(), templates.close()]);
    },
  };
}

/** The JSON body of the evaluation calls; a body that is not JSON is a BadRequestException, as AppSync answers it. */
function parseBody(body: Buffer): unknown {
  if (body.length === 0) throw ManagementApiError.badRequest('The request body is empty; a JSON object is expected.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw ManagementApiError.badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}
