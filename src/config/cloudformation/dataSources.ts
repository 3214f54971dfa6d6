/** AppSync data sources and state machines of a template as the gateway's data-source and Step Functions config. */
import { readFileSync } from 'node:fs';
import { isDefaultEventBusArn } from '../awsDefaults.js';
import { GATEWAY_URL_VARIABLE } from '../variables.js';
import type { LocalFunctions } from './functions.js';
import type { Located } from './resources.js';

/** Table properties the embedded store's CreateTable reads; the rest (billing, streams, tags) is left out. */
const TABLE_KEYS = [
  'KeySchema',
  'AttributeDefinitions',
  'GlobalSecondaryIndexes',
  'LocalSecondaryIndexes',
  'TimeToLiveSpecification',
  'BillingMode',
  'ProvisionedThroughput',
];

export function dataSourceConfig(r: Located, type: string, resources: Located[], functions: LocalFunctions): Record<string, unknown> {
  const ev = r.stack.evaluator;
  const p = (name: string) => ev.property(r.logicalId, name);
  const at = (name: string) => `Resources.${r.logicalId}.Properties.${name}`;
  switch (type) {
    case 'NONE':
      return {};
    case 'AMAZON_DYNAMODB': {
      const c = (p('DynamoDBConfig') ?? {}) as Record<string, any>;
      const tableName = String(c.TableName);
      const table = resources.find(
        (t) =>
          (t.type === 'AWS::DynamoDB::Table' || t.type === 'AWS::DynamoDB::GlobalTable') &&
          t.stack.evaluator.physicalId(t.logicalId, `Resources.${t.logicalId}`) === tableName,
      );
      let properties: Record<string, unknown> | undefined;
      if (table) {
        const all = Object.fromEntries(TABLE_KEYS.map((k) => [k, table.stack.evaluator.property(table.logicalId, k)]).filter(([, v]) => v !== undefined));
        // A GlobalTable keeps TTL at the top and its indexes' throughput per replica; the embedded store needs neither.
        properties = all;
      }
      const delta = c.DeltaSyncConfig as Record<string, unknown> | undefined;
      return {
        tableName,
        ...(properties ? { table: properties } : {}),
        ...(c.Versioned === true || c.Versioned === 'true' ? { versioned: true } : {}),
        ...(delta
          ? { deltaSyncConfig: { deltaSyncTableName: delta.DeltaSyncTableName, deltaSyncTableTTL: delta.DeltaSyncTableTTL, baseTableTTL: delta.BaseTableTTL } }
          : {}),
      };
    }
    case 'AWS_LAMBDA': {
      const c = (p('LambdaConfig') ?? {}) as Record<string, any>;
      const arn = String(c.LambdaFunctionArn ?? '');
      const local = functions.byArn(arn, at('LambdaConfig.LambdaFunctionArn'));
      const endpoint = local ? functions.remote.get(local) : undefined;
      return local ? { functionName: local, ...(endpoint ? { endpoint } : {}) } : { functionArn: arn };
    }
    case 'HTTP': {
      const c = (p('HttpConfig') ?? {}) as Record<string, any>;
      const auth = c.AuthorizationConfig as Record<string, any> | undefined;
      // Gateway choice: AWS Step Functions' endpoint (AppSync's way to start a state machine) is the gateway's own Step Functions API.
      const states = typeof c.Endpoint === 'string' && /^https:\/\/(sync-)?states\.[a-z0-9-]+\.amazonaws\.com\/?$/.test(c.Endpoint);
      return {
        endpoint: states ? GATEWAY_URL_VARIABLE : c.Endpoint,
        ...(auth
          ? {
              authorizationConfig: {
                authorizationType: auth.AuthorizationType,
                ...(auth.AwsIamConfig
                  ? { awsIamConfig: { signingRegion: auth.AwsIamConfig.SigningRegion, signingServiceName: auth.AwsIamConfig.SigningServiceName } }
                  : {}),
              },
            }
          : {}),
      };
    }
    case 'RELATIONAL_DATABASE': {
      // The embedded Postgres stands in for the Aurora cluster's Data API (docs/cloudformation.md).
      const c = ((p('RelationalDatabaseConfig') as Record<string, any> | undefined)?.RdsHttpEndpointConfig ?? {}) as Record<string, any>;
      return {
        ...(c.DbClusterIdentifier ? { dbClusterIdentifier: String(c.DbClusterIdentifier) } : {}),
        ...(c.DatabaseName ? { databaseName: String(c.DatabaseName) } : {}),
        ...(c.Schema ? { schema: String(c.Schema) } : {}),
      };
    }
    case 'AMAZON_EVENTBRIDGE': {
      // Resolvers put events on the in-process EventBridge, which has only the default bus (docs/cloudformation.md#what-is-read).
      const arn = ((p('EventBridgeConfig') ?? {}) as Record<string, unknown>).EventBusArn;
      if (!isDefaultEventBusArn(arn))
        throw ev.error(
          at('EventBridgeConfig.EventBusArn'),
          `the event bus ${typeof arn === 'string' ? arn : JSON.stringify(arn)} is not the default bus ` +
            '(arn:aws:events:<region>:<account>:event-bus/default), the only bus of the in-process EventBridge; ' +
            'put the events on the default bus (events.EventBus.fromEventBusName(this, id, "default") in the CDK)',
        );
      return { eventBusArn: arn };
    }
    default:
      throw ev.error(
        at('Type'),
        `data source type ${type} is not supported by the gateway (NONE, AMAZON_DYNAMODB, AWS_LAMBDA, HTTP, RELATIONAL_DATABASE, AMAZON_EVENTBRIDGE)`,
      );
  }
}

/** `Definition` (object), `DefinitionString` (JSON text) or `DefinitionS3Location`, with `DefinitionSubstitutions` applied. */
export function stateMachineDefinition(r: Located): unknown {
  const ev = r.stack.evaluator;
  const p = (name: string) => ev.property(r.logicalId, name);
  let text: string;
  const definition = p('Definition');
  const definitionString = p('DefinitionString');
  const location = p('DefinitionS3Location') as { Bucket?: string; Key?: string } | string | undefined;
  if (definition !== undefined) text = JSON.stringify(definition);
  else if (typeof definitionString === 'string') text = definitionString;
  else if (location !== undefined) {
    const where = typeof location === 'string' ? location : `s3://${location.Bucket}/${location.Key}`;
    const file = r.stack.locate(where, `Resources.${r.logicalId}.Properties.DefinitionS3Location`);
    text = readText(file);
  } else throw ev.error(`Resources.${r.logicalId}.Properties`, 'expected Definition, DefinitionString or DefinitionS3Location');
  const substitutions = (p('DefinitionSubstitutions') ?? {}) as Record<string, unknown>;
  text = text.replace(/\$\{([^}]+)\}/g, (match, name: string) => (name in substitutions ? jsonInner(substitutions[name]) : match));
  try {
    return JSON.parse(text);
  } catch (error) {
    throw ev.error(`Resources.${r.logicalId}.Properties`, `the state machine definition is not JSON: ${(error as Error).message}`);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Puts `{ "Ref": LogicalId }` back where a Task state names the called resource by a value that is
 * not an ARN but the local name of a resource of the stack (`<StackName>-<LogicalId>`, what `Ref`
 * gives a resource the gateway does not model: an `AWS::StepFunctions::Activity`, an
 * `AWS::Lambda::Alias`, whose `Ref` is an ARN on AWS). The gateway's load then names the reference
 * and skips the machine (docs/stepfunctions.md#references-the-gateway-cannot-resolve) instead of
 * refusing the ARN as the definition's fault. Walks Parallel branches and Map processors.
 */
export function markUnresolvedRefs(definition: unknown, r: Located): void {
  const ev = r.stack.evaluator;
  const logicalIdOf = (value: string): string | undefined =>
    Object.keys(ev.resources).find((id) => value.endsWith(`-${id}`) && ev.physicalId(id, `Resources.${r.logicalId}.Properties`) === value);
  const visit = (machine: unknown) => {
    if (!isRecord(machine) || !isRecord(machine.States)) return;
    for (const state of Object.values(machine.States)) {
      if (!isRecord(state)) continue;
      if (state.Type === 'Task') {
        for (const holder of [state, state.Parameters, state.Arguments]) {
          const field = holder === state ? 'Resource' : 'FunctionName';
          if (!isRecord(holder) || typeof holder[field] !== 'string' || (holder[field] as string).startsWith('arn:')) continue;
          const logicalId = logicalIdOf(holder[field] as string);
          if (logicalId) holder[field] = { Ref: logicalId };
        }
      }
      if (Array.isArray(state.Branches)) state.Branches.forEach(visit);
      visit(state.ItemProcessor);
      visit(state.Iterator);
    }
  };
  visit(definition);
}

/** A substitution lands inside a JSON string: escaped like one. */
function jsonInner(value: unknown): string {
  return JSON.stringify(String(value)).slice(1, -1);
}

function readText(file: string): string {
  // Synchronous: translation runs once per load, on a file the locator just found.
  return readFileSync(file, 'utf8');
}
