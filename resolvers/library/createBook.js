import { util } from '@aws-appsync/utils';
import { createPgStatement, insert, toJsonObject, typeHint } from '@aws-appsync/utils/rds';

const COLUMNS = ['id', 'title', 'year', 'price', 'tags', 'metadata', { inStock: 'in_stock' }, { publishedAt: 'published_at' }, { authorId: 'author_id' }];

export function request(ctx) {
  const { authorId, title, year, price, tags, metadata, publishedAt } = ctx.args.input;
  const values = { author_id: authorId, title, year, price, tags: tags ?? [] };
  if (metadata) values.metadata = typeHint.JSON(metadata);
  if (publishedAt) values.published_at = typeHint.TIMESTAMP(publishedAt);
  return createPgStatement(insert({ table: 'books', values, returning: COLUMNS }));
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
