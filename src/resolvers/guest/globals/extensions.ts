/**
 * The `extensions` global (and `@aws-appsync/utils`'s `extensions`, and VTL's `$extensions`):
 * subscription filters and invalidation, API cache eviction, each allowed in one kind of handler only. Runs inside
 * the sandbox: see ../README.md.
 */
import { append, toErrorValue, UtilError, type CurrentRun } from '../run.js';

const MAX_INVALIDATIONS = 5;

/** Fails the handler as `util.error(message, 'Code')` would. */
const codeError = (message: string): never => {
  throw new UtilError(toErrorValue(message, 'Code', null, null));
};

/** Builds `extensions`; `stringifyJson` is `JSON.stringify` as it was before resolver code could replace it. */
export function createExtensions(currentRun: CurrentRun, stringifyJson: typeof JSON.stringify) {
  const requirePhase = (name: string, allowed: string): void => {
    const run = currentRun();
    if (run.phase !== allowed) codeError(`extensions.${name} can only be called in a ${allowed.replace(':', ' ')} handler.`);
  };

  return {
    setSubscriptionFilter(filter: unknown): void {
      requirePhase('setSubscriptionFilter', 'subscription:response');
      currentRun().subscriptionFilter = filter;
    },
    setSubscriptionInvalidationFilter(filter: unknown): void {
      requirePhase('setSubscriptionInvalidationFilter', 'subscription:response');
      currentRun().invalidationFilter = filter;
    },
    invalidateSubscriptions(request: { subscriptionField?: unknown; payload?: unknown }): void {
      requirePhase('invalidateSubscriptions', 'mutation:response');
      const run = currentRun();
      const entry = { subscriptionField: String(request?.subscriptionField ?? ''), payload: request?.payload ?? null };
      const key = stringifyJson(entry);
      let seen = false;
      for (let i = 0; i < run.invalidations.length; i++) if (stringifyJson(run.invalidations[i]) === key) seen = true;
      if (!seen) {
        if (run.invalidations.length >= MAX_INVALIDATIONS) {
          codeError(`extensions.invalidateSubscriptions can be called at most ${MAX_INVALIDATIONS} times per request.`);
        }
        append(run.invalidations, entry);
      }
    },
    /**
     * Noted on the run; the gateway evicts once the mutation has run and says how many entries went
     * in the answer's `extensions.apiCacheEntriesDeleted` (docs/caching.md#eviction). AppSync allows
     * it in mutations only (extensions-js.html).
     */
    evictFromApiCache(typeName: unknown, fieldName: unknown, keys: unknown): void {
      const run = currentRun();
      if (run.base.operation !== 'mutation') codeError('extensions.evictFromApiCache can only be called in a mutation.');
      if (typeof typeName !== 'string' || typeof fieldName !== 'string' || !keys || typeof keys !== 'object') {
        codeError('extensions.evictFromApiCache takes a type name, a field name and an object of caching keys and their values.');
      }
      append(run.evictions, { typeName: typeName as string, fieldName: fieldName as string, keys });
    },
  };
}
