/**
 * Decoded table descriptions kept between calls of the embedded store. dynalite's `getTable` reads
 * the table's description from its LevelDB and decodes its JSON (~1.5 KB) on every item call; a
 * GetItem of the bench's getPost spent about a sixth of its CPU there (docs/dynamodb.md).
 *
 * Safe by construction, not by timing:
 * - **Invalidation.** The cache listens to the LevelDB itself: abstract-level emits `write` after
 *   every put, del, array batch or chained batch it has written, whoever made it (dynalite's
 *   actions, its lifecycle code, the gateway's transactions), and `clear` after a range delete.
 *   A write to a `table~` key empties that name's entry (a key of another kind empties all), and
 *   `clear` empties all. The event comes before the writer's callback, so a read that starts after
 *   a table change was acknowledged never sees the old description; a read during the write may
 *   see either, as it could before. A description read before a write and decoded after it is not
 *   kept: each table write bumps a generation, and a read keeps its result only if the generation
 *   did not move meanwhile (item writes leave it, so a busy table still gets its entry). A store whose LevelDB is not open, or was replaced (dynalite's
 *   `recreate`), is read as before.
 * - **No shared object is changed.** Only {@link TABLE_READING_ACTIONS} get the cached object (a
 *   store view whose `getTable` reads the cache, see {@link storeForAction}); they were read and
 *   never write to the description. UpdateTable, DeleteTable, CreateTable, DescribeTable, the tag
 *   actions, the gateway's TTL and transactions keep dynalite's own `getTable`, a fresh decode,
 *   which UpdateTable and DeleteTable edit in place before writing it back. The cached object is
 *   also frozen throughout, so a future dynalite that wrote to it could not change what the next
 *   call sees (test/embedded/dynamodb/tableCache.test.ts compares both paths on each action).
 * - **Statuses as before.** A description is kept only once `getTable` returned it; with
 *   `checkStatus` (the item actions' form) dynalite refuses a CREATING or DELETING table, and such
 *   descriptions are never kept, so those calls take dynalite's path and get its error.
 *
 * Written by hand: dynalite has no cache and no hook between its actions and its LevelDB.
 */
import type { DynaliteError, DynaliteStore, TableDescription } from './dynalite.js';

/**
 * The dynalite actions handed the shared description. Each was read (dynalite 4.0.0) and uses it
 * only to read: `actions/getItem.js`, `putItem.js`, `updateItem.js`, `deleteItem.js`, `query.js`,
 * `scan.js`, `batchGetItem.js` (and the getItem it calls), `batchWriteItem.js` (and its putItem,
 * deleteItem), and the `db/index.js` helpers they pass it to: validateKey, validateItem,
 * validateUpdates, validateKeyPaths, createKey, createIndexKey, traverseKey, traverseIndexes,
 * queryTable, updateIndexes, getIndexActions (which build new arrays with map/concat).
 */
export const TABLE_READING_ACTIONS: ReadonlySet<string> = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
]);

type GetTable = DynaliteStore['getTable'];
type GetTableCallback = Parameters<GetTable>[2];

/** dynalite's LevelDB as this module uses it (abstract-level 3). */
interface LevelEvents {
  status: string;
  on(event: 'write', listener: (operations: Array<{ key?: unknown }>) => void): void;
  on(event: 'clear' | 'closing', listener: () => void): void;
}

const TABLE_PREFIX = 'table~';
/** The views of stores whose descriptions are cached. */
const views = new WeakMap<DynaliteStore, DynaliteStore>();

/** The store `operation`'s action runs on: the caching view for {@link TABLE_READING_ACTIONS}, else `store` itself. */
export function storeForAction(store: DynaliteStore, operation: string): DynaliteStore {
  return TABLE_READING_ACTIONS.has(operation) ? (views.get(store) ?? store) : store;
}

/** Starts caching `store`'s decoded table descriptions for {@link TABLE_READING_ACTIONS}. */
export function cacheTableDescriptions(store: DynaliteStore): void {
  const db = store.db as unknown as LevelEvents;
  const readTable: GetTable = store.getTable;
  const tables = new Map<string, TableDescription>();
  let generation = 0;

  db.on('write', (operations) => {
    for (const operation of operations) {
      const key = operation?.key;
      if (typeof key === 'string' && !key.startsWith(TABLE_PREFIX)) continue;
      generation++;
      if (typeof key === 'string') tables.delete(key.slice(TABLE_PREFIX.length));
      else tables.clear();
    }
  });
  const forgetAll = () => {
    generation++;
    tables.clear();
  };
  db.on('clear', forgetAll);
  db.on('closing', forgetAll);

  // The signature dynalite's getTable has: `getTable(name, cb)` means checkStatus (its callback is truthy there).
  function getTable(name: string, checkStatus: boolean | GetTableCallback, cb?: GetTableCallback): void {
    const callback = (typeof checkStatus === 'function' ? checkStatus : cb)!;
    const check = typeof checkStatus === 'function' ? true : checkStatus;
    if (store.db !== (db as unknown) || db.status !== 'open') {
      store.getTable(name, check, callback);
      return;
    }
    const table = tables.get(name);
    if (table !== undefined) {
      // As dynalite's own read answers: from setImmediate, never synchronously.
      setImmediate(callback, null, table);
      return;
    }
    const readAt = generation;
    readTable(name, check, (error: DynaliteError | null, read?: TableDescription) => {
      if (!error && read && readAt === generation && read.TableStatus !== 'CREATING' && read.TableStatus !== 'DELETING') {
        tables.set(name, deepFreeze(read));
      }
      callback(error, read);
    });
  }

  const view = Object.create(store) as DynaliteStore;
  view.getTable = getTable as GetTable;
  views.set(store, view);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
