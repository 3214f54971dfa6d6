/**
 * Event API operations of the management API under `/v2/` (API reference: CreateApi, GetApi,
 * UpdateApi, DeleteApi, ListApis, CreateChannelNamespace, GetChannelNamespace,
 * UpdateChannelNamespace, DeleteChannelNamespace, ListChannelNamespaces; docs/management-api.md#event-apis).
 * An Event API is kept in the registry beside the GraphQL APIs (its `eventApi` member), so API keys
 * (CreateApiKey on its id), data sources and tags work on it through the `/v1/` routes as on AWS.
 */
import type { ApiDefinition, AuthModeModel, AuthProviderModel, ChannelNamespaceModel, EventConfigModel, HandlerConfigsModel } from '../apis/index.js';
import { NAMESPACE_NAME } from '../config/events.js';
import { apiArn, type Handler, type ManagementContext } from './context.js';
import { optionalString, page, parseJsonBody, requiredString, stringMap, type Body } from './members.js';
import { ManagementApiError } from './restJson.js';

const AUTH_TYPES = ['API_KEY', 'AWS_IAM', 'AMAZON_COGNITO_USER_POOLS', 'OPENID_CONNECT', 'AWS_LAMBDA'];
/** API reference (CreateApi): an Api name is 1-50 letters, digits, spaces, `_` and `-`. */
const EVENT_API_NAME = /^[A-Za-z0-9_\- ]{1,50}$/;
/** API reference (CreateChannelNamespace): codeHandlers is at most 32,768 characters. */
const MAX_CODE = 32_768;

const seconds = () => Math.floor(Date.now() / 1000);

/** `{ HTTP, REALTIME }` of an Event API: where clients append `/event` and `/event/realtime`. */
export type EventDns = { HTTP: string; REALTIME: string };

function authModes(value: unknown, member: string, required: boolean): AuthModeModel[] | undefined {
  if (value === undefined || value === null) {
    if (required) throw ManagementApiError.badRequest(`${member} is required.`);
    return undefined;
  }
  if (!Array.isArray(value) || (required && value.length === 0)) throw ManagementApiError.badRequest(`${member} must be a non-empty list of { authType }.`);
  return value.map((entry, i) => {
    const authType = (entry as { authType?: unknown } | null)?.authType;
    if (typeof authType !== 'string' || !AUTH_TYPES.includes(authType))
      throw ManagementApiError.badRequest(`${member}.${i}.authType must be one of ${AUTH_TYPES.join(', ')}.`);
    return { authType };
  });
}

/** EventConfig, checked as AppSync checks it: every mode of the mode lists is one of the providers'. */
function readEventConfig(value: unknown): EventConfigModel {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw ManagementApiError.badRequest('eventConfig is required.');
  const body = value as Body;
  if (!Array.isArray(body.authProviders) || body.authProviders.length === 0)
    throw ManagementApiError.badRequest('eventConfig.authProviders must be a non-empty list of { authType, … }.');
  const authProviders = body.authProviders.map((entry, i): AuthProviderModel => {
    const p = (entry ?? {}) as Body;
    const at = `eventConfig.authProviders.${i}`;
    if (typeof p.authType !== 'string' || !AUTH_TYPES.includes(p.authType))
      throw ManagementApiError.badRequest(`${at}.authType must be one of ${AUTH_TYPES.join(', ')}.`);
    const provider: AuthProviderModel = { authType: p.authType };
    const need = (member: 'cognitoConfig' | 'openIDConnectConfig' | 'lambdaAuthorizerConfig', key: string) => {
      const config = p[member] as Record<string, unknown> | undefined;
      if (!config || typeof config[key] !== 'string') throw ManagementApiError.badRequest(`${at}.${member}.${key} is required for authType ${p.authType}.`);
      (provider as unknown as Record<string, unknown>)[member] = { ...config };
    };
    if (p.authType === 'AMAZON_COGNITO_USER_POOLS') need('cognitoConfig', 'userPoolId');
    if (p.authType === 'OPENID_CONNECT') need('openIDConnectConfig', 'issuer');
    if (p.authType === 'AWS_LAMBDA') need('lambdaAuthorizerConfig', 'authorizerUri');
    return provider;
  });
  const types = new Set(authProviders.map((p) => p.authType));
  const config: EventConfigModel = {
    authProviders,
    connectionAuthModes: authModes(body.connectionAuthModes, 'eventConfig.connectionAuthModes', true)!,
    defaultPublishAuthModes: authModes(body.defaultPublishAuthModes, 'eventConfig.defaultPublishAuthModes', true)!,
    defaultSubscribeAuthModes: authModes(body.defaultSubscribeAuthModes, 'eventConfig.defaultSubscribeAuthModes', true)!,
  };
  for (const member of ['connectionAuthModes', 'defaultPublishAuthModes', 'defaultSubscribeAuthModes'] as const)
    checkModes(config[member], types, `eventConfig.${member}`);
  if (typeof body.logConfig === 'object' && body.logConfig !== null) config.logConfig = body.logConfig as Record<string, unknown>;
  return config;
}

function checkModes(modes: readonly AuthModeModel[] | undefined, types: ReadonlySet<string>, member: string): void {
  for (const mode of modes ?? [])
    if (!types.has(mode.authType))
      throw ManagementApiError.badRequest(`${member}: ${mode.authType} is not one of the API's auth providers (${[...types].join(', ')}).`);
}

/** HandlerConfigs: `{ onPublish?, onSubscribe? }`, each `{ behavior: CODE | DIRECT, integration: { dataSourceName, lambdaConfig? } }`. */
function readHandlerConfigs(value: unknown, def: ApiDefinition): HandlerConfigsModel | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw ManagementApiError.badRequest('handlerConfigs must be an object.');
  const out: HandlerConfigsModel = {};
  for (const [name, entry] of Object.entries(value)) {
    if (name !== 'onPublish' && name !== 'onSubscribe') throw ManagementApiError.badRequest(`handlerConfigs.${name} is not onPublish or onSubscribe.`);
    const { behavior, integration } = (entry ?? {}) as {
      behavior?: unknown;
      integration?: { dataSourceName?: unknown; lambdaConfig?: { invokeType?: unknown } };
    };
    if (behavior !== 'CODE' && behavior !== 'DIRECT') throw ManagementApiError.badRequest(`handlerConfigs.${name}.behavior must be CODE or DIRECT.`);
    const dsName = integration?.dataSourceName;
    if (typeof dsName !== 'string') throw ManagementApiError.badRequest(`handlerConfigs.${name}.integration.dataSourceName is required.`);
    const ds = def.dataSources.find((d) => d.name === dsName);
    if (!ds) throw ManagementApiError.notFound(`No data source found named ${dsName}`);
    // AWS's words (aws-cdk-lib's ChannelNamespace makes the same check before the service does).
    if (behavior === 'DIRECT' && ds.type !== 'AWS_LAMBDA')
      throw ManagementApiError.badRequest('Direct integration is only supported for AWS_LAMBDA data sources.');
    const invokeType = integration?.lambdaConfig?.invokeType;
    if (invokeType !== undefined && invokeType !== 'REQUEST_RESPONSE' && invokeType !== 'EVENT')
      throw ManagementApiError.badRequest(`handlerConfigs.${name}.integration.lambdaConfig.invokeType must be REQUEST_RESPONSE or EVENT.`);
    out[name] = { behavior, integration: { dataSourceName: dsName, ...(invokeType ? { lambdaConfig: { invokeType: invokeType as string } } : {}) } };
  }
  return out;
}

export function eventApiRoutes(ctx: ManagementContext & { eventDns(apiId: string): EventDns }): Record<string, Handler> {
  const { registry } = ctx;
  /** The Event API `apiId` names; a GraphQL API's id is not one (NotFoundException). */
  const eventApi = (apiId: string): ApiDefinition & { eventApi: NonNullable<ApiDefinition['eventApi']> } => {
    const def = registry.has(apiId) ? registry.get(apiId) : undefined;
    if (!def?.eventApi) throw ManagementApiError.notFound(`Api ${apiId} not found.`);
    return def as ApiDefinition & { eventApi: NonNullable<ApiDefinition['eventApi']> };
  };
  const apiShape = (def: ApiDefinition) => {
    const e = def.eventApi!;
    return {
      apiId: def.apiId,
      name: def.name,
      ...(e.ownerContact ? { ownerContact: e.ownerContact } : {}),
      tags: { ...def.tags },
      dns: ctx.eventDns(def.apiId),
      apiArn: apiArn(ctx, def.apiId),
      created: e.created,
      xrayEnabled: false,
      eventConfig: e.eventConfig,
    };
  };
  const namespaceShape = (def: ApiDefinition, ns: ChannelNamespaceModel) => ({
    apiId: def.apiId,
    name: ns.name,
    ...(ns.subscribeAuthModes ? { subscribeAuthModes: ns.subscribeAuthModes } : {}),
    ...(ns.publishAuthModes ? { publishAuthModes: ns.publishAuthModes } : {}),
    ...(ns.codeHandlers !== undefined ? { codeHandlers: ns.codeHandlers } : {}),
    tags: { ...ns.tags },
    channelNamespaceArn: `${apiArn(ctx, def.apiId)}/channelNamespace/${ns.name}`,
    created: ns.created,
    lastModified: ns.lastModified,
    ...(ns.handlerConfigs ? { handlerConfigs: ns.handlerConfigs } : {}),
  });
  const findNamespace = (def: ApiDefinition, name: string) => {
    const ns = def.eventApi!.channelNamespaces.find((n) => n.name === name);
    if (!ns) throw ManagementApiError.notFound(`Channel namespace ${name} not found in Api ${def.apiId}.`);
    return ns;
  };
  /** The namespace members of Create/UpdateChannelNamespace, checked against the API. */
  const readNamespace = (
    input: Body,
    def: ApiDefinition,
    current?: ChannelNamespaceModel,
  ): Omit<ChannelNamespaceModel, 'name' | 'tags' | 'created' | 'lastModified'> => {
    const types = new Set(def.eventApi!.eventConfig.authProviders.map((p) => p.authType));
    const publishAuthModes = authModes(input.publishAuthModes, 'publishAuthModes', false);
    const subscribeAuthModes = authModes(input.subscribeAuthModes, 'subscribeAuthModes', false);
    checkModes(publishAuthModes, types, 'publishAuthModes');
    checkModes(subscribeAuthModes, types, 'subscribeAuthModes');
    const codeHandlers = optionalString(input, 'codeHandlers', undefined, MAX_CODE);
    const handlerConfigs = readHandlerConfigs(input.handlerConfigs, def);
    // Update replaces what it is given, as AppSync's update does; Create starts from nothing.
    return {
      ...(publishAuthModes ? { publishAuthModes } : current?.publishAuthModes ? { publishAuthModes: current.publishAuthModes } : {}),
      ...(subscribeAuthModes ? { subscribeAuthModes } : current?.subscribeAuthModes ? { subscribeAuthModes: current.subscribeAuthModes } : {}),
      ...(codeHandlers !== undefined ? { codeHandlers } : current?.codeHandlers !== undefined ? { codeHandlers: current.codeHandlers } : {}),
      ...(handlerConfigs ? { handlerConfigs } : current?.handlerConfigs ? { handlerConfigs: current.handlerConfigs } : {}),
    };
  };

  return {
    'POST /v2/apis': async ({ body }) => {
      const input = parseJsonBody(body);
      const name = requiredString(input, 'name', EVENT_API_NAME, 50);
      const eventConfig = readEventConfig(input.eventConfig);
      const ownerContact = optionalString(input, 'ownerContact', undefined, 256);
      const tags = input.tags === undefined || input.tags === null ? {} : stringMap(input.tags, 'tags');
      const first = eventConfig.authProviders[0]!.authType;
      const def = registry.create({ name, authenticationType: first }, tags, {
        eventApi: { eventConfig, ...(ownerContact ? { ownerContact } : {}), created: seconds(), channelNamespaces: [] },
      });
      await registry.flush(def.apiId);
      return { api: apiShape(def) };
    },
    'GET /v2/apis': async ({ query }) => {
      const { items, nextToken } = page(
        registry.list().filter((d) => d.eventApi),
        query,
      );
      return { apis: items.map(apiShape), ...(nextToken ? { nextToken } : {}) };
    },
    'GET /v2/apis/{apiId}': async ({ params }) => ({ api: apiShape(eventApi(params.apiId!)) }),
    'POST /v2/apis/{apiId}': async ({ params, body }) => {
      eventApi(params.apiId!);
      const input = parseJsonBody(body);
      const name = requiredString(input, 'name', EVENT_API_NAME, 50);
      const eventConfig = readEventConfig(input.eventConfig);
      const ownerContact = optionalString(input, 'ownerContact', undefined, 256);
      const { definition } = registry.update(params.apiId!, (draft) => {
        const types = new Set(eventConfig.authProviders.map((p) => p.authType));
        // A namespace's modes must stay among the providers, as AppSync checks on update.
        for (const ns of draft.eventApi!.channelNamespaces) {
          checkModes(ns.publishAuthModes, types, `channel namespace ${ns.name} publishAuthModes`);
          checkModes(ns.subscribeAuthModes, types, `channel namespace ${ns.name} subscribeAuthModes`);
        }
        draft.name = name;
        draft.authenticationType = eventConfig.authProviders[0]!.authType;
        draft.eventApi = { ...draft.eventApi!, eventConfig, ...(ownerContact ? { ownerContact } : {}) };
      });
      await registry.flush(definition.apiId);
      return { api: apiShape(definition) };
    },
    'DELETE /v2/apis/{apiId}': async ({ params }) => {
      eventApi(params.apiId!);
      registry.delete(params.apiId!);
      await registry.flush(params.apiId!);
      return {};
    },

    'POST /v2/apis/{apiId}/channelNamespaces': async ({ params, body }) => {
      const def = eventApi(params.apiId!);
      const input = parseJsonBody(body);
      const name = requiredString(input, 'name', NAMESPACE_NAME, 50);
      const tags = input.tags === undefined || input.tags === null ? {} : stringMap(input.tags, 'tags');
      const at = seconds();
      const ns: ChannelNamespaceModel = { name, ...readNamespace(input, def), tags, created: at, lastModified: at };
      const { definition } = registry.update(def.apiId, (draft) => {
        if (draft.eventApi!.channelNamespaces.some((n) => n.name === name))
          throw new ManagementApiError('ConflictException', `A channel namespace named ${name} already exists in Api ${def.apiId}.`, 409);
        draft.eventApi!.channelNamespaces = [...draft.eventApi!.channelNamespaces, ns];
      });
      await registry.flush(def.apiId);
      return { channelNamespace: namespaceShape(definition, ns) };
    },
    'GET /v2/apis/{apiId}/channelNamespaces': async ({ params, query }) => {
      const def = eventApi(params.apiId!);
      const { items, nextToken } = page(def.eventApi.channelNamespaces, query);
      return { channelNamespaces: items.map((ns) => namespaceShape(def, ns)), ...(nextToken ? { nextToken } : {}) };
    },
    'GET /v2/apis/{apiId}/channelNamespaces/{name}': async ({ params }) => {
      const def = eventApi(params.apiId!);
      return { channelNamespace: namespaceShape(def, findNamespace(def, params.name!)) };
    },
    'POST /v2/apis/{apiId}/channelNamespaces/{name}': async ({ params, body }) => {
      const def = eventApi(params.apiId!);
      const current = findNamespace(def, params.name!);
      const ns: ChannelNamespaceModel = { ...current, ...readNamespace(parseJsonBody(body), def, current), lastModified: seconds() };
      const { definition } = registry.update(def.apiId, (draft) => {
        draft.eventApi!.channelNamespaces = draft.eventApi!.channelNamespaces.map((n) => (n.name === ns.name ? ns : n));
      });
      await registry.flush(def.apiId);
      return { channelNamespace: namespaceShape(definition, ns) };
    },
    'DELETE /v2/apis/{apiId}/channelNamespaces/{name}': async ({ params }) => {
      const def = eventApi(params.apiId!);
      findNamespace(def, params.name!);
      registry.update(def.apiId, (draft) => {
        draft.eventApi!.channelNamespaces = draft.eventApi!.channelNamespaces.filter((n) => n.name !== params.name);
      });
      await registry.flush(def.apiId);
      return {};
    },
  };
}
