import { util } from '@aws-appsync/utils';
import { createPgStatement, select, sql, toJsonObject } from '@aws-appsync/utils/rds';

export function request(ctx) {
  return createPgStatement(
    select({
      from: { b: 'books' },
      columns: ['b.id', 'b.title', 'b.year', 'b.price', 'b.tags', 'b.metadata', { inStock: 'b.in_stock' }, { publishedAt: 'b.published_at' }, { authorId: 'b.author_id' }, { authorName: 'a.name' }],
      join: [{ table: { a: 'authors' }, on: sql`a.id = b.author_id` }],
      where: { 'b.id': { eq: ctx.args.id } },
    }),
  );
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return toBook(toJsonObject(ctx.result)[0][0]);
}

// The Data API returns numeric as a string and timestamps as "YYYY-MM-DD HH:MM:SS[.f]" in UTC.
function toBook(row) {
  if (!row) return null;
  return {
    ...row,
    price: row.price === null || row.price === undefined ? null : Number(row.price),
    publishedAt: row.publishedAt ? `${row.publishedAt.replace(" ", "T")}Z` : null,
  };
}
