/**
 * AMAZON_DYNAMODB data source (docs/dynamodb.md): AppSync's request objects against
 * any DynamoDB endpoint (AWS, DynamoDB Local) or, without `endpoint`, the embedded store. Tables
 * declared in `config.table` (CloudFormation `AWS::DynamoDB::Table` Properties) or in a
 * serverless.yml's `resources` are created at start when missing.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { AttributeValue, CreateTableCommandInput, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AppSyncError, ConfigError } from '../../errors.js';
import {
  acquireEmbeddedDynamoDB,
  embeddedDynamoDBFolder,
  embeddedDynamoDBRequestHandler,
  embeddedDynamoDBStore,
  releaseEmbeddedDynamoDB,
} from '../../embedded/dynamodb/index.js';
import { dynamodbSdk, embeddedApi, sdkApi, type DynamoDBApi } from './api.js';
import { LambdaTargets } from './lambdaTargets.js';
import { runOperation } from './operations.js';
import { ensureTimeToLive, timeToLiveAttribute } from './timeToLive.js';
import { syncConfigFor, type ResolverSync, type VersioningConfig } from './versioning.js';
import { invalid } from './values.js';
import type { DataSource, DataSourceKind, DataSourceResult } from '../types.js';
import { DEFAULT_REGION } from '../../config/awsDefaults.js';

export interface DynamoDBDataSourceConfig {
  tableName: string;
  region?: string;
  /** Any DynamoDB endpoint; absent → the embedded store. */
  endpoint?: string;
  /**
   * Embedded store only: keep this data source's tables in memory (lost when the gateway stops)
   * instead of under the gateway's data folder. @default false
   */
  inMemory?: boolean;
  /** CloudFormation `AWS::DynamoDB::Table` Properties, created at start if the table is missing. */
  table?: Record<string, unknown>;
  useCallerCredentials?: boolean;
  /** Conflict detection and Sync: AppSync keeps `_version`, `_lastChangedAt`, `_deleted`, `_ttl`. */
  versioned?: boolean;
  /** Where changes are logged, and how long (minutes) log entries and tombstones live. */
  deltaSyncConfig?: { deltaSyncTableName: string; deltaSyncTableTTL?: number | string; baseTableTTL?: number | string };
  /** Serverless plugin keys accepted and ignored locally. */
  serviceRoleArn?: unknown;
  iamRoleStatements?: unknown;
}

const KNOWN = new Set([
  'tableName',
  'region',
  'endpoint',
  'inMemory',
  'table',
  'useCallerCredentials',
  'versioned',
  'deltaSyncConfig',
  'serviceRoleArn',
  'iamRoleStatements',
]);

function validate(config: unknown, path: string): ConfigError[] {
  const c = (config ?? {}) as Record<string, unknown>;
  const problems: ConfigError[] = [];
  if (typeof c.tableName !== 'string' || c.tableName.length < 3)
    problems.push(new ConfigError(`${path}.tableName`, `expected a table name (3-255 characters), got ${JSON.stringify(c.tableName)}`));
  if (c.endpoint !== undefined && (typeof c.endpoint !== 'string' || !/^https?:\/\//.test(c.endpoint)))
    problems.push(new ConfigError(`${path}.endpoint`, `expected an http(s) URL, got ${JSON.stringify(c.endpoint)}`));
  if (c.inMemory !== undefined && typeof c.inMemory !== 'boolean')
    problems.push(new ConfigError(`${path}.inMemory`, `expected true or false, got ${JSON.stringify(c.inMemory)}`));
  if (c.inMemory !== undefined && c.endpoint !== undefined)
    problems.push(new ConfigError(`${path}.inMemory`, 'only the embedded store (no endpoint) can be kept in memory'));
  if (c.region !== undefined && typeof c.region !== 'string') problems.push(new ConfigError(`${path}.region`, 'expected a region name'));
  if (c.table !== undefined && (typeof c.table !== 'object' || c.table === null))
    problems.push(new ConfigError(`${path}.table`, 'expected the Properties of an AWS::DynamoDB::Table'));
  if (c.versioned !== undefined && typeof c.versioned !== 'boolean')
    problems.push(new ConfigError(`${path}.versioned`, `expected true or false, got ${JSON.stringify(c.versioned)}`));
  if (c.versioned === true) {
    const d = c.deltaSyncConfig as Record<string, unknown> | undefined;
    if (!d || typeof d !== 'object' || typeof d.deltaSyncTableName !== 'string' || d.deltaSyncTableName.length < 3) {
      problems.push(new ConfigError(`${path}.deltaSyncConfig.deltaSyncTableName`, 'a versioned data source needs the name of its Delta table'));
    } else {
      for (const ttl of ['deltaSyncTableTTL', 'baseTableTTL']) {
        if (d[ttl] !== undefined && !(Number(d[ttl]) >= 0))
          problems.push(new ConfigError(`${path}.deltaSyncConfig.${ttl}`, `expected minutes (a number >= 0), got ${JSON.stringify(d[ttl])}`));
      }
    }
  }
  for (const key of Object.keys(c))
    if (!KNOWN.has(key)) problems.push(new ConfigError(`${path}.${key}`, `unknown key; expected one of ${[...KNOWN].join(', ')}`));
  return problems;
}

/** CloudFormation Properties → CreateTable input; provisioned throughput where the store needs it. */
function createTableInput(tableName: string, properties: Record<string, unknown>): CreateTableCommandInput {
  const {
    TableName: _ignored,
    BillingMode,
    ProvisionedThroughput,
    GlobalSecondaryIndexes,
    LocalSecondaryIndexes,
    AttributeDefinitions,
    KeySchema,
    StreamSpecification,
  } = properties as Record<string, any>;
  const throughput = BillingMode === 'PAY_PER_REQUEST' ? undefined : (ProvisionedThroughput ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 });
  return {
    TableName: tableName,
    AttributeDefinitions,
    KeySchema,
    BillingMode: BillingMode ?? (throughput ? 'PROVISIONED' : undefined),
    ProvisionedThroughput: throughput,
    GlobalSecondaryIndexes: GlobalSecondaryIndexes?.map((g: Record<string, unknown>) => ({
      ...g,
      ProvisionedThroughput: throughput ? (g.ProvisionedThroughput ?? throughput) : undefined,
    })),
    LocalSecondaryIndexes,
    StreamSpecification,
  };
}

/**
 * A created table takes requests once ACTIVE (DynamoDB and DynamoDB Local take a while, the
 * embedded store a timer tick); until then item operations fail with ResourceNotFoundException.
 */
async function waitUntilActive(api: DynamoDBApi, tableName: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 500)) {
    const { Table } = await api.call('DescribeTable', { TableName: tableName });
    if (Table?.TableStatus === 'ACTIVE') return;
    if (Date.now() + delay > deadline) throw new Error(`table ${tableName} is still ${Table?.TableStatus ?? 'missing'} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/**
 * The Delta table of a versioned data source (`ds_pk` HASH, `ds_sk` RANGE, as AppSync requires):
 * created from a serverless.yml resource of that TableName, or — Gateway choice — with that key
 * schema when the base table is declared in config or the store is local.
 */
async function ensureDeltaTable(
  api: DynamoDBApi,
  tableName: string,
  resources: Record<string, { Type?: string; Properties?: Record<string, unknown> }> | undefined,
  mayCreate: boolean,
  logger: { info(message: string): void },
  name: string,
): Promise<void> {
  const declared = Object.values(resources ?? {}).find((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties?.TableName === tableName)?.Properties;
  if (!declared && !mayCreate) return;
  try {
    await api.call('DescribeTable', { TableName: tableName });
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  const properties = declared ?? {
    AttributeDefinitions: [
      { AttributeName: 'ds_pk', AttributeType: 'S' },
      { AttributeName: 'ds_sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'ds_pk', KeyType: 'HASH' },
      { AttributeName: 'ds_sk', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  };
  try {
    await api.call('CreateTable', createTableInput(tableName, properties));
    await waitUntilActive(api, tableName);
    logger.info(`dynamodb data source ${name}: created delta table ${tableName}`);
  } catch (error) {
    // Two versioned data sources may share one Delta table and race to create it.
    if ((error as Error).name !== 'ResourceInUseException') throw error;
  }
}

/** A DynamoDB error as the resolver's `ctx.error` (`DynamoDB:<exception>`); the gateway's own errors stay as they are. */
function dynamoDBErrorResult(error: unknown): DataSourceResult {
  if (AppSyncError.is(error)) throw error;
  const e = error as { name?: string; message?: string };
  return { error: { type: `DynamoDB:${e.name ?? 'DynamoDbException'}`, message: e.message ?? String(error) } };
}

export const dynamodbKind: DataSourceKind<DynamoDBDataSourceConfig> = {
  validate,
  keepsData: (config) => !config.endpoint && config.inMemory !== true,
  async create({ name, config, configPath, gatewayConfig, logger, dataDir, inMemory }): Promise<DataSource> {
    const embedded = !config.endpoint;
    // The embedded store lives in the data folder unless the gateway or this data source is in memory.
    const storePath = embedded && dataDir && !inMemory && config.inMemory !== true ? embeddedDynamoDBFolder(dataDir) : undefined;
    let endpoint: string;
    try {
      endpoint = config.endpoint ?? (await acquireEmbeddedDynamoDB({ path: storePath }));
    } catch (error) {
      throw new ConfigError(storePath ? 'server.dataDir' : configPath, (error as Error).message, { cause: error });
    }
    const local = embedded || /^https?:\/\/(127\.|localhost|\[::1\])/.test(endpoint);
    const region = config.region ?? process.env.AWS_REGION ?? DEFAULT_REGION;
    const lambdas = new LambdaTargets(gatewayConfig, configPath);
    let client: DynamoDBClient | undefined;
    const sdkClient = (): DynamoDBClient => {
      if (client) return client;
      const inProcess = embedded ? embeddedDynamoDBRequestHandler(endpoint) : undefined;
      client = new (dynamodbSdk().DynamoDBClient)({
        endpoint,
        region,
        // Local stores accept any credentials; AWS uses the SDK's default chain.
        ...(local && !process.env.AWS_ACCESS_KEY_ID ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
        ...(inProcess ? { requestHandler: inProcess } : {}),
      });
      return client;
    };
    // The gateway's own calls to the embedded store, table set-up included, skip the SDK and go to
    // the store in memory; the SDK client is made when a Step Functions task asks for it.
    const store = embedded ? embeddedDynamoDBStore(endpoint) : undefined;
    const api = store ? embeddedApi(store) : sdkApi(sdkClient());
    if (embedded)
      logger.info(`dynamodb data source ${name}: using the embedded store`, {
        endpoint,
        table: config.tableName,
        data: storePath ?? 'in memory — nothing is kept',
      });

    const properties =
      config.table ??
      Object.values(gatewayConfig.cloudFormationResources ?? {}).find((r) => r.Type === 'AWS::DynamoDB::Table' && r.Properties?.TableName === config.tableName)
        ?.Properties;
    if (properties) {
      try {
        await api.call('DescribeTable', { TableName: config.tableName });
      } catch (error) {
        if ((error as Error).name !== 'ResourceNotFoundException') throw error;
        await api.call('CreateTable', createTableInput(config.tableName, properties));
        await waitUntilActive(api, config.tableName);
        logger.info(`dynamodb data source ${name}: created table ${config.tableName}`);
      }
      const ttl = timeToLiveAttribute(properties);
      if (ttl) await ensureTimeToLive(api, config.tableName, ttl);
    }

    let versioning: VersioningConfig | undefined;
    if (config.versioned === true && config.deltaSyncConfig) {
      const d = config.deltaSyncConfig;
      // Defaults as the Serverless AppSync plugin v2 documents them.
      versioning = {
        deltaSyncTableName: d.deltaSyncTableName,
        deltaSyncTableTTL: Number(d.deltaSyncTableTTL ?? 1440),
        baseTableTTL: Number(d.baseTableTTL ?? 43200),
      };
      await ensureDeltaTable(api, versioning.deltaSyncTableName, gatewayConfig.cloudFormationResources, properties !== undefined || local, logger, name);
      if (local) {
        // Tombstones and Delta entries carry `_ttl`; AppSync's tables expire by it (docs/dynamodb.md: TTL).
        await ensureTimeToLive(api, versioning.deltaSyncTableName, '_ttl');
        if (properties) await ensureTimeToLive(api, config.tableName, '_ttl');
      }
    }
    const syncConfigs = new Map<string, ResolverSync | undefined>();
    const syncOf = (resolverName: string | undefined) => {
      if (!versioning || !resolverName) return undefined;
      if (!syncConfigs.has(resolverName)) syncConfigs.set(resolverName, syncConfigFor(gatewayConfig, resolverName));
      return syncConfigs.get(resolverName);
    };

    // Gateway choice (docs/dynamodb.md#request-objects-in-detail): nextToken is authenticated-encrypted, so clients
    // cannot read or forge it; the key lives as long as the data source.
    const tokenKey = randomBytes(32);
    const sealToken = (lastEvaluatedKey: Record<string, AttributeValue>) => {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', tokenKey, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(lastEvaluatedKey), 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    };
    const openToken = (token: string) => {
      try {
        const raw = Buffer.from(token, 'base64url');
        const decipher = createDecipheriv('aes-256-gcm', tokenKey, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as Record<string, AttributeValue>;
      } catch {
        throw invalid('nextToken', 'the token is not one this data source issued');
      }
    };

    const dataSource: DataSource & { readonly client: DynamoDBClient } = {
      name,
      type: 'AMAZON_DYNAMODB',
      // Step Functions DynamoDB tasks reach the table through this client, so they see the same store.
      get client() {
        return sdkClient();
      },
      // Not async (no frame, one then()): a page whose items each have a nested resolver calls it once per item.
      invoke(request, invocation) {
        if (!request || typeof request !== 'object' || Array.isArray(request))
          return Promise.reject(invalid('request', 'expected an object with an operation'));
        let answer: Promise<DataSourceResult>;
        try {
          const sync = syncOf(invocation?.resolverName);
          answer = runOperation(
            { client: api, table: config.tableName, sealToken, openToken, region, invocation, lambdas, versioning, sync },
            request as Record<string, unknown>,
          );
        } catch (error) {
          answer = Promise.reject(error);
        }
        return answer.then(undefined, dynamoDBErrorResult);
      },
      async close() {
        client?.destroy();
        await lambdas.close();
        if (embedded) await releaseEmbeddedDynamoDB(endpoint);
      },
    };
    return dataSource;
  },
};
