import { util } from '@aws-appsync/utils';
import { createPgStatement, select } from '@aws-appsync/utils/rds';

export function request(ctx) {
  return createPgStatement(select({ table: 'authors', columns: ['id', 'name'], where: { id: { eq: ctx.args.id } } }));
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  // util.rds.toJsonObject is the same helper as the module's toJsonObject.
  return util.rds.toJsonObject(ctx.result)[0][0] ?? null;
}
