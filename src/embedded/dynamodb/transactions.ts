/**
 * TransactWriteItems and TransactGetItems on the embedded store (dynalite has neither).
 *
 * Written by hand over dynalite, as no library adds transactions to it: requests are checked with
 * dynalite's own validation of PutItem/UpdateItem/DeleteItem/GetItem, conditions are evaluated by
 * its condition code, and an update is applied by its own UpdateItem (on a scratch copy of the
 * item), so a transaction's items behave exactly as the single-item calls do.
 *
 * Isolation: a transaction takes dynalite's per-item lock — the one its PutItem, UpdateItem,
 * DeleteItem and BatchWriteItem take — on every item it names, in one global order (table, key),
 * so two transactions never deadlock and no single-item write lands between a transaction's read
 * and its write. Nothing is written until every condition holds; then all writes (items and index
 * entries) go to LevelDB as one batch, so no reader sees half a transaction and there is nothing to
 * roll back. TransactGetItems takes the same locks while it reads, so it sees a transaction whole
 * or not at all. Gateway choice: where DynamoDB cancels conflicting transactions
 * (TransactionConflict), the embedded store makes the later one wait for the earlier.
 *
 * Messages and shapes are DynamoDB Local's (test/datasources/dynamodb/transactions.test.ts runs the
 * same cases on both).
 */
import stableStringify from 'fast-json-stable-stringify';
import { dynaliteDb, itemKey, indexKey, runAction, validated, type DynaliteError, type DynaliteStore, type Item, type TableDescription } from './dynalite.js';
import { noSuchTable, StoreError, validationError } from './errors.js';

/** DynamoDB's limit of actions per transaction. */
const MAX_ITEMS = 100;
/** How long DynamoDB remembers a ClientRequestToken. */
const TOKEN_LIFETIME_MS = 10 * 60_000;

type Input = Record<string, unknown>;
const isObj = (v: unknown): v is Input => !!v && typeof v === 'object' && !Array.isArray(v);

/** The ClientRequestTokens of committed TransactWriteItems calls, for ten minutes. */
export class TransactionTokens {
  private readonly seen = new Map<string, { request: string; at: number }>();

  /** true: a repeat of a committed request (answer again, write nothing); throws on a mismatch. */
  isRepeat(token: string, request: string): boolean {
    const now = Date.now();
    for (const [t, entry] of this.seen) {
      // Insertion order is time order: stop at the first live entry.
      if (now - entry.at < TOKEN_LIFETIME_MS) break;
      this.seen.delete(t);
    }
    const entry = this.seen.get(token);
    if (!entry) return false;
    if (entry.request !== request) throw new StoreError(400, { __type: 'com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException', Message: '' });
    return true;
  }

  remember(token: string, request: string): void {
    this.seen.set(token, { request, at: Date.now() });
  }

  private readonly running = new Map<string, Promise<unknown>>();

  /**
   * Runs `work` as the only call of `token` in flight. Gateway choice: where DynamoDB answers a
   * second call with a token still in progress with TransactionInProgressException, the embedded
   * store lets it wait for the first and then answers it as a repeat (or runs it, if the first failed).
   */
  async exclusive<T>(token: string, work: () => Promise<T>): Promise<T> {
    // Each call queues behind the last one of its token, set before any await so none slips past.
    const mine = (this.running.get(token) ?? Promise.resolve()).catch(() => undefined).then(work);
    this.running.set(token, mine);
    try {
      return await mine;
    } finally {
      if (this.running.get(token) === mine) this.running.delete(token);
    }
  }
}

function itemList(input: Input): Input[] {
  const items = input.TransactItems;
  if (items === undefined || items === null)
    throw validationError("1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null");
  if (!Array.isArray(items)) throw new StoreError(400, { __type: 'com.amazon.coral.service#SerializationException', Message: 'Unexpected field type' });
  if (items.length < 1) throw validationError("Value [] at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1");
  if (items.length > MAX_ITEMS) throw validationError(`Member must have length less than or equal to ${MAX_ITEMS}`);
  return items.map((item) => (isObj(item) ? item : {}));
}

const getTable = (store: DynaliteStore, name: string) =>
  new Promise<TableDescription>((resolve, reject) =>
    store.getTable(name, true, (error, table) => (error ? reject(error.name === 'NotFoundError' ? noSuchTable() : error) : resolve(table!))),
  );

async function tablesOf(store: DynaliteStore, names: string[]): Promise<Map<string, TableDescription>> {
  const tables = new Map<string, TableDescription>();
  for (const name of new Set(names)) tables.set(name, await getTable(store, name));
  return tables;
}

/** Locks (table, key) pairs in one global order; resolves with the function that frees them all. */
async function lockAll(store: DynaliteStore, targets: Array<{ table: string; key: string }>): Promise<() => void> {
  const sorted = [...targets].sort((a, b) => (a.table === b.table ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.table < b.table ? -1 : 1));
  const releases: Array<() => void> = [];
  for (const { table, key } of sorted) {
    releases.push(await new Promise<() => void>((resolve) => store.getItemDb(table).lock(key, (release) => resolve(release(() => {})))));
  }
  return () => {
    for (const release of releases) release();
  };
}

const read = (store: DynaliteStore, table: string, key: string) =>
  new Promise<Item | undefined>((resolve, reject) =>
    store
      .getItemDb(table)
      .get(key, (error, item) => (error && error.name !== 'NotFoundError' ? reject(error) : resolve(error ? undefined : (item ?? undefined)))),
  );

function checkDuplicates(targets: Array<{ table: string; key: string }>): void {
  const seen = new Set<string>();
  for (const { table, key } of targets) {
    const id = `${table}\u0000${key}`;
    if (seen.has(id)) throw validationError('Transaction request cannot include multiple operations on one item');
    seen.add(id);
  }
}

/** DynamoDB Local's words for a bad table name in a transaction. */
function checkTableName(name: unknown): void {
  if (typeof name === 'string' && (name.length < 3 || name.length > 255 || !/^[a-zA-Z0-9_.-]+$/.test(name))) {
    throw validationError(
      'Invalid table/index name.  Table/index names must be between 3 and 255 characters long, ' +
        "and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'",
    );
  }
}

type Kind = 'ConditionCheck' | 'Put' | 'Update' | 'Delete';
const KINDS: Kind[] = ['ConditionCheck', 'Put', 'Update', 'Delete'];
const FIELD: Record<Kind, string> = { ConditionCheck: 'conditionCheck', Put: 'put', Update: 'update', Delete: 'delete' };

interface Planned {
  kind: Kind;
  table: string;
  /** Validated by dynalite (parsed `_condition`, `_updates`). */
  data: Input;
  key: string;
  returnOld: boolean;
  /** A key attribute of the wrong type: cancelled with a ValidationError reason. */
  mismatch?: boolean;
}

function planWrite(store: DynaliteStore, entry: Input, position: number): Planned {
  const kinds = KINDS.filter((k) => entry[k] !== undefined && entry[k] !== null);
  if (kinds.length !== 1) throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
  const kind = kinds[0]!;
  const spec = isObj(entry[kind]) ? (entry[kind] as Input) : {};
  const at = `transactItems.${position + 1}.member.${FIELD[kind]}`;
  const required =
    kind === 'Put'
      ? ['TableName', 'Item']
      : kind === 'Update'
        ? ['TableName', 'Key', 'UpdateExpression']
        : kind === 'ConditionCheck'
          ? ['TableName', 'Key', 'ConditionExpression']
          : ['TableName', 'Key'];
  for (const field of required) {
    if (spec[field] === undefined || spec[field] === null)
      throw validationError(`Value null at '${at}.${field[0]!.toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`);
  }
  const returnValues = spec.ReturnValuesOnConditionCheckFailure;
  if (returnValues !== undefined && returnValues !== null && returnValues !== 'ALL_OLD' && returnValues !== 'NONE') {
    throw validationError(
      `1 validation error detected: Value '${String(returnValues)}' at '${at}.returnValuesOnConditionCheckFailure' failed to satisfy constraint: ` +
        'Member must satisfy enum value set: [ALL_OLD, NONE]',
    );
  }
  checkTableName(spec.TableName);
  const common = {
    TableName: spec.TableName,
    ConditionExpression: spec.ConditionExpression,
    ExpressionAttributeNames: spec.ExpressionAttributeNames,
    ExpressionAttributeValues: spec.ExpressionAttributeValues,
  };
  const data =
    kind === 'Put'
      ? validated(store, 'PutItem', { ...common, Item: spec.Item })
      : kind === 'Update'
        ? validated(store, 'UpdateItem', { ...common, Key: spec.Key, UpdateExpression: spec.UpdateExpression })
        : validated(store, 'DeleteItem', { ...common, Key: spec.Key });
  return { kind, table: String(spec.TableName), data, key: '', returnOld: returnValues === 'ALL_OLD' };
}

/**
 * The items Updates leave, computed by dynalite's UpdateItem on a scratch store that holds copies of
 * just those items while a transaction runs. One scratch store serves every transaction of a store:
 * the items a transaction copies are locked by it, so no two transactions share one, and each
 * transaction removes its copies (and the index entries UpdateItem made for them) when it ends.
 */
export class Scratch {
  private readonly store: DynaliteStore;

  constructor(maxItemSizeKb: number) {
    this.store = dynaliteDb.create({ maxItemSizeKb });
  }

  private write(ops: Array<{ type: 'put' | 'del'; key: string; value?: unknown }>): Promise<void> {
    return new Promise((resolve, reject) => this.store.db.batch(ops, (e) => (e ? reject(e) : resolve())));
  }

  /** Applies `data` (a validated UpdateItem) to `existing`; `written` collects what to remove afterwards. */
  async apply(table: TableDescription, key: string, existing: Item | undefined, data: Input, written: string[]): Promise<Item> {
    // The table's description as it is now (an UpdateTable may have changed it since the last time).
    await this.write([
      { type: 'put', key: `table~${table.TableName}`, value: table },
      ...(existing ? [{ type: 'put' as const, key: itemKey(table.TableName, key), value: existing }] : []),
    ]);
    written.push(itemKey(table.TableName, key));
    const { _condition: _c, Expected: _e, ...update } = data;
    const out = await runAction(this.store, 'UpdateItem', { ...update, ReturnValues: 'ALL_NEW' });
    const item = out.Attributes as Item;
    for (const op of indexWrites(table, undefined, item)) written.push(op.key);
    return item;
  }

  clear(written: string[]): Promise<void> {
    return written.length ? this.write(written.map((key) => ({ type: 'del' as const, key }))) : Promise.resolve();
  }
}

/**
 * DynamoDB Local cancels with a ValidationError reason for what the update's paths break (a key
 * attribute, an index key's type) and answers a ValidationException for what only applying it
 * finds (an operand of the wrong type, an item grown too large); the embedded store does the same.
 */
function updateRefused(data: Input, table: TableDescription): DynaliteError | null {
  return dynaliteDb.validateUpdates(data.AttributeUpdates, data._updates, table);
}

/**
 * Checks the key of a transaction's item as DynamoDB Local does: a missing key attribute fails the
 * whole call, a key attribute of the wrong type cancels with a ValidationError reason (true).
 */
function keyMismatch(kind: Kind, keyOrItem: Input, table: TableDescription): boolean {
  if (kind !== 'Put' && Object.keys(keyOrItem).length !== table.KeySchema.length) throw validationError('The number of conditions on the keys is invalid');
  if (table.KeySchema.some((k) => keyOrItem[k.AttributeName] === undefined)) throw validationError('One of the required keys was not given a value');
  const types = new Map(table.AttributeDefinitions.map((d) => [d.AttributeName, d.AttributeType]));
  if (table.KeySchema.some((k) => !isObj(keyOrItem[k.AttributeName]) || Object.keys(keyOrItem[k.AttributeName] as Input)[0] !== types.get(k.AttributeName)))
    return true;
  const invalid = kind === 'Put' ? dynaliteDb.validateItem(keyOrItem, table) : dynaliteDb.validateKey(keyOrItem, table);
  if (invalid) throw invalid;
  return false;
}

function indexWrites(table: TableDescription, before: Item | undefined, after: Item | undefined): Array<{ type: 'put' | 'del'; key: string; value?: unknown }> {
  const ops: Array<{ type: 'put' | 'del'; key: string; value?: unknown }> = [];
  for (const type of ['Local', 'Global'] as const) {
    const indexes = table[`${type}SecondaryIndexes`] ?? [];
    if (!indexes.length) continue;
    const { puts, deletes } = dynaliteDb.getIndexActions(indexes, before, after, table);
    for (const d of deletes) ops.push({ type: 'del', key: indexKey(type, table.TableName, d.index, d.key) });
    for (const p of puts) ops.push({ type: 'put', key: indexKey(type, table.TableName, p.index, p.key), value: p.item });
  }
  return ops;
}

const cancellation = (reasons: Input[]) =>
  new StoreError(400, {
    __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
    CancellationReasons: reasons,
    Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
  });

/** DynamoDB's TransactWriteItems: every action or none; cancellation reasons in request order. */
export async function transactWriteItems(store: DynaliteStore, input: Input, tokens: TransactionTokens, scratch: Scratch): Promise<Input> {
  const entries = itemList(input);
  const planned = entries.map((entry, i) => planWrite(store, entry, i));
  const token = typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : undefined;
  if (!token) return writeItems(store, planned, scratch);
  const { ClientRequestToken: _token, ...rest } = input;
  // Key order differs between clients (an SDK over HTTP, the data sources in memory): compare canonically.
  const fingerprint = stableStringify(rest);
  return tokens.exclusive(token, async () => {
    if (tokens.isRepeat(token, fingerprint)) return {};
    const out = await writeItems(store, planned, scratch);
    tokens.remember(token, fingerprint);
    return out;
  });
}

async function writeItems(store: DynaliteStore, planned: Planned[], scratch: Scratch): Promise<Input> {
  const tables = await tablesOf(
    store,
    planned.map((p) => p.table),
  );
  for (const [i, p] of planned.entries()) {
    const table = tables.get(p.table)!;
    p.mismatch = keyMismatch(p.kind, (p.kind === 'Put' ? p.data.Item : p.data.Key) as Input, table);
    // An item whose key has the wrong type names no stored item; it only needs a lock of its own.
    p.key = p.mismatch ? `\u0000${i}` : dynaliteDb.createKey((p.kind === 'Put' ? p.data.Item : p.data.Key) as Item, table);
  }
  checkDuplicates(planned);
  // DynamoDB Local checks the updates before anything else and cancels at the first it refuses,
  // with that one reason; a key of the wrong type is a reason in its place among the others.
  for (const p of planned) {
    const refused = p.kind === 'Update' ? updateRefused(p.data, tables.get(p.table)!) : null;
    if (refused) throw cancellation([{ Code: 'ValidationError', Message: refused.body?.message ?? refused.message }]);
  }
  const unlock = await lockAll(store, planned);
  const written: string[] = [];
  try {
    const before = await Promise.all(planned.map((p) => read(store, p.table, p.key)));
    const after: Array<Item | undefined> = [];
    const reasons: Input[] = [];
    for (const [i, p] of planned.entries()) {
      const existing = before[i];
      after[i] = existing;
      if (p.mismatch) {
        reasons.push({ Code: 'ValidationError', Message: 'One or more parameter values were invalid: Type mismatch for key' });
        continue;
      }
      if (dynaliteDb.checkConditional(p.data, existing)) {
        // DynamoDB Local words a ConditionCheck's failure with a final period, the others without.
        const reason: Input = {
          Code: 'ConditionalCheckFailed',
          Message: p.kind === 'ConditionCheck' ? 'The conditional request failed.' : 'The conditional request failed',
        };
        if (p.returnOld && existing) reason.Item = existing;
        reasons.push(reason);
        continue;
      }
      if (p.kind === 'Put') after[i] = p.data.Item as Item;
      else if (p.kind === 'Delete') after[i] = undefined;
      else if (p.kind === 'Update') after[i] = await scratch.apply(tables.get(p.table)!, p.key, existing, p.data, written);
      reasons.push({ Code: 'None' });
    }
    if (reasons.some((r) => r.Code !== 'None')) throw cancellation(reasons);
    const ops: Array<{ type: 'put' | 'del'; key: string; value?: unknown }> = [];
    for (const [i, p] of planned.entries()) {
      if (p.kind === 'ConditionCheck') continue;
      const table = tables.get(p.table)!;
      if (after[i]) ops.push({ type: 'put', key: itemKey(p.table, p.key), value: after[i] });
      else if (before[i]) ops.push({ type: 'del', key: itemKey(p.table, p.key) });
      ops.push(...indexWrites(table, before[i], after[i]));
    }
    if (ops.length) await new Promise<void>((resolve, reject) => store.db.batch(ops, (e) => (e ? reject(e) : resolve())));
    return {};
  } finally {
    await scratch.clear(written);
    unlock();
  }
}

/** DynamoDB's TransactGetItems: the items as of one moment, in request order (`{}` for a missing one). */
export async function transactGetItems(store: DynaliteStore, input: Input): Promise<Input> {
  const entries = itemList(input);
  const planned = entries.map((entry, i) => {
    if (!isObj(entry.Get)) throw validationError(`Value null at 'transactItems.${i + 1}.member.get' failed to satisfy constraint: Member must not be null`);
    const spec = entry.Get;
    for (const field of ['TableName', 'Key']) {
      if (spec[field] === undefined || spec[field] === null)
        throw validationError(
          `Value null at 'transactItems.${i + 1}.member.get.${field[0]!.toLowerCase()}${field.slice(1)}' failed to satisfy constraint: Member must not be null`,
        );
    }
    checkTableName(spec.TableName);
    const data = validated(store, 'GetItem', {
      TableName: spec.TableName,
      Key: spec.Key,
      ProjectionExpression: spec.ProjectionExpression,
      ExpressionAttributeNames: spec.ExpressionAttributeNames,
    });
    return { table: String(spec.TableName), data, key: '' };
  });
  const tables = await tablesOf(
    store,
    planned.map((p) => p.table),
  );
  for (const p of planned) {
    const table = tables.get(p.table)!;
    // DynamoDB Local names these TransactionCanceledException, with no reasons.
    const key = p.data.Key as Input;
    const refuse = (message: string) => new StoreError(400, { __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException', Message: message });
    if (Object.keys(key).length !== table.KeySchema.length) throw refuse('The number of conditions on the keys is invalid');
    if (table.KeySchema.some((k) => key[k.AttributeName] === undefined)) throw refuse('One of the required keys was not given a value');
    if (keyMismatch('Delete', key, table)) throw refuse('One or more parameter values were invalid: Type mismatch for key');
    p.key = dynaliteDb.createKey(p.data.Key as Item, table);
  }
  checkDuplicates(planned);
  const unlock = await lockAll(store, planned);
  let items: Array<Item | undefined>;
  try {
    items = await Promise.all(planned.map((p) => read(store, p.table, p.key)));
  } finally {
    unlock();
  }
  return {
    Responses: items.map((item, i) => {
      if (!item) return {};
      const projection = planned[i]!.data._projection as { paths: unknown } | undefined;
      return { Item: projection ? dynaliteDb.mapPaths(projection.paths, item) : item };
    }),
  };
}
