/**
 * AppSync's management API on the gateway's port (docs/management-api.md): the restJson1 routes
 * `@aws-sdk/client-appsync` and the AWS CLI call under `/v1/…` and `/v2/…`. Served today:
 * EvaluateCode and EvaluateMappingTemplate; every other route answers UnknownOperationException
 * naming what is served.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NormalizedConfig } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import type { SandboxLimits } from '../resolvers/index.js';
import { CodeEvaluator } from './evaluateCode.js';
import { TemplateEvaluator } from './evaluateTemplate.js';
import { ManagementApiError, sendRestJson, sendRestJsonError } from './restJson.js';
import { verifyManagementSignature } from './signature.js';

export { ManagementApiError } from './restJson.js';
export type { CodeError, EvaluateCodeRequest, EvaluateCodeResponse } from './evaluateCode.js';
export type { EvaluateMappingTemplateResponse } from './evaluateTemplate.js';

export interface ManagementApiOptions {
  logger: Logger;
  /** The config in force now (its AWS_IAM credentials verify signatures; its `sandbox` block sets limits). */
  config(): NormalizedConfig;
  /** Time limit of one evaluated handler call, in ms, over the config's. @default 1000 */
  handlerTimeoutMs?: number;
  /** The evaluation sandbox's other limits, over the config's. */
  sandbox?: SandboxLimits;
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

type Route = (input: { body: Buffer }) => Promise<unknown>;

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

  return {
    async handle(req, res, body) {
      const path = (req.url ?? '/').split('?', 1)[0]!;
      try {
        await verifyManagementSignature(req, body, options.config());
        const route = routes[`${req.method} ${path}`];
        if (!route) {
          throw new ManagementApiError(
            'UnknownOperationException',
            `appsync-gateway does not serve ${req.method} ${path} yet; the management API serves ${Object.keys(routes).join(', ')} (docs/management-api.md).`,
            404,
          );
        }
        sendRestJson(res, 200, await route({ body }));
      } catch (error) {
        if (error instanceof ManagementApiError) {
          sendRestJsonError(res, error);
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

/** The JSON body; a body that is not JSON is a BadRequestException, as AppSync answers it. */
function parseBody(body: Buffer): unknown {
  if (body.length === 0) throw ManagementApiError.badRequest('The request body is empty; a JSON object is expected.');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw ManagementApiError.badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}
