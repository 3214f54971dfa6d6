/**
 * HTTP routes declared in `stepFunctions.routes` (docs/stepfunctions.md#http-routes): a request
 * to the route's method and path starts an execution with the request body as input, as an API
 * Gateway REST API's Step Functions integration does. `StartExecution` answers 200 with
 * `{ executionArn, startDate }`; `StartSyncExecution` (Express machines) answers StartSyncExecution's
 * response (`status`, `output`, or `error` and `cause`). The route's auth is one of the API's modes,
 * checked by the same verifiers as GraphQL requests; refusals have API Gateway's shapes
 * (`{ "message": … }` with `x-amzn-ErrorType`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SignatureError } from '../../auth/errors.js';
import type { AuthProvider, AuthRequest } from '../../auth/types.js';
import type { NormalizedConfig, StepFunctionsRouteConfig } from '../../config/types.js';
import type { Logger } from '../../datasources/types.js';
import { stateMachineArn } from '../service/arns.js';
import { SfnApiError } from '../service/errors.js';
import type { StepFunctionsService } from '../service/service.js';
import { ACTIONS } from './actions.js';

/** What a route needs from the gateway. */
export interface RouteOptions {
  service: StepFunctionsService;
  config(): NormalizedConfig;
  /** The API's auth providers in force now (absent: only `auth: NONE` routes answer). */
  authProviders?: () => readonly AuthProvider[];
  logger: Logger;
}

/** The route a request names (method and path, matched exactly), if any. */
export function routeFor(config: NormalizedConfig, req: IncomingMessage): StepFunctionsRouteConfig | undefined {
  const routes = config.stepFunctions.routes;
  if (!routes || routes.length === 0) return undefined;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  return routes.find((r) => r.path === path && r.method === req.method);
}

/** An API Gateway refusal: `{ message }` with its status and `x-amzn-ErrorType`. */
class RouteRefusal extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

const FORBIDDEN = () => new RouteRefusal(403, 'ForbiddenException', 'Forbidden');
const UNAUTHORIZED = () => new RouteRefusal(401, 'UnauthorizedException', 'Unauthorized');

function send(res: ServerResponse, status: number, value: unknown, errorType?: string): void {
  const text = JSON.stringify(value);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(text);
}

/** Checks the route's auth as API Gateway does for its authorizer types; throws a {@link RouteRefusal}. */
async function authorize(route: StepFunctionsRouteConfig, req: IncomingMessage, body: Buffer, options: RouteOptions): Promise<void> {
  if (route.auth === 'NONE') return;
  const request: AuthRequest = {
    headers: req.headers,
    method: req.method ?? 'POST',
    url: req.url ?? '/',
    body: body.toString('utf8'),
    sourceIp: req.socket.remoteAddress ?? '',
    host: req.headers.host,
  };
  if (route.auth === 'AWS_IAM') {
    // API Gateway's IAM authorization: a SigV4 signature for service `execute-api`.
    const [{ iamConfigOf }, { verifySigV4 }] = await Promise.all([import('./sigv4.js'), import('../../auth/iam.js')]);
    const iam = iamConfigOf(options.config());
    if (!iam) throw FORBIDDEN();
    if (!(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256'))
      throw new RouteRefusal(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    try {
      await verifySigV4(request, iam, Date.now(), { service: 'execute-api', allowUnsignedPayload: true });
      return;
    } catch (error) {
      if (!(error instanceof SignatureError)) throw error;
      throw new RouteRefusal(403, error.errorType, error.message);
    }
  }
  const providers = (options.authProviders?.() ?? []).filter((p) => p.mode === route.auth);
  if (route.auth === 'API_KEY') {
    // API Gateway answers a missing or unknown key alike: 403 Forbidden.
    if (req.headers['x-api-key'] === undefined) throw FORBIDDEN();
    for (const provider of providers) {
      try {
        if (await provider.authenticate(request)) return;
      } catch {
        throw FORBIDDEN();
      }
    }
    throw FORBIDDEN();
  }
  // A Cognito user pool or OIDC provider: the token in `Authorization` (with or without `Bearer`).
  if (!req.headers.authorization) throw UNAUTHORIZED();
  for (const provider of providers) {
    let accepted;
    try {
      accepted = await provider.authenticate(request);
    } catch {
      // Another pool of the same mode may hold the token's issuer.
      continue;
    }
    if (accepted) return;
  }
  throw UNAUTHORIZED();
}

/** The ARN a route's `stateMachine` names: an ARN as it is, else a config key (its `name`) or a name. */
function machineArn(route: StepFunctionsRouteConfig, options: RouteOptions): string {
  if (route.stateMachine.startsWith('arn:')) return route.stateMachine;
  const declared = options.config().stepFunctions.stateMachines[route.stateMachine];
  return stateMachineArn(options.service.scope, declared?.name ?? route.stateMachine);
}

/** Answers a request to a declared route (found by {@link routeFor}). */
export async function handleRoute(
  route: StepFunctionsRouteConfig,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  options: RouteOptions,
): Promise<void> {
  try {
    await authorize(route, req, body, options);
    const text = body.toString('utf8');
    // An empty body starts the execution with `{}`, as the integration's `$input.json('$')` does.
    const input = text.trim() === '' ? '{}' : text;
    const { service } = options;
    if (!service.ready) await service.load();
    const request = { stateMachineArn: machineArn(route, options), input };
    if (route.action === 'StartSyncExecution') {
      send(res, 200, await ACTIONS.StartSyncExecution!(service, request, { signal: NEVER }));
    } else {
      const started = await ACTIONS.StartExecution!(service, request, { signal: NEVER });
      // Answered means kept, as through the API.
      await service.durable();
      send(res, 200, started);
    }
  } catch (error) {
    if (error instanceof RouteRefusal) return send(res, error.status, { message: error.message }, error.errorType);
    // The integration passes Step Functions' own error answer through.
    if (error instanceof SfnApiError) return send(res, error.statusCode, error.toJSON(), error.sfnName);
    throw error;
  }
}

const NEVER = new AbortController().signal;
