/**
 * Who may connect, publish and subscribe (docs/events.md#auth): the Event API's `authProviders`
 * built by the same verifiers the GraphQL side uses (src/auth), and for each operation the modes
 * it allows: `connectionAuthModes`, the namespace's `publishAuthModes` / `subscribeAuthModes` over
 * the API's defaults. A request is read by the provider its headers select, among the allowed ones.
 */
import { authenticateRequest, createAuthProviders, type AuthContext, type AuthProvider, type AuthRequest, type EventsAuthTarget } from '../auth/index.js';
import type { AuthenticationType, NormalizedConfig, NormalizedEvents } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import { UnauthorizedError } from '../errors.js';

export type EventsOperation = 'connect' | 'publish' | 'subscribe';

export interface EventsAuth {
  /** Authenticates `request` for `operation` (in `namespace` for publish and subscribe); throws `UnauthorizedError`. */
  authorize(operation: EventsOperation, namespace: string | undefined, request: AuthRequest, channel?: string): Promise<AuthContext>;
  close(): Promise<void>;
}

/**
 * The providers of an Event API's `authProviders`, made as the GraphQL API's are (src/auth); config
 * problems name `events.authProviders.N` (the file's `authentication` keys when the block gives none).
 */
export async function createEventsAuthProviders(config: NormalizedConfig, events: NormalizedEvents, logger: Logger): Promise<AuthProvider[]> {
  const [first, ...rest] = events.authProviders;
  if (!first) return [];
  return createAuthProviders({ ...config, authentication: first, additionalAuthentications: rest, apiKeys: events.apiKeys }, logger, {
    at: events.authProvidersAt,
  });
}

/** Builds the auth of an Event API: its providers (`createEventsAuthProviders`) and the modes each operation allows. */
export async function createEventsAuth(config: NormalizedConfig, events: NormalizedEvents, logger: Logger, apiId = events.name): Promise<EventsAuth> {
  const providers = await createEventsAuthProviders(config, events, logger);
  // One provider list per distinct mode set, made once: authenticateRequest indexes each list it sees.
  const lists = new Map<string, AuthProvider[]>();
  const allowed = (modes: readonly AuthenticationType[]): AuthProvider[] => {
    const key = modes.join(',');
    let list = lists.get(key);
    if (!list) lists.set(key, (list = providers.filter((p) => modes.includes(p.mode))));
    return list;
  };
  return {
    async authorize(operation, namespace, request, channel) {
      const ns = namespace === undefined ? undefined : events.namespaces[namespace];
      const modes =
        operation === 'connect'
          ? events.connectionAuthModes
          : operation === 'publish'
            ? (ns?.publishAuthModes ?? events.defaultPublishAuthModes)
            : (ns?.subscribeAuthModes ?? events.defaultSubscribeAuthModes);
      const list = allowed(modes);
      if (list.length === 0) throw new UnauthorizedError('You are not authorized to make this call.');
      // A Lambda authorizer is told the operation and channel (the Events request, not the GraphQL one).
      const target: EventsAuthTarget = {
        apiId,
        operation: operation === 'connect' ? 'EVENT_CONNECT' : operation === 'publish' ? 'EVENT_PUBLISH' : 'EVENT_SUBSCRIBE',
        ...(namespace !== undefined ? { channelNamespaceName: namespace } : {}),
        ...(channel !== undefined ? { channel } : {}),
      };
      return authenticateRequest(list, { ...request, events: target });
    },
    async close() {
      await Promise.allSettled(providers.map((p) => p.close?.()));
    },
  };
}
