/**
 * A Lambda authorizer for the example API (docs/auth.md#aws_lambda). It runs in-process: the
 * gateway imports this file and calls `handler(event)` with AppSync's authorizer event.
 *
 * Demo tokens (send them as the `Authorization` header):
 *   demo-alice → authorized, plan "pro"
 *   demo-bob   → authorized, plan "free"; `Me.plan` is in deniedFields, so it comes back null
 *   anything else → refused (401 UnauthorizedException)
 */
const USERS = {
  'demo-alice': { user: 'alice', plan: 'pro' },
  'demo-bob': { user: 'bob', plan: 'free' },
};

export async function handler(event) {
  const found = USERS[event.authorizationToken];
  if (!found) return { isAuthorized: false };
  return {
    isAuthorized: true,
    // Becomes ctx.identity.resolverContext: flat string values only.
    resolverContext: { user: found.user, plan: found.plan, operation: event.requestContext.operationName ?? '' },
    deniedFields: found.plan === 'free' ? ['Me.plan'] : [],
    // Cache this decision for 5 minutes (overrides authorizerResultTtlInSeconds).
    ttlOverride: 300,
  };
}
