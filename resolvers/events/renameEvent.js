import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  return ddb.update({
    key: { id: ctx.args.id },
    update: { name: ctx.args.name, version: ddb.operations.increment(1) },
    condition: { version: { eq: ctx.args.expectedVersion } },
  });
}

export function response(ctx) {
  // On a version conflict ctx.result holds the current item: the client sees what changed.
  if (ctx.error) util.error(ctx.error.message, ctx.error.type, ctx.result);
  return ctx.result;
}
