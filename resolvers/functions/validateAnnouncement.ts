// Written in TypeScript: the gateway compiles it with esbuild, as AppSync users bundle theirs.
import { util, type Context } from '@aws-appsync/utils';

type Args = { channel: string; message: string; details?: unknown };

export function request(ctx: Context<Args>) {
  const { message, channel } = ctx.args;
  if (message.trim().length === 0) {
    util.error('An announcement needs a message.', 'ValidationError', null, { field: 'message' });
  }
  if (!util.matches('[a-z0-9-]{1,32}', channel)) {
    util.error(`Channel "${channel}" must be 1-32 lower-case letters, digits or dashes.`, 'ValidationError', null, { field: 'channel' });
  }
  return { payload: ctx.args };
}

export function response(ctx: Context) {
  return ctx.result;
}
