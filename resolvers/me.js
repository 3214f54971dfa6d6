import { util } from '@aws-appsync/utils';

/** Returns the authorizer's resolverContext (ctx.identity.resolverContext). */
export function request(ctx) {
  return { payload: { ...ctx.identity.resolverContext, mode: util.authType() } };
}

export function response(ctx) {
  return ctx.result;
}
