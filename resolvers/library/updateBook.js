import { util } from '@aws-appsync/utils';
import { createPgStatement, toJsonObject, update } from '@aws-appsync/utils/rds';

const COLUMNS = ['id', 'title', 'year', 'price', 'tags', 'metadata', { inStock: 'in_stock' }, { publishedAt: 'published_at' }, { authorId: 'author_id' }];

export function request(ctx) {
  const { id, title, price, inStock } = ctx.args;
  const values = {};
  if (title !== undefined && title !== null) values.title = title;
  if (price !== undefined) values.price = price;
  if (inStock !== undefined && inStock !== null) values.in_stock = inStock;
  if (Object.keys(values).length === 0) util.error('Nothing to update', 'BadRequest');
  return createPgStatement(update({ table: 'books', values, where: { id: { eq: id } }, returning: COLUMNS }));
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
