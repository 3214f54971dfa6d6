import { util } from '@aws-appsync/utils';
import { createPgStatement, select, toJsonObject } from '@aws-appsync/utils/rds';

export function request(ctx) {
  return createPgStatement(select({ table: 'authors', columns: ['id', 'name'], where: { id: { eq: ctx.args.id } } }));
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return toJsonObject(ctx.result)[0][0] ?? null;
}
