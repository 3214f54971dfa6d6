/**
 * Publish and subscribe as both transports run them (docs/events.md): check the channel and its
 * namespace, authorize with the operation's modes, check the events, run the namespace's handler,
 * hand the result to the bus. HTTP (`POST /event`) and the socket only frame the answers.
 */
import { randomUUID } from 'node:crypto';
import type { AuthContext, AuthRequest } from '../auth/index.js';
import type { NormalizedConfig, NormalizedEvents } from '../config/types.js';
import type { DataSource, Logger } from '../datasources/types.js';
import { AppSyncError, ConfigError, ConfigErrors } from '../errors.js';
import type { Sandbox } from '../resolvers/index.js';
import { createEventsAuth, type EventsAuth } from './auth.js';
import type { EventBus } from './bus.js';
import { parseChannel, type Channel } from './channels.js';
import { directHandler, directProblem } from './direct.js';
import { loadNamespaceHandlers, type HandlerEvent, type NamespaceHandlers } from './handlers.js';
import { LIMITS, type EventsErrorEntry, type FailedEntry, type PublishedEntry } from './protocol.js';

/** One loaded version of the Event API: what a config reload replaces. */
export interface EventsVersion {
  readonly events: NormalizedEvents;
  readonly auth: EventsAuth;
  readonly handlers: ReadonlyMap<string, NamespaceHandlers>;
}

export async function loadEventsVersion(
  config: NormalizedConfig,
  sandbox: Sandbox,
  options: { logger: Logger; strict?: boolean; dataSources: ReadonlyMap<string, DataSource>; apiId?: string },
): Promise<EventsVersion | undefined> {
  const events = config.events;
  if (!events) return undefined;
  const auth = await createEventsAuth(config, events, options.logger, options.apiId);
  const handlers = new Map<string, NamespaceHandlers>();
  try {
    for (const ns of Object.values(events.namespaces)) {
      // A { request, response } handler calls the data source its handlerConfigs integration names (behavior CODE).
      const integrationOf = (name: string) =>
        (ns.handlerConfigs[name] as { integration?: { dataSourceName?: unknown } } | undefined)?.integration?.dataSourceName;
      for (const name of ['onPublish', 'onSubscribe']) {
        const dsName = integrationOf(name);
        if (typeof dsName === 'string' && !options.dataSources.has(dsName))
          throw new ConfigErrors([
            new ConfigError(
              `events.namespaces.${ns.name}.handlerConfigs.${name}.integration.dataSourceName`,
              `no data source named "${dsName}" in dataSources`,
            ),
          ]);
      }
      const loaded = await loadNamespaceHandlers(ns, sandbox, {
        logger: options.logger,
        strict: options.strict,
        env: config.environment,
        configDir: config.configDir,
        dataSourceFor: (name) => {
          const dsName = integrationOf(name);
          return typeof dsName === 'string' ? options.dataSources.get(dsName) : undefined;
        },
      });
      for (const [name, handlerConfig] of Object.entries(ns.handlerConfigs)) {
        if (name !== 'onPublish' && name !== 'onSubscribe') continue;
        // A handler config AWS refuses (CreateChannelNamespace, CloudFormation) refuses the load here.
        const problem = directProblem(handlerConfig, options.dataSources);
        if (problem) throw new ConfigErrors([new ConfigError(`events.namespaces.${ns.name}.handlerConfigs.${name}`, problem)]);
        if ((handlerConfig as { behavior?: unknown } | null)?.behavior !== 'DIRECT') continue;
        if (name === 'onPublish') loaded.onPublish = directHandler('onPublish', handlerConfig, ns.name, options.dataSources) as NamespaceHandlers['onPublish'];
        else loaded.onSubscribe = directHandler('onSubscribe', handlerConfig, ns.name, options.dataSources) as NamespaceHandlers['onSubscribe'];
      }
      const direct = (name: string) => (ns.handlerConfigs[name] as { behavior?: unknown } | undefined)?.behavior === 'DIRECT';
      if (ns.code && direct('onPublish') && direct('onSubscribe'))
        throw new ConfigErrors([
          new ConfigError(
            `events.namespaces.${ns.name}.code`,
            'Code handlers are not supported when both publish and subscribe use the Direct data source behavior',
          ),
        ]);
      handlers.set(ns.name, loaded);
    }
  } catch (error) {
    await auth.close();
    throw error;
  }
  return { events, auth, handlers };
}

/** An operation refused as a whole, with the HTTP status the `POST /event` answer carries. */
export class EventsRefusal extends Error {
  constructor(
    readonly errorType: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
  get entry(): EventsErrorEntry {
    return { errorType: this.errorType, message: this.message };
  }
}

/** Turns an auth or handler failure into a refusal; anything else is rethrown. */
function refusalOf(error: unknown): EventsRefusal {
  if (error instanceof EventsRefusal) return error;
  if (AppSyncError.is(error)) {
    const status = (error as AppSyncError & { statusCode?: number }).statusCode ?? 400;
    return new EventsRefusal(error.errorType, error.message, status);
  }
  throw error;
}

/** The channel and its namespace, or the refusal AWS answers a bad path or unknown namespace with. */
export function resolveChannel(version: EventsVersion, text: unknown, allowWildcard: boolean): Channel {
  if (typeof text !== 'string' || text === '') throw new EventsRefusal('BadRequestException', 'A channel path is required.', 400);
  const parsed = parseChannel(text, allowWildcard);
  if (!parsed.ok) throw new EventsRefusal('BadRequestException', parsed.message, 400);
  if (!version.events.namespaces[parsed.channel.namespace])
    throw new EventsRefusal('BadRequestException', `Channel namespace '${parsed.channel.namespace}' does not exist on this API.`, 400);
  return parsed.channel;
}

export interface PublishResult {
  successful: PublishedEntry[];
  failed: FailedEntry[];
}

/**
 * Publishes `events` (JSON text each, at most 5) to `channelText` for a caller whose credentials
 * are in `request`. Throws `EventsRefusal` when the whole publish is refused; per-event problems
 * (not a JSON string, over 240 KB, failed by `onPublish`) come back in `failed`.
 */
export async function publishEvents(
  version: EventsVersion,
  bus: EventBus,
  input: { channel: unknown; events: unknown; request: AuthRequest; headers: Record<string, string> },
): Promise<PublishResult> {
  const channel = resolveChannel(version, input.channel, false);
  let auth: AuthContext;
  try {
    auth = await version.auth.authorize('publish', channel.namespace, input.request, channel.path);
  } catch (error) {
    throw refusalOf(error);
  }
  const list = input.events;
  if (!Array.isArray(list) || list.length === 0) throw new EventsRefusal('BadRequestException', 'events must be a non-empty list of JSON strings.', 400);
  if (list.length > LIMITS.eventsPerPublish)
    throw new EventsRefusal('BadRequestException', `A publish holds at most ${LIMITS.eventsPerPublish} events, got ${list.length}.`, 400);

  const identifiers = list.map(() => randomUUID());
  const failed: FailedEntry[] = [];
  const accepted: Array<{ index: number; event: HandlerEvent; text: string }> = [];
  list.forEach((item, index) => {
    const identifier = identifiers[index]!;
    if (typeof item !== 'string') return failed.push({ identifier, index, code: 400, message: 'An event must be a JSON value serialised as a string.' });
    if (Buffer.byteLength(item) > LIMITS.eventBytes)
      return failed.push({ identifier, index, code: 400, message: `An event is at most ${LIMITS.eventBytes / 1024} KB.` });
    let payload: unknown;
    try {
      payload = JSON.parse(item);
    } catch {
      return failed.push({ identifier, index, code: 400, message: 'An event must be valid JSON.' });
    }
    accepted.push({ index, event: { id: identifier, payload }, text: item });
  });

  let outgoing: string[] = accepted.map((a) => a.text);
  const onPublish = version.handlers.get(channel.namespace)?.onPublish;
  if (onPublish && accepted.length > 0) {
    const outcome = await onPublish(
      channel,
      accepted.map((a) => a.event),
      auth,
      input.headers,
    );
    if (!outcome.ok) {
      const status = outcome.errorType === 'Unauthorized' || outcome.errorType === 'UnauthorizedException' ? 401 : 400;
      throw new EventsRefusal(outcome.errorType, outcome.message, status);
    }
    const indexOf = new Map(accepted.map((a) => [a.event.id, a.index]));
    for (const f of outcome.failed) failed.push({ identifier: f.id, index: indexOf.get(f.id)!, code: 400, message: f.message });
    outgoing = outcome.events.map((e) => JSON.stringify(e.payload));
  }
  await bus.publish(channel, outgoing);
  const failedIndexes = new Set(failed.map((f) => f.index));
  failed.sort((a, b) => a.index - b.index);
  return {
    successful: identifiers.flatMap((identifier, index) => (failedIndexes.has(index) ? [] : [{ identifier, index }])),
    failed,
  };
}

/**
 * Authorizes and runs `onSubscribe` for a subscription to `channelText`; resolves to the checked
 * channel, or throws `EventsRefusal`.
 */
export async function authorizeSubscription(
  version: EventsVersion,
  input: { channel: unknown; request: AuthRequest; headers: Record<string, string> },
): Promise<Channel> {
  const channel = resolveChannel(version, input.channel, true);
  let auth: AuthContext;
  try {
    auth = await version.auth.authorize('subscribe', channel.namespace, input.request, channel.path);
  } catch (error) {
    throw refusalOf(error);
  }
  const onSubscribe = version.handlers.get(channel.namespace)?.onSubscribe;
  if (onSubscribe) {
    const outcome = await onSubscribe(channel, auth, input.headers);
    if (!outcome.ok) throw new EventsRefusal(outcome.errorType, outcome.message, outcome.errorType === 'Unauthorized' ? 401 : 400);
  }
  return channel;
}
