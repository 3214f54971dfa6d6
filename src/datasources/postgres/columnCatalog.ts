/**
 * Table facts for `columnMetadata` (`tableName`, `schemaName`, `nullable`, `isAutoIncrement`),
 * which Postgres does not send with a result: looked up in the catalog the first time a column is
 * seen and cached for the life of the data source.
 */
import type pg from 'pg';

export interface ColumnFacts {
  tableName: string;
  schemaName: string;
  /** JDBC: 0 no nulls, 1 nullable. */
  nullable: number;
  isAutoIncrement: boolean;
}

const key = (tableID: number, columnID: number) => `${tableID}:${columnID}`;

export class ColumnCatalog {
  readonly #facts = new Map<string, ColumnFacts | null>();

  get(tableID: number, columnID: number): ColumnFacts | undefined {
    return this.#facts.get(key(tableID, columnID)) ?? undefined;
  }

  /** Looks up the columns of `fields` not seen before, through `client` (a pool too). Failures only leave the defaults. */
  async learn(client: Pick<pg.Pool, 'query'>, fields: readonly pg.FieldDef[]): Promise<void> {
    const missing = fields.filter((f) => f.tableID > 0 && f.columnID > 0 && !this.#facts.has(key(f.tableID, f.columnID)));
    if (missing.length === 0) return;
    for (const f of missing) this.#facts.set(key(f.tableID, f.columnID), null);
    try {
      const { rows } = await client.query<{ t: number; n: number; relname: string; nspname: string; notnull: boolean; auto: boolean }>(
        `SELECT a.attrelid::int AS t, a.attnum::int AS n, c.relname, ns.nspname, a.attnotnull AS notnull,
                (a.attidentity <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid), '') LIKE 'nextval(%') AS auto
           FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid
           JOIN pg_namespace ns ON ns.oid = c.relnamespace
           LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE (a.attrelid::int, a.attnum::int) IN (SELECT * FROM unnest($1::int[], $2::int[]))`,
        [missing.map((f) => f.tableID), missing.map((f) => f.columnID)],
      );
      for (const r of rows) {
        this.#facts.set(key(r.t, r.n), { tableName: r.relname, schemaName: r.nspname, nullable: r.notnull ? 0 : 1, isAutoIncrement: r.auto });
      }
    } catch {
      // metadata only: the answer stands without it
    }
  }
}
