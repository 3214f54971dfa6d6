/**
 * The Postgres part of the example API (schemas/library.graphql) end to end: GraphQL over HTTP → APPSYNC_JS resolvers
 * using `@aws-appsync/utils/rds` → RELATIONAL_DATABASE data source → Postgres, and back through
 * `toJsonObject`. The same cases run against a real PostgreSQL server and the embedded PGlite.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';
import { backends } from '../datasources/postgres/helpers.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** The Postgres part of the example API (root appsync.config.yml), with absolute paths. */
function exampleConfig(dataSourceConfig: Record<string, unknown>): GatewayConfig {
  const raw = parse(readFileSync(`${repo}appsync.config.yml`, 'utf8'));
  const resolvers = Object.fromEntries(
    Object.entries(raw.resolvers as Record<string, { dataSource?: string; code: string }>)
      .filter(([, r]) => r.dataSource === 'library')
      .map(([key, r]) => [key, { ...r, code: `${repo}${r.code}` }]),
  );
  const library = raw.dataSources.library;
  return {
    name: 'library',
    schema: `${repo}schemas/library.graphql`,
    // The root types the example's schemas/schema.graphql defines and library.graphql extends.
    schemaSdl: 'type Query\ntype Mutation',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'local', value: 'da2-postgrese2etest0000000000' }],
    dataSources: { library: { ...library, config: { ...library.config, migrations: `${repo}${library.config.migrations}`, ...dataSourceConfig } } },
    resolvers,
  } as GatewayConfig;
}

const BOOK = 'id title year price inStock tags metadata publishedAt authorId';

for (const backend of backends()) {
  describe.skipIf(!!backend.skipReason)(`example API on ${backend.name}${backend.skipReason ? ` (skipped: ${backend.skipReason})` : ''}`, () => {
    let gw: TestGateway;
    beforeAll(async () => {
      const { connectionString } = await backend.config();
      gw = await startTestGateway({ config: exampleConfig(connectionString ? { connectionString } : {}) });
    });

    it('getBook: a JOIN, typed values (numeric, bool, text[], jsonb, timestamptz) reach the client', async () => {
      const { status, body } = await gw.query(`query($id: ID!) { getBook(id: $id) { ${BOOK} authorName } }`, { id: '1' });
      expect(status).toBe(200);
      expect(body).toEqual({
        data: {
          getBook: {
            id: '1',
            title: 'Adventures of Huckleberry Finn',
            year: 1884,
            price: 9.99,
            inStock: true,
            tags: ['classic', 'river'],
            metadata: '{"pages": 366}',
            publishedAt: '1884-12-10T00:00:00Z',
            authorId: '1',
            authorName: 'Mark Twain',
          },
        },
      });
    });

    it('getBook for a missing id is null', async () => {
      const { body } = await gw.query(`{ getBook(id: "999") { id } }`);
      expect(body).toEqual({ data: { getBook: null } });
    });

    it('listBooks: filter, order, limit and offset', async () => {
      const { body } = await gw.query(`{ all: listBooks { title } inStock: listBooks(filter: { inStock: true, minYear: 1880 }) { title year }
        page: listBooks(limit: 1, offset: 1) { title } adv: listBooks(filter: { titleContains: "Adventures" }) { title } }`);
      expect(body).toEqual({
        data: {
          all: [{ title: 'The Adventures of Tom Sawyer' }, { title: 'Adventures of Huckleberry Finn' }, { title: 'The Call of the Wild' }],
          inStock: [
            { title: 'Adventures of Huckleberry Finn', year: 1884 },
            { title: 'The Call of the Wild', year: 1903 },
          ],
          page: [{ title: 'Adventures of Huckleberry Finn' }],
          adv: [{ title: 'The Adventures of Tom Sawyer' }, { title: 'Adventures of Huckleberry Finn' }],
        },
      });
    });

    it('getAuthor with its books (the relation, resolved per parent)', async () => {
      const { body } = await gw.query(`{ getAuthor(id: "2") { id name books { id title } } }`);
      expect(body).toEqual({ data: { getAuthor: { id: '2', name: 'Jack London', books: [{ id: '3', title: 'The Call of the Wild' }] } } });
    });

    it('SQL injection through arguments changes nothing', async () => {
      const attacks = [`%' OR '1'='1`, `'; DROP TABLE books; --`, `\\'; DELETE FROM books; --`];
      for (const term of attacks) {
        const { body } = await gw.query(`query($t: String!) { searchBooks(term: $t) { id } }`, { t: term });
        expect(body).toEqual({ data: { searchBooks: [] } });
      }
      const byId = await gw.query(`{ getBook(id: "1 OR 1=1") { id } }`);
      expect(byId.body.data).toEqual({ getBook: null });
      expect(byId.body.errors).toEqual([
        {
          path: ['getBook'],
          data: null,
          errorType: 'RDSHttp:BadRequestException',
          errorInfo: null,
          locations: [{ line: 1, column: 3, sourceName: null }],
          message: 'ERROR: invalid input syntax for type integer: "1 OR 1=1"; SQLState: 22P02',
        },
      ]);
      const { body } = await gw.query(`{ listBooks { id } }`);
      expect(body.data.listBooks.length).toBeGreaterThanOrEqual(3);
    });

    it('createBook / updateBook / deleteBook return the affected row', async () => {
      const created = await gw.query(`mutation($in: CreateBookInput!) { createBook(input: $in) { ${BOOK} } }`, {
        in: {
          authorId: '2',
          title: 'White Fang',
          year: 1906,
          price: 6.5,
          tags: ['dogs', "it's"],
          metadata: '{"pages":298}',
          publishedAt: '1906-05-01T08:00:00Z',
        },
      });
      expect(created.body.errors).toBeUndefined();
      const book = created.body.data.createBook;
      expect(book).toEqual({
        id: expect.any(String),
        title: 'White Fang',
        year: 1906,
        price: 6.5,
        inStock: true,
        tags: ['dogs', "it's"],
        metadata: '{"pages": 298}',
        publishedAt: '1906-05-01T08:00:00Z',
        authorId: '2',
      });

      const updated = await gw.query(`mutation($id: ID!) { updateBook(id: $id, price: 7.25, inStock: false) { id price inStock title } }`, { id: book.id });
      expect(updated.body).toEqual({ data: { updateBook: { id: book.id, price: 7.25, inStock: false, title: 'White Fang' } } });

      const deleted = await gw.query(`mutation($id: ID!) { deleteBook(id: $id) { id title } }`, { id: book.id });
      expect(deleted.body).toEqual({ data: { deleteBook: { id: book.id, title: 'White Fang' } } });
      const gone = await gw.query(`query($id: ID!) { getBook(id: $id) { id } }`, { id: book.id });
      expect(gone.body).toEqual({ data: { getBook: null } });
    });

    it('two statements are one transaction: when the second fails, the first is not committed', async () => {
      const ok = await gw.query(`mutation { createTwoBooks(authorId: "1", first: "Roughing It", second: "Life on the Mississippi") { title authorId } }`);
      expect(ok.body).toEqual({
        data: {
          createTwoBooks: [
            { title: 'Roughing It', authorId: '1' },
            { title: 'Life on the Mississippi', authorId: '1' },
          ],
        },
      });

      // The second title already exists (UNIQUE): the whole request is rolled back.
      const failed = await gw.query(`mutation { createTwoBooks(authorId: "1", first: "The Prince and the Pauper", second: "Roughing It") { title } }`);
      expect(failed.body.data).toEqual({ createTwoBooks: null });
      expect(failed.body.errors).toHaveLength(1);
      expect(failed.body.errors[0].errorType).toBe('RDSHttp:BadRequestException');
      expect(failed.body.errors[0].message).toBe('ERROR: duplicate key value violates unique constraint "books_title_key"; SQLState: 23505');
      const search = await gw.query(`{ searchBooks(term: "Prince") { title } }`);
      expect(search.body).toEqual({ data: { searchBooks: [] } });
    });

    it('a constraint violation surfaces the Postgres message, and the gateway keeps serving', async () => {
      const bad = await gw.query(`mutation { createBook(input: { authorId: "42", title: "Orphan" }) { id } }`);
      expect(bad.body.errors[0].message).toMatch(
        /^ERROR: insert or update on table "books" violates foreign key constraint "books_author_id_fkey"; SQLState: 23503$/,
      );
      const after = await gw.query(`{ getAuthor(id: "1") { name } }`);
      expect(after.body).toEqual({ data: { getAuthor: { name: 'Mark Twain' } } });
    });
  });
}
