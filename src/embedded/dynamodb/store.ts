/**
 * The embedded DynamoDB store as one object: DynamoDB's JSON request in, its JSON answer out, no
 * HTTP between. dynalite serves the operations it knows; transactions and TTL, which it lacks, are
 * this folder's own (transactions.ts, ttl.ts). The same object answers the store's HTTP endpoint
 * for those operations (see {@link serveExtraOperations}), so an AWS SDK pointed at the endpoint
 * and the gateway's own data sources see one store with one behaviour.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import {
  createDynalite,
  dynaliteDb,
  DYNALITE_OPERATIONS,
  runAction,
  validated,
  type DynaliteError,
  type DynaliteStore,
  type Item,
  type TableDescription,
} from './dynalite.js';
import { StoreError } from './errors.js';
import { Scratch, transactGetItems, transactWriteItems, TransactionTokens } from './transactions.js';
import { TimeToLive } from './ttl.js';

/** The operations this folder adds to dynalite's. */
const EXTRA_OPERATIONS = new Set(['TransactWriteItems', 'TransactGetItems', 'UpdateTimeToLive', 'DescribeTimeToLive']);
/** Writes whose failed condition can return the current item (ReturnValuesOnConditionCheckFailure). */
const CONDITIONAL_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem']);
/** What the HTTP endpoint answers itself; dynalite's own handler answers the rest. */
const SERVED = new Set([...EXTRA_OPERATIONS, ...CONDITIONAL_WRITES]);

export class EmbeddedDynamoDBStore {
  readonly ttl: TimeToLive;
  private readonly tokens = new TransactionTokens();
  private readonly scratch: Scratch;

  constructor(readonly dynalite: DynaliteStore) {
    this.ttl = new TimeToLive(this);
    this.scratch = new Scratch(dynalite.options.maxItemSize / 1024);
  }

  /**
   * One DynamoDB call, as its JSON request body (`B` values base64). Resolves with the answer's
   * JSON; rejects with a {@link StoreError} when DynamoDB would answer with an error.
   *
   * Not async: a call dynalite answers costs its action's one promise (a page of items with a
   * nested resolver makes one GetItem per item).
   */
  call(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (EXTRA_OPERATIONS.has(operation)) return this.#callExtra(operation, input);
    try {
      if (!DYNALITE_OPERATIONS.has(operation)) throw new StoreError(400, { __type: 'com.amazon.coral.service#UnknownOperationException' });
      // Read before validation, which drops the members dynalite does not know.
      const returnOld = CONDITIONAL_WRITES.has(operation) && input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
      const data = validated(this.dynalite, operation, input);
      if (returnOld) return this.#writeReturningOld(operation, data);
      return runAction(this.dynalite, operation, data, StoreError.from);
    } catch (error) {
      return Promise.reject(StoreError.from(error));
    }
  }

  /** The operations this folder adds to dynalite's. */
  async #callExtra(operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      switch (operation) {
        case 'TransactWriteItems':
          return await transactWriteItems(this.dynalite, input, this.tokens, this.scratch);
        case 'TransactGetItems':
          return await transactGetItems(this.dynalite, input);
        case 'UpdateTimeToLive':
          return await this.ttl.update(input);
        case 'DescribeTimeToLive':
          return await this.ttl.describe(input);
        default:
          // call() sends only EXTRA_OPERATIONS here: an operation added to that set needs its case too.
          throw new Error(`internal error: the embedded DynamoDB store has no handler for ${operation}, though EXTRA_OPERATIONS lists it`);
      }
    } catch (error) {
      throw StoreError.from(error);
    }
  }

  /** A conditional write asked for the item on a failed condition (ReturnValuesOnConditionCheckFailure: ALL_OLD). */
  async #writeReturningOld(operation: string, data: Record<string, unknown>): Promise<Record<string, unknown>> {
    try {
      return await runAction(this.dynalite, operation, data);
    } catch (error) {
      throw await this.withCurrentItem(error, data).then(StoreError.from, StoreError.from);
    }
  }

  /**
   * dynalite has no ReturnValuesOnConditionCheckFailure: a failed condition gets the item as read
   * under its lock right after the check (as close as dynalite allows to DynamoDB's item at the check).
   */
  private async withCurrentItem(error: unknown, data: Record<string, unknown>): Promise<unknown> {
    const e = error as DynaliteError;
    if (!e?.body?.__type?.endsWith('#ConditionalCheckFailedException')) return error;
    const table = await new Promise<TableDescription>((resolve, reject) =>
      this.dynalite.getTable(String(data.TableName), true, (err, t) => (err ? reject(err) : resolve(t!))),
    );
    const key = dynaliteDb.createKey((data.Item ?? data.Key) as Item, table);
    const itemDb = this.dynalite.getItemDb(table.TableName);
    const item = await new Promise<Item | undefined>((resolve, reject) =>
      itemDb.lock(key, (release) => {
        const done = release(() => {});
        itemDb.get(key, (err, value) => {
          done();
          if (err && err.name !== 'NotFoundError') reject(err);
          else resolve(err ? undefined : (value ?? undefined));
        });
      }),
    );
    return item ? new StoreError(e.statusCode ?? 400, { ...e.body!, Item: item }) : error;
  }

  close(): void {
    this.ttl.stop(true);
  }
}

const TARGET = /^DynamoDB_20120810\.(\w+)$/;

/**
 * Puts `store` in front of dynalite's HTTP handler for the operations dynalite lacks, and for the
 * conditional writes (whose failed condition may return the item, which dynalite does not); every
 * other request reaches dynalite as before. Written by hand: dynalite has no hook for operations.
 */
function serveExtraOperations(server: Server, store: EmbeddedDynamoDBStore): void {
  const dynalite = server.listeners('request')[0] as RequestListener;
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const operation = TARGET.exec(String(req.headers['x-amz-target'] ?? ''))?.[1];
    if (req.method !== 'POST' || !operation || !SERVED.has(operation)) {
      dynalite(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.statusCode = status;
        res.setHeader('x-amzn-RequestId', randomBytes(39).toString('base64').toUpperCase().replace(/[+/]/g, '0'));
        res.setHeader('x-amz-crc32', String(crc32(text)));
        res.setHeader('Content-Type', 'application/x-amz-json-1.0');
        res.setHeader('Content-Length', Buffer.byteLength(text));
        // As dynalite answers a browser's request.
        if (req.headers.origin) res.setHeader('Access-Control-Allow-Origin', '*');
        res.end(text);
      };
      // As dynalite (and DynamoDB) answer an unsigned request; the signature itself is not checked.
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-')) {
        send(400, { __type: 'com.amazon.coral.service#MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
        return;
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        send(400, { __type: 'com.amazon.coral.service#SerializationException' });
        return;
      }
      store.call(operation, input).then(
        (out) => send(200, out),
        (error: unknown) => {
          if (error instanceof StoreError) send(error.statusCode, error.body);
          else send(500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: (error as Error).message });
        },
      );
    });
  });
}

/**
 * dynalite's server with the store in front of it: the server answers other clients over HTTP (all
 * operations, transactions and TTL included), {@link EmbeddedDynamoDBStore.call} answers the
 * gateway's own data sources in memory.
 */
export function openEmbeddedDynamoDB(options: Record<string, unknown>, { tableCache = true } = {}): { server: Server; store: EmbeddedDynamoDBStore } {
  const { server, store: dynalite } = createDynalite(options, { tableCache });
  const store = new EmbeddedDynamoDBStore(dynalite);
  serveExtraOperations(server, store);
  server.once('close', () => store.close());
  return { server, store };
}
