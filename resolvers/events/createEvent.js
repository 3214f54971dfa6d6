import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  const id = util.autoUlid();
  return ddb.put({ key: { id }, item: { ...ctx.args.input, version: 1 }, condition: { id: { attributeExists: false } } });
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}
