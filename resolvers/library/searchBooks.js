import { util } from '@aws-appsync/utils';
import { createPgStatement, sql, toJsonObject } from '@aws-appsync/utils/rds';

export function request(ctx) {
  // Every ${...} is a bound variable: the term can never change the statement.
  const pattern = `%${ctx.args.term}%`;
  return createPgStatement(sql`
    SELECT id, title, year, price, tags, metadata, in_stock AS "inStock", published_at AS "publishedAt", author_id AS "authorId"
    FROM books WHERE title ILIKE ${pattern} ORDER BY id`);
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return toJsonObject(ctx.result)[0].map(toBook);
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
