import { util } from '@aws-appsync/utils';

export function request() {
  return { payload: util.time.nowISO8601() };
}

export function response(ctx) {
  return ctx.result;
}
