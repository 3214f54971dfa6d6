import { util } from '@aws-appsync/utils';

export function request(ctx) {
  return { payload: { name: ctx.args.name ?? 'world' } };
}

export function response(ctx) {
  return `Hello, ${ctx.result.name}! (${util.authType()})`;
}
