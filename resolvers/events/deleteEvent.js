import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  return ddb.remove({ key: { id: ctx.args.id } });
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}
