/**
 * Direct Lambda handlers (docs/events.md#direct-lambda-handlers): a namespace's `handlerConfigs`
 * `{ onPublish | onSubscribe: { behavior: DIRECT, integration: { dataSourceName, lambdaConfig:
 * { invokeType } } } }` sends the Events context to an `AWS_LAMBDA` data source of the config file
 * instead of running code. `REQUEST_RESPONSE` waits for the function's answer (`{ events }` or
 * `{ error }` for onPublish, `null` or `{ error }` for onSubscribe); `EVENT` invokes it without
 * waiting, and the operation goes on as if there were no handler.
 */
import type { AuthContext } from '../auth/index.js';
import type { DataSource } from '../datasources/types.js';
import type { Channel } from './channels.js';
import type { HandlerEvent, NamespaceHandlers, PublishOutcome, SubscribeOutcome } from './handlers.js';

interface DirectConfig {
  behavior?: unknown;
  integration?: { dataSourceName?: unknown; lambdaConfig?: { invokeType?: unknown } };
}

/** Why a handler config cannot run here, or undefined when it can (or is not DIRECT). */
export function directProblem(config: unknown, dataSources: ReadonlyMap<string, DataSource>): string | undefined {
  const { behavior, integration } = (config ?? {}) as DirectConfig;
  if (behavior === undefined || behavior === 'CODE') return undefined;
  if (behavior !== 'DIRECT') return `behavior ${JSON.stringify(behavior)} is not CODE or DIRECT`;
  const name = integration?.dataSourceName;
  // AWS's words (the DIRECT checks of aws-cdk-lib's ChannelNamespace, as the service refuses them).
  if (typeof name !== 'string' || name === '') return 'No data source provided. AWS_LAMBDA data source is required for Direct handler behavior type';
  const ds = dataSources.get(name);
  if (!ds) return `integration.dataSourceName: no data source named "${name}" in dataSources`;
  if (ds.type !== 'AWS_LAMBDA') return `Direct integration is only supported for AWS_LAMBDA data sources ("${name}" is ${ds.type}).`;
  const invokeType = integration?.lambdaConfig?.invokeType ?? 'REQUEST_RESPONSE';
  if (invokeType !== 'REQUEST_RESPONSE' && invokeType !== 'EVENT')
    return `integration.lambdaConfig.invokeType: expected REQUEST_RESPONSE or EVENT, got ${JSON.stringify(invokeType)}`;
  return undefined;
}

/** The handler of one DIRECT config (checked by `directProblem` first). */
export function directHandler(
  which: 'onPublish' | 'onSubscribe',
  config: unknown,
  namespace: string,
  dataSources: ReadonlyMap<string, DataSource>,
): Required<NamespaceHandlers>[typeof which] {
  const { integration } = config as DirectConfig;
  const ds = dataSources.get(integration!.dataSourceName as string)!;
  const async = integration?.lambdaConfig?.invokeType === 'EVENT';
  const call = async (channel: Channel, events: HandlerEvent[] | undefined, auth: AuthContext, headers: Record<string, string>) => {
    // The event AWS sends a direct handler: the Events context, as a resolver's direct Lambda gets its ctx.
    const payload = {
      identity: auth.identity,
      result: null,
      request: { headers, domainName: null },
      info: {
        channel: { path: channel.path, segments: channel.segments },
        channelNamespace: { name: namespace },
        operation: which === 'onPublish' ? 'PUBLISH' : 'SUBSCRIBE',
      },
      error: null,
      prev: null,
      stash: {},
      outErrors: [],
      ...(events ? { events } : {}),
    };
    return ds.invoke(
      { operation: 'Invoke', payload, invocationType: async ? 'Event' : 'RequestResponse' },
      {
        resolverName: `${namespace}.${which}`,
        fieldName: which,
        parentTypeName: 'Channel',
        requestScope: new Map(),
        resolverContext: payload,
      },
    );
  };
  if (which === 'onPublish') {
    return async (channel: Channel, events: HandlerEvent[], auth: AuthContext, headers: Record<string, string>): Promise<PublishOutcome> => {
      const answer = await call(channel, events, auth, headers);
      if (answer.error) return { ok: false, errorType: answer.error.type, message: answer.error.message };
      if (async) return { ok: true, events, failed: [] };
      const result = answer.result as { events?: unknown; error?: unknown } | null;
      if (result && typeof result.error === 'string') return { ok: false, errorType: 'Lambda:Unhandled', message: result.error };
      const list = Array.isArray(result?.events) ? result.events : [];
      const known = new Set(events.map((e) => e.id));
      const out: HandlerEvent[] = [];
      const failed: Array<{ id: string; message: string }> = [];
      for (const entry of list as Array<{ id?: unknown; payload?: unknown; error?: unknown }>) {
        if (!entry || typeof entry.id !== 'string' || !known.has(entry.id)) continue;
        if (entry.error !== undefined && entry.error !== null) failed.push({ id: entry.id, message: String(entry.error) });
        else out.push({ id: entry.id, payload: entry.payload ?? null });
      }
      return { ok: true, events: out, failed };
    };
  }
  return async (channel: Channel, auth: AuthContext, headers: Record<string, string>): Promise<SubscribeOutcome> => {
    const answer = await call(channel, undefined, auth, headers);
    if (answer.error) return { ok: false, errorType: answer.error.type, message: answer.error.message };
    const result = answer.result as { error?: unknown } | null;
    if (!async && result && result.error !== undefined && result.error !== null) return { ok: false, errorType: 'Unauthorized', message: String(result.error) };
    return { ok: true };
  };
}
