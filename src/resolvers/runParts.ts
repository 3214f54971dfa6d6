/**
 * A resolver run's base context as the pieces `Sandbox.openRunParts` takes: JSON texts, made once
 * per request (headers, identity, variables), per API (env) or per cached field node (selection
 * list) where the value recurs.
 */
import type { RunParts } from './isolation/sandbox.js';
import type { RequestContext, RequestJson } from './requestContext.js';
import type { SelectionInfo } from './selection.js';

// Kept on the request context itself: a WeakMap entry per request cost more than the lookup saved.
function requestJsonOf(context: RequestContext, base: BaseContext): RequestJson {
  let cached = context.resolverJson;
  if (!cached) {
    // Kept only once all three serialised: a value that cannot be is reported by every resolver.
    cached = {
      headers: base.request.headers,
      headersJson: JSON.stringify(base.request.headers),
      identity: base.identity,
      identityJson: JSON.stringify(base.identity),
      variables: base.info.variables,
      variablesJson: JSON.stringify(base.info.variables),
    };
    context.resolverJson = cached;
    return cached;
  }
  if (cached.headers !== base.request.headers) cached.headersJson = JSON.stringify((cached.headers = base.request.headers));
  if (cached.identity !== base.identity) cached.identityJson = JSON.stringify((cached.identity = base.identity));
  if (cached.variables !== base.info.variables) cached.variablesJson = JSON.stringify((cached.variables = base.info.variables));
  return cached;
}

/** JSON of each API's `env`, made once. */
const envJson = new WeakMap<object, string | undefined>();
function envJsonOf(env: Record<string, string>): string | undefined {
  if (!envJson.has(env)) envJson.set(env, JSON.stringify(env));
  return envJson.get(env);
}

/** JSON of each field node's `selectionSetList` (per cached document): the sandbox keys its parsed copy by it. */
const selectionListJson = new WeakMap<SelectionInfo, string>();

/**
 * The pieces of `JSON.stringify(base)` (see Sandbox.openRunParts), from cached JSON where the
 * values recur, serialised in the same order (so the same value fails first when one cannot be).
 * `stashJson` is the run's first stash (a hand-over's after a data source call, stashText.ts).
 */
export function runPartsOf(base: BaseContext, selection: SelectionInfo, context: RequestContext, stashJson?: string): RunParts {
  let listJson = selectionListJson.get(selection);
  if (listJson === undefined) {
    listJson = JSON.stringify(selection.selectionSetList);
    selectionListJson.set(selection, listJson);
  }
  const perRequest = requestJsonOf(context, base);
  const { info } = base;
  const parts: RunParts = {
    argumentsJson: JSON.stringify(base.arguments),
    identityJson: perRequest.identityJson,
    sourceJson: JSON.stringify(base.source),
    headersJson: perRequest.headersJson,
    fieldName: info.fieldName,
    parentTypeName: info.parentTypeName,
    variablesJson: perRequest.variablesJson,
    selectionSetListJson: info.selectionSetList === selection.selectionSetList ? listJson : JSON.stringify(info.selectionSetList),
    selectionSetGraphQL: info.selectionSetGraphQL,
    envJson: envJsonOf(base.env),
    authMode: base.authMode,
    operation: base.operation,
  };
  if (stashJson !== undefined && stashJson !== '{}') parts.stashJson = stashJson;
  return parts;
}

/** What a resolver run's `ctx` is made of (its base context), before it goes to the sandbox. */
export interface BaseContext {
  [key: string]: unknown;
  arguments: Record<string, unknown>;
  identity: unknown;
  source: unknown;
  request: { headers: Record<string, string | string[]>; domainName: null };
  info: { fieldName: string; parentTypeName: string; variables: unknown; selectionSetList: string[]; selectionSetGraphQL: string };
  env: Record<string, string>;
  authMode: string;
  operation: string;
}
