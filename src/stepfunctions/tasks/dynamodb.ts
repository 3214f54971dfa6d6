/**
 * `arn:aws:states:::dynamodb:getItem|putItem|updateItem|deleteItem`: the Parameters are the
 * DynamoDB API request (AttributeValue form) and the result is its response plus the SDK metadata
 * Step Functions adds. `arn:aws:states:::aws-sdk:dynamodb:<action>` runs any DynamoDB API action
 * the same way and returns the bare response. The table must belong to a configured AMAZON_DYNAMODB data source; the call
 * goes to that data source's endpoint (its DynamoDB, DynamoDB Local or the embedded store).
 */
import { randomUUID } from 'node:crypto';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { NormalizedConfig } from '../../config/types.js';
import type { DataSource } from '../../datasources/types.js';
import { acquireEmbeddedDynamoDB, releaseEmbeddedDynamoDB } from '../../embedded/dynamodb/index.js';
import { StatesError } from '../engine/types.js';
import { notSupported, sdkMetadata } from './serviceError.js';
import { DEFAULT_REGION } from '../../config/awsDefaults.js';

const COMMANDS = {
  getItem: GetItemCommand,
  putItem: PutItemCommand,
  updateItem: UpdateItemCommand,
  deleteItem: DeleteItemCommand,
} as const;

export type DynamoDbAction = keyof typeof COMMANDS;
const DYNAMODB_ACTIONS = Object.keys(COMMANDS) as DynamoDbAction[];

/** Where a table lives: a fixed endpoint, or the embedded store (no endpoint). */
export interface TableLocation {
  endpoint?: string;
  region?: string;
  /** A client the data source already holds, when it exposes one. */
  client?: DynamoDBClient;
}

/**
 * Finds the AMAZON_DYNAMODB data source that owns `tableName`. Gateway choice: a table no data
 * source names is looked up where every DynamoDB data source points, when they all point to the
 * same place (usually: all use the embedded store); otherwise it does not exist.
 */
export function locateTable(config: NormalizedConfig, dataSources: ReadonlyMap<string, DataSource>, tableName: string): TableLocation | undefined {
  const dynamo = Object.values(config.dataSources).filter((ds) => ds.type === 'AMAZON_DYNAMODB');
  const located = (ds: (typeof dynamo)[number]): TableLocation => {
    const live = dataSources.get(ds.name) as (DataSource & { client?: unknown }) | undefined;
    const client = live?.client instanceof DynamoDBClient ? live.client : undefined;
    return { endpoint: ds.config.endpoint as string | undefined, region: ds.config.region as string | undefined, client };
  };
  const owner = dynamo.find((ds) => ds.config.tableName === tableName);
  if (owner) return located(owner);
  const places = new Set(dynamo.map((ds) => String(ds.config.endpoint ?? '')));
  if (dynamo.length > 0 && places.size === 1) return located(dynamo[0]!);
  return undefined;
}

type AnyCommand = new (input: never) => GetItemCommand;
type Locator = (tableName: string) => TableLocation | undefined;

/** How the two kinds of DynamoDB task name their errors. */
interface Flavor {
  error(code: string, message: string, statusCode: number, requestId?: string): StatesError;
}

/**
 * Optimized integration: `DynamoDB.<code>` with the AWS SDK for Java v1 summary; DynamoDB's
 * ValidationException is reported under the SDK's generic `AmazonDynamoDBException`.
 */
const OPTIMIZED: Flavor = {
  error: (code, message, statusCode, requestId = randomUUID()) =>
    new StatesError(
      `DynamoDB.${code === 'ValidationException' ? 'AmazonDynamoDBException' : code}`,
      `${message} (Service: AmazonDynamoDBv2; Status Code: ${statusCode}; Error Code: ${code}; Request ID: ${requestId}; Proxy: null)`,
    ),
};

/** AWS SDK integration: `DynamoDb.<code>` with the AWS SDK for Java v2 summary (ValidationException → `DynamoDbException`). */
const SDK: Flavor = {
  error: (code, message, statusCode, requestId = randomUUID()) =>
    new StatesError(
      `DynamoDb.${code === 'ValidationException' ? 'DynamoDbException' : code}`,
      `${message} (Service: DynamoDb, Status Code: ${statusCode}, Request ID: ${requestId})`,
    ),
};

/** The table a request is about: `TableName`, else the first of `RequestItems` / `TransactItems`. */
function tableNameOf(parameters: Record<string, unknown>): string | undefined {
  if (typeof parameters.TableName === 'string') return parameters.TableName;
  if (parameters.RequestItems && typeof parameters.RequestItems === 'object') return Object.keys(parameters.RequestItems)[0];
  if (Array.isArray(parameters.TransactItems)) {
    for (const item of parameters.TransactItems as Array<Record<string, { TableName?: unknown }>>) {
      for (const op of Object.values(item ?? {})) if (typeof op?.TableName === 'string') return op.TableName;
    }
  }
  return undefined;
}

/** DynamoDB clients by endpoint, shared by every Task of the gateway. */
export class DynamoDbTasks {
  private readonly clients = new Map<string, DynamoDBClient>();

  /** An optimized `arn:aws:states:::dynamodb:<action>` task (getItem, putItem, updateItem, deleteItem). */
  async run(action: string, resource: string, parameters: unknown, location: Locator, signal: AbortSignal): Promise<unknown> {
    const Command = (COMMANDS as unknown as Record<string, AnyCommand>)[action];
    if (!Command) throw notSupported(resource, `DynamoDB ${action} is not one of the supported actions (${DYNAMODB_ACTIONS.join(', ')})`);
    return this.call(OPTIMIZED, Command, action, parameters, location, signal);
  }

  /**
   * An AWS SDK integration task, `arn:aws:states:::aws-sdk:dynamodb:<action>`: any DynamoDB API
   * action (query, scan, batchWriteItem, …), the response as it is, errors as `DynamoDb.<name>`.
   */
  async runSdk(action: string, resource: string, parameters: unknown, location: Locator, signal: AbortSignal): Promise<unknown> {
    const Command = (dynamodbSdk as unknown as Record<string, AnyCommand | undefined>)[`${action.charAt(0).toUpperCase()}${action.slice(1)}Command`];
    if (!Command || action.charAt(0) !== action.charAt(0).toLowerCase()) throw notSupported(resource, `DynamoDB has no action ${action}`);
    return this.call(SDK, Command, action, parameters, location, signal);
  }

  private async call(flavor: Flavor, Command: AnyCommand, action: string, parameters: unknown, location: Locator, signal: AbortSignal): Promise<unknown> {
    if (!parameters || typeof parameters !== 'object' || Array.isArray(parameters))
      throw flavor.error('ValidationException', 'The parameters must be an object', 400);
    const tableName = tableNameOf(parameters as Record<string, unknown>);
    if (flavor === OPTIMIZED && tableName === undefined) {
      throw flavor.error(
        'ValidationException',
        "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null",
        400,
      );
    }
    const place = location(tableName ?? '');
    if (!place) throw flavor.error('ResourceNotFoundException', 'Requested resource not found', 400);

    const embedded = !place.client && !place.endpoint;
    const endpoint = place.endpoint ?? (embedded ? await acquireEmbeddedDynamoDB() : undefined);
    try {
      const client = place.client ?? this.client(endpoint!, place.region);
      // The SDK input types are per command; the parameters are the user's, checked by the service.
      const out = (await client.send(new Command(parameters as never), { abortSignal: signal })) as unknown as Record<string, unknown> & {
        $metadata: { requestId?: string; httpStatusCode?: number };
      };
      const { $metadata, ...body } = out;
      if (flavor === SDK) return body;
      const requestId = $metadata.requestId ?? randomUUID();
      const headers = { Connection: 'keep-alive', 'Content-Type': 'application/x-amz-json-1.0', Date: new Date().toUTCString(), 'x-amzn-RequestId': requestId };
      return { ...body, ...sdkMetadata(requestId, headers, $metadata.httpStatusCode ?? 200) };
    } catch (error) {
      if (error instanceof StatesError) throw error;
      const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
      if (e.name === 'AbortError') throw error;
      const message =
        embedded && e.name === 'UnknownOperationException' ? `The embedded DynamoDB store does not support ${action}` : (e.message ?? String(error));
      throw flavor.error(e.name ?? 'ValidationException', message, e.$metadata?.httpStatusCode ?? 400, e.$metadata?.requestId);
    } finally {
      if (embedded) await releaseEmbeddedDynamoDB();
    }
  }

  private client(endpoint: string, region: string | undefined): DynamoDBClient {
    const key = `${endpoint}|${region ?? ''}`;
    let client = this.clients.get(key);
    if (!client) {
      const local = /^https?:\/\/(127\.|localhost|\[::1\])/.test(endpoint);
      client = new DynamoDBClient({
        endpoint,
        region: region ?? process.env.AWS_REGION ?? DEFAULT_REGION,
        ...(local && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
      });
      this.clients.set(key, client);
    }
    return client;
  }

  close(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
