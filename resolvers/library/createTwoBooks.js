import { util } from '@aws-appsync/utils';
import { createPgStatement, insert, toJsonObject } from '@aws-appsync/utils/rds';

const COLUMNS = ['id', 'title', 'year', 'price', 'tags', 'metadata', { inStock: 'in_stock' }, { publishedAt: 'published_at' }, { authorId: 'author_id' }];

// Two statements in one request run in one transaction: if the second fails, the first is undone.
export function request(ctx) {
  const { authorId, first, second } = ctx.args;
  return createPgStatement(
    insert({ table: 'books', values: { author_id: authorId, title: first }, returning: COLUMNS }),
    insert({ table: 'books', values: { author_id: authorId, title: second }, returning: COLUMNS }),
  );
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  const [a, b] = toJsonObject(ctx.result);
  return [toBook(a[0]), toBook(b[0])];
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
