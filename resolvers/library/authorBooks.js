import { util } from '@aws-appsync/utils';
import { createPgStatement, select, toJsonObject } from '@aws-appsync/utils/rds';

const COLUMNS = ['id', 'title', 'year', 'price', 'tags', 'metadata', { inStock: 'in_stock' }, { publishedAt: 'published_at' }, { authorId: 'author_id' }];

// Author.books: the relation, resolved from the parent row.
export function request(ctx) {
  return createPgStatement(select({ table: 'books', columns: COLUMNS, where: { author_id: { eq: ctx.source.id } }, orderBy: [{ column: 'id' }] }));
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
