import { util } from '@aws-appsync/utils';
import { createPgStatement, select, toJsonObject } from '@aws-appsync/utils/rds';

const COLUMNS = ['id', 'title', 'year', 'price', 'tags', 'metadata', { inStock: 'in_stock' }, { publishedAt: 'published_at' }, { authorId: 'author_id' }];

export function request(ctx) {
  const { filter = {}, limit = 20, offset = 0 } = ctx.args;
  const where = {};
  if (filter && filter.minYear !== undefined && filter.minYear !== null) where.year = { ge: filter.minYear };
  if (filter && filter.titleContains) where.title = { contains: filter.titleContains };
  if (filter && filter.inStock !== undefined && filter.inStock !== null) where.in_stock = { eq: filter.inStock };
  return createPgStatement(
    select({ table: 'books', columns: COLUMNS, where, orderBy: [{ column: 'year' }, { column: 'id' }], limit, offset }),
  );
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
