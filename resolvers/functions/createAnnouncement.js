import { util } from '@aws-appsync/utils';

export function request(ctx) {
  const { channel, message, details } = ctx.prev.result;
  return {
    payload: { id: util.autoUlid(), channel, message, details: details ?? null, postedAt: ctx.stash.receivedAt },
  };
}

export function response(ctx) {
  return ctx.result;
}
