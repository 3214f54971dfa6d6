/**
 * What the embedded store uses of dynalite beyond its HTTP server: the store object its server
 * keeps, and the validation and action modules its HTTP handler calls. dynalite exports only the
 * server, so the store is taken as it is created (see {@link createDynalite}); the modules are its
 * own files (dynalite has no "exports" map, so they are reachable by path).
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { cacheTableDescriptions, storeForAction } from './tableCache.js';

const require = createRequire(import.meta.url);

/** The store dynalite's `db.create` returns (the parts used here). */
export interface DynaliteStore {
  options: { maxItemSize: number };
  /** The LevelDB holding everything, values JSON, with dynalite's callback wrappers. */
  db: {
    get(key: string, cb: (error: Error | null, value?: any) => void): void;
    put(key: string, value: unknown, cb: (error: Error | null) => void): void;
    del(key: string, cb: (error: Error | null) => void): void;
    batch(ops: Array<{ type: 'put' | 'del'; key: string; value?: unknown }>, cb: (error: Error | null) => void): void;
    keys(options: { gte?: string; lt?: string }): AsyncIterable<string>;
  };
  getItemDb(table: string): SubDb;
  getTable(name: string, checkStatus: boolean, cb: (error: DynaliteError | null, table?: TableDescription) => void): void;
}

export interface SubDb {
  get(key: string, cb: (error: Error | null, value?: Item) => void): void;
  createValueStream(options?: Record<string, unknown>): AsyncIterable<Item>;
  lock(key: string, exec: (release: (done: () => void) => () => void) => void): void;
}

export type AttributeValueJson = Record<string, unknown>;
export type Item = Record<string, AttributeValueJson>;

export interface TableDescription {
  TableName: string;
  TableStatus: string;
  CreationDateTime: number;
  AttributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
  KeySchema: Array<{ AttributeName: string; KeyType: 'HASH' | 'RANGE' }>;
  LocalSecondaryIndexes?: IndexDescription[];
  GlobalSecondaryIndexes?: IndexDescription[];
}

interface IndexDescription {
  IndexName: string;
  KeySchema: Array<{ AttributeName: string; KeyType: string }>;
  Projection: { ProjectionType: string; NonKeyAttributes?: string[] };
}

/** An error dynalite answers with: HTTP status and the JSON body DynamoDB would send. */
export interface DynaliteError extends Error {
  statusCode?: number;
  body?: { __type: string; message?: string; Message?: string };
}

type Callback = (error: DynaliteError | null, data?: Record<string, unknown>) => void;

/** dynalite's own helpers (db/index.js). */
export const dynaliteDb = require('dynalite/db/index.js') as {
  create(options: Record<string, unknown>): DynaliteStore;
  validateKey(key: unknown, table: TableDescription): DynaliteError | null;
  validateItem(item: unknown, table: TableDescription): DynaliteError | null;
  validateUpdates(attributeUpdates: unknown, expressionUpdates: unknown, table: TableDescription): DynaliteError | null;
  createKey(item: Item, table: TableDescription): string;
  checkConditional(data: Record<string, unknown>, existing: Item | undefined): DynaliteError | null;
  validationError(message: string): DynaliteError;
  mapPaths(paths: unknown, item: Item): Item;
  getIndexActions(
    indexes: IndexDescription[],
    existing: Item | undefined | null,
    item: Item | undefined | null,
    table: TableDescription,
  ): { puts: Array<{ index: string; key: string; item: Item }>; deletes: Array<{ index: string; key: string }> };
};

const validations = require('dynalite/validations/index.js') as {
  checkTypes(data: Record<string, unknown>, types: unknown): Record<string, unknown>;
  checkValidations(data: Record<string, unknown>, types: unknown, custom: unknown, store: DynaliteStore): void;
};

/** The operations dynalite serves (its index.js list). */
export const DYNALITE_OPERATIONS = new Set([
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'DescribeTimeToLive',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateItem',
  'UpdateTable',
]);

const lowerFirst = (s: string) => s[0]!.toLowerCase() + s.slice(1);
const actions = new Map<string, (store: DynaliteStore, data: Record<string, unknown>, cb: Callback) => void>();
const checks = new Map<string, { types: unknown; custom?: unknown }>();
for (const operation of DYNALITE_OPERATIONS) {
  actions.set(operation, require(`dynalite/actions/${lowerFirst(operation)}.js`));
  checks.set(operation, require(`dynalite/validations/${lowerFirst(operation)}.js`));
}

/**
 * Checks `input` as dynalite's HTTP handler does (types, then the operation's rules) and returns the
 * request the action takes (with parsed expressions: `_condition`, `_updates`, `_projection`).
 * Throws the {@link DynaliteError} the HTTP answer would carry. A GetItem of the data sources'
 * shape takes a shorter way to the same outcome ({@link plainGetItem}).
 */
export function validated(store: DynaliteStore, operation: string, input: Record<string, unknown>): Record<string, unknown> {
  if (operation === 'GetItem') {
    const data = plainGetItem(input);
    if (data !== undefined) {
      const message = getItemCheck.custom(data, store);
      if (message) throw dynaliteDb.validationError(message);
      return data;
    }
  }
  return validatedByDynalite(store, operation, input);
}

/** dynalite's whole validation of `input` (its HTTP handler's): {@link validated} without its GetItem shortcut. */
export function validatedByDynalite(store: DynaliteStore, operation: string, input: Record<string, unknown>): Record<string, unknown> {
  const check = checks.get(operation)!;
  const data = validations.checkTypes(input, check.types);
  validations.checkValidations(data, check.types, check.custom, store);
  return data;
}

const getItemCheck = checks.get('GetItem') as {
  types: { TableName: { regex: string; lengthGreaterThanOrEqual: number; lengthLessThanOrEqual: number } };
  custom: (data: Record<string, unknown>, store: DynaliteStore) => string | undefined;
};
const tableNameRule = getItemCheck.types.TableName;
const TABLE_NAME = new RegExp(`^${tableNameRule.regex}$`);

/**
 * A GetItem of the shape the gateway's data sources send (TableName, a Key of `S` and `N` values,
 * ConsistentRead as a boolean), as the request dynalite's type check would make of it; undefined for
 * any other shape. dynalite's generic checks (checkTypes copies the request member by member through
 * its type table, checkNonRequired walks its rules: ~5 KB and ~4 µs a call, and a page whose items
 * each have a nested resolver makes a GetItem per item) come down, for this shape, to the table
 * name's rules, taken here from dynalite's own GetItem table; the operation's own rules (a key
 * number's format and range, expression parameters) still run, as dynalite's `custom` check (see
 * {@link validated}). Anything else (another member, a member of another type, a binary key, a
 * table name that breaks a rule) gets dynalite's whole validation, so every error stays dynalite's.
 * test/embedded/dynamodb/dynalite.test.ts compares both ways on requests of each kind.
 *
 * Written by hand: dynalite validates only through its generic walk.
 */
export function plainGetItem(input: Record<string, unknown>): Record<string, unknown> | undefined {
  for (const member in input) if (member !== 'TableName' && member !== 'Key' && member !== 'ConsistentRead') return undefined;
  const { TableName, Key, ConsistentRead } = input;
  if (typeof TableName !== 'string' || TableName.length < tableNameRule.lengthGreaterThanOrEqual || TableName.length > tableNameRule.lengthLessThanOrEqual)
    return undefined;
  if (!TABLE_NAME.test(TableName)) return undefined;
  if (ConsistentRead !== undefined && typeof ConsistentRead !== 'boolean') return undefined;
  if (Key === null || typeof Key !== 'object' || Array.isArray(Key)) return undefined;
  // A copy, as dynalite's check makes one: its number check rewrites `N` values in place (1.50 → 1.5).
  const key: Record<string, AttributeValueJson> = {};
  for (const name in Key) {
    if (!Object.hasOwn(Key, name)) return undefined;
    const value = (Key as Record<string, unknown>)[name];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    let type: string | undefined;
    for (const member in value) {
      if (type !== undefined || (member !== 'S' && member !== 'N')) return undefined;
      type = member;
    }
    const text = type === undefined ? undefined : (value as Record<string, unknown>)[type];
    if (typeof text !== 'string' || !Object.hasOwn(value, type!)) return undefined;
    key[name] = type === 'S' ? { S: text } : { N: text };
  }
  return ConsistentRead === undefined ? { TableName, Key: key } : { TableName, Key: key, ConsistentRead };
}

/**
 * Runs one dynalite action on already validated input; `mapError` turns its error into the one the
 * promise rejects with. The item actions of a store made by {@link createDynalite} read the table's
 * description from its cache (tableCache.ts).
 */
export function runAction(
  store: DynaliteStore,
  operation: string,
  data: Record<string, unknown>,
  mapError?: (error: DynaliteError) => unknown,
): Promise<Record<string, unknown>> {
  const target = storeForAction(store, operation);
  return new Promise((resolve, reject) => {
    actions.get(operation)!(target, data, (error, out) => (error ? reject(mapError ? mapError(error) : error) : resolve(out ?? {})));
  });
}

/**
 * dynalite's server and its store. dynalite builds the store inside `dynalite()` and keeps it to
 * itself; its module `db` is shared through Node's module cache, so `create` is wrapped for the
 * length of that one call to see the store it makes. `tableCache: false` leaves the table
 * descriptions uncached (tests compare both paths).
 */
export function createDynalite(options: Record<string, unknown>, { tableCache = true } = {}): { server: Server; store: DynaliteStore } {
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  const create = dynaliteDb.create;
  let store: DynaliteStore | undefined;
  dynaliteDb.create = (o) => (store = create(o));
  let server: Server;
  try {
    server = dynalite(options);
  } finally {
    dynaliteDb.create = create;
  }
  if (!store) throw new Error('dynalite did not create its store through db.create; the embedded DynamoDB store cannot run in-process');
  readSynchronously(store.db as unknown as LevelDb);
  closeIteratorsOnDestroy(store.db as unknown as LevelDb);
  if (tableCache) cacheTableDescriptions(store);
  return { server, store };
}

/** The parts of dynalite's LevelDB (abstract-level 3: classic-level on disk, memory-level in memory) read here. */
interface LevelDb {
  status: string;
  get(key: string, cb: (error: Error | null, value?: unknown) => void): void;
  getSync?(key: string): unknown;
  values(options?: unknown): LevelIterator;
  keys(options?: unknown): LevelIterator;
}

interface LevelIterator {
  close(): Promise<void>;
  return?: () => Promise<void>;
}

/**
 * dynalite's streams over its LevelDB (every Scan and Query, and a deleted table's keys) close their
 * iterator when the stream is destroyed, which Node does at its end, through `iterator.return()`;
 * abstract-level 3's iterators have `close()` and no `return`, so each stream left its iterator
 * open, kept by the database in its set of resources until the database closed: ~0.8 KB of heap
 * per Scan for as long as the gateway ran (measured: the heap after a full GC grew by that much per
 * page request). Each iterator the database makes gets a `return` that closes it.
 *
 * Written by hand: a fix of dynalite's use of abstract-level, which has no hook for it.
 */
function closeIteratorsOnDestroy(db: LevelDb): void {
  for (const method of ['values', 'keys'] as const) {
    const open = db[method];
    if (typeof open !== 'function') continue;
    db[method] = function (this: LevelDb, options?: unknown) {
      const iterator = open.call(this, options);
      if (typeof iterator.return !== 'function') iterator.return = () => iterator.close();
      return iterator;
    };
  }
}

let slowReadsWarned = false;

/**
 * dynalite reads with LevelDB's asynchronous `get` (through its callback wrapper): a trip through
 * libuv's thread pool, a promise and a `setImmediate` per read, and a GetItem read twice (the
 * table's description, now mostly kept by tableCache.ts, then the item). Measured on classic-level 3 with 1,000 small items: 8-45 µs
 * CPU and ~100 µs wall per sequential `get`, ~0.8 µs for `getSync`. So a read of an open database
 * is answered by `getSync`, and its callback runs from `setImmediate` as dynalite's own wrapper
 * calls it (never synchronously, and a chain of reads still lets I/O in between); a database not
 * open (still opening, or closed) keeps dynalite's own path, which waits for it or answers "Database
 * is closed". Writes keep the asynchronous path.
 */
function readSynchronously(db: LevelDb): void {
  const getSync = db.getSync;
  if (typeof getSync !== 'function') {
    if (!slowReadsWarned) {
      slowReadsWarned = true;
      process.emitWarning("the embedded DynamoDB store's LevelDB has no getSync (abstract-level 3); reads take the thread pool, ~100 µs each", {
        code: 'APPSYNC_GATEWAY_EMBEDDED_DYNAMODB_SLOW_READS',
      });
    }
    return;
  }
  const asyncGet = db.get;
  db.get = function get(key, cb) {
    if (typeof cb !== 'function' || db.status !== 'open') return asyncGet.call(db, key, cb);
    let value: unknown;
    try {
      value = getSync.call(db, key);
    } catch (error) {
      setImmediate(cb, error as Error);
      return;
    }
    setImmediate(cb, null, value);
  };
}

/** Where dynalite keeps an item and an index entry in its LevelDB (db/index.js getSubDb names). */
export const itemKey = (table: string, key: string) => `item-${table}~${key}`;
export const indexKey = (type: 'Local' | 'Global', table: string, index: string, key: string) => `index-${type.toLowerCase()}~${table}~${index}~${key}`;
