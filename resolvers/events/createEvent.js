import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  // A given id (the README's curl names its events) or a new ULID.
  const { id: given, ...input } = ctx.args.input;
  const id = given ?? util.autoUlid();
  return ddb.put({ key: { id }, item: { ...input, version: 1 }, condition: { id: { attributeExists: false } } });
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}
