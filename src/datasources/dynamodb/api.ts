/**
 * The DynamoDB calls a data source makes, behind one small interface with two back ends: the AWS
 * SDK (any endpoint: AWS, DynamoDB Local, the embedded store's HTTP port) and, for data sources on
 * the embedded store, the store itself in memory.
 *
 * The in-memory back end hands the operation's JSON straight to the store — no signing, no SDK
 * middleware, no HTTP message — and gives answers and errors the shapes the SDK gives them (`B`
 * values as bytes, errors named after DynamoDB's exception with its message, extra fields such as
 * `CancellationReasons` kept), so operations.ts cannot tell the two apart. Written by hand: the
 * conversion is the JSON protocol's, which the SDK keeps inside its middleware stack.
 */
import { createRequire } from 'node:module';
import type * as sdk from '@aws-sdk/client-dynamodb';
import { StoreError, type EmbeddedDynamoDBStore } from '../../embedded/dynamodb/index.js';

/** Operation → [SDK input, SDK output]. */
export interface DynamoDBOperations {
  GetItem: [sdk.GetItemCommandInput, sdk.GetItemCommandOutput];
  PutItem: [sdk.PutItemCommandInput, sdk.PutItemCommandOutput];
  UpdateItem: [sdk.UpdateItemCommandInput, sdk.UpdateItemCommandOutput];
  DeleteItem: [sdk.DeleteItemCommandInput, sdk.DeleteItemCommandOutput];
  Query: [sdk.QueryCommandInput, sdk.QueryCommandOutput];
  Scan: [sdk.ScanCommandInput, sdk.ScanCommandOutput];
  BatchGetItem: [sdk.BatchGetItemCommandInput, sdk.BatchGetItemCommandOutput];
  BatchWriteItem: [sdk.BatchWriteItemCommandInput, sdk.BatchWriteItemCommandOutput];
  TransactGetItems: [sdk.TransactGetItemsCommandInput, sdk.TransactGetItemsCommandOutput];
  TransactWriteItems: [sdk.TransactWriteItemsCommandInput, sdk.TransactWriteItemsCommandOutput];
  DescribeTable: [sdk.DescribeTableCommandInput, sdk.DescribeTableCommandOutput];
  CreateTable: [sdk.CreateTableCommandInput, sdk.CreateTableCommandOutput];
  DescribeTimeToLive: [sdk.DescribeTimeToLiveCommandInput, sdk.DescribeTimeToLiveCommandOutput];
  UpdateTimeToLive: [sdk.UpdateTimeToLiveCommandInput, sdk.UpdateTimeToLiveCommandOutput];
}

export type DynamoDBOperation = keyof DynamoDBOperations;

/** What a data source calls DynamoDB through. */
export interface DynamoDBApi {
  /** Resolves with the SDK's output shape; rejects with an error named after DynamoDB's exception. */
  call<K extends DynamoDBOperation>(operation: K, input: DynamoDBOperations[K][0]): Promise<Omit<DynamoDBOperations[K][1], '$metadata'>>;
}

let loaded: typeof sdk | undefined;
/**
 * The AWS SDK's DynamoDB package, loaded on first use: a data source on the embedded store calls
 * the store in memory, table set-up included, and needs the SDK only when a Step Functions task
 * asks for its client (loading the SDK and its first calls cost ~0.1 s of CPU per start).
 * `require`, not `import()`: the client is made inside a property read (index.ts); the package is
 * CommonJS either way, so Step Functions' `import` of it gets the same classes.
 */
export function dynamodbSdk(): typeof sdk {
  return (loaded ??= createRequire(import.meta.url)('@aws-sdk/client-dynamodb') as typeof sdk);
}

/** DynamoDB through an AWS SDK client. */
export function sdkApi(client: sdk.DynamoDBClient): DynamoDBApi {
  const module = dynamodbSdk();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const commands: Record<DynamoDBOperation, new (input: any) => any> = {
    GetItem: module.GetItemCommand,
    PutItem: module.PutItemCommand,
    UpdateItem: module.UpdateItemCommand,
    DeleteItem: module.DeleteItemCommand,
    Query: module.QueryCommand,
    Scan: module.ScanCommand,
    BatchGetItem: module.BatchGetItemCommand,
    BatchWriteItem: module.BatchWriteItemCommand,
    TransactGetItems: module.TransactGetItemsCommand,
    TransactWriteItems: module.TransactWriteItemsCommand,
    DescribeTable: module.DescribeTableCommand,
    CreateTable: module.CreateTableCommand,
    DescribeTimeToLive: module.DescribeTimeToLiveCommand,
    UpdateTimeToLive: module.UpdateTimeToLiveCommand,
  };
  return {
    call: (operation, input) => client.send(new commands[operation](input)) as never,
  };
}

/** Request side: SDK values (`B` as bytes, `undefined` members) → the JSON DynamoDB takes. */
function toWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (Array.isArray(value)) return value.map(toWire);
  const out: Record<string, unknown> = {};
  for (const key in value as Record<string, unknown>) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = toWire(v);
  }
  return out;
}

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

/**
 * Answer side: `B`/`BS` as bytes, as the SDK gives them. An attribute value `{ B: "…" }` has one
 * string member; a map with an attribute named B holds an object there, so the two cannot be mixed up.
 */
function fromWire(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fromWire(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const v = record[key];
    if (key === 'B' && typeof v === 'string') record[key] = bytes(v);
    else if (key === 'BS' && Array.isArray(v) && v.every((x) => typeof x === 'string')) record[key] = v.map((x: string) => bytes(x));
    else if (v !== null && typeof v === 'object') record[key] = fromWire(v);
  }
  return record;
}

/** An error as the SDK would throw it for this answer. */
function sdkError(error: StoreError): Error {
  const { __type, message, Message, ...fields } = error.body;
  const name = __type.slice(__type.lastIndexOf('#') + 1);
  // The SDK takes `message`, else `Message`, and says "UnknownError" when both are empty.
  const e = new Error((message ?? Message) || 'UnknownError');
  e.name = name;
  // The SDK also keeps the body's members, `__type` included.
  Object.assign(e, { __type }, fromWire(fields), { $fault: error.statusCode >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: error.statusCode } });
  return e;
}

const asSdkError = (error: unknown): never => {
  throw error instanceof StoreError ? sdkError(error) : error;
};

/** DynamoDB in memory: the embedded store called directly (one promise per call over the store's own, no async frame). */
export function embeddedApi(store: EmbeddedDynamoDBStore): DynamoDBApi {
  return {
    call: (operation, input) => store.call(operation, toWire(input) as Record<string, unknown>).then(fromWire, asSdkError) as never,
  };
}
