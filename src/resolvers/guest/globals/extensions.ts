/**
 * The `extensions` global (and `@aws-appsync/utils`'s `extensions`, and VTL's `$extensions`):
 * subscription filters and invalidation, each allowed in one kind of handler only. Runs inside
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
    evictFromApiCache(_typeName: unknown, _fieldName: unknown, _keys: unknown): void {
      // Gateway choice: there is no API cache, so nothing is ever evicted (count stays 0).
      currentRun();
    },
  };
}
