/** AppSync data sources and state machines of a template as the gateway's data-source and Step Functions config. */
import { forEachCalledField } from '../stateMachineTasks.js';
import { readFileSync } from 'node:fs';
import { ConfigError, ConfigErrors } from '../../errors.js';
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

/**
 * `Definition` (object), `DefinitionString` (JSON text) or `DefinitionS3Location`, with `DefinitionSubstitutions` applied.
 * A Task's `Resource` or `FunctionName` that is an `Fn::ImportValue` no stack of the input exports, or an
 * `Fn::GetAtt` with no local value, written in `Definition` or as the whole value of a substitution, is kept
 * as its intrinsic: the gateway's load names it and skips the machine
 * (docs/stepfunctions.md#references-the-gateway-cannot-resolve). Anywhere else it fails the load, as before.
 */
export function stateMachineDefinition(r: Located): unknown {
  const ev = r.stack.evaluator;
  const p = (name: string) => ev.property(r.logicalId, name);
  const raw = ev.resources[r.logicalId]?.Properties ?? {};
  const kept = new KeptIntrinsics();
  let text: string;
  const definitionString = p('DefinitionString');
  const location = p('DefinitionS3Location') as { Bucket?: string; Key?: string } | string | undefined;
  if (raw.Definition !== undefined) {
    const path = `Resources.${r.logicalId}.Properties.Definition`;
    const definition = structuredClone(raw.Definition);
    forEachCalledField(definition, (value, _key, put) => {
      const placeholder = kept.tryEvaluate(ev, value, path);
      if (placeholder !== undefined) put(placeholder);
    });
    text = JSON.stringify(ev.evaluate(definition, path));
  } else if (typeof definitionString === 'string') text = definitionString;
  else if (location !== undefined) {
    const where = typeof location === 'string' ? location : `s3://${location.Bucket}/${location.Key}`;
    const file = r.stack.locate(where, `Resources.${r.logicalId}.Properties.DefinitionS3Location`);
    text = readText(file);
  } else throw ev.error(`Resources.${r.logicalId}.Properties`, 'expected Definition, DefinitionString or DefinitionS3Location');
  const rawSubstitutions = raw.DefinitionSubstitutions;
  const substitutions: Record<string, unknown> = {};
  if (isRecord(rawSubstitutions) && !Object.keys(rawSubstitutions).some((k) => k === 'Ref' || k.startsWith('Fn::'))) {
    // Entry by entry, so that one the gateway cannot evaluate is kept for the Task that names it.
    for (const [name, value] of Object.entries(rawSubstitutions)) {
      const path = `Resources.${r.logicalId}.Properties.DefinitionSubstitutions.${name}`;
      substitutions[name] = kept.tryEvaluate(ev, value, path) ?? ev.evaluate(value, path);
    }
  } else Object.assign(substitutions, p('DefinitionSubstitutions') ?? {});
  text = text.replace(/\$\{([^}]+)\}/g, (match, name: string) => (name in substitutions ? jsonInner(substitutions[name]) : match));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw ev.error(`Resources.${r.logicalId}.Properties`, `the state machine definition is not JSON: ${(error as Error).message}`);
  }
  forEachCalledField(parsed, (value, _key, put) => {
    const intrinsic = typeof value === 'string' ? kept.intrinsicOf(value) : undefined;
    if (intrinsic !== undefined) put(intrinsic);
  });
  kept.throwIfLeftIn(parsed);
  return parsed;
}

/**
 * Intrinsics of a machine the gateway cannot evaluate, each stood in for by a placeholder text until
 * the definition is read, then put back where a Task names what it calls; a placeholder anywhere
 * else fails the load with the evaluator's error.
 */
class KeptIntrinsics {
  private readonly byPlaceholder = new Map<string, { intrinsic: unknown; error: ConfigError }>();

  /** The placeholder for `value` when it is an intrinsic the gateway cannot evaluate but AWS can, else undefined. */
  tryEvaluate(ev: Located['stack']['evaluator'], value: unknown, path: string): string | undefined {
    if (!isRecord(value)) return undefined;
    const [name, argument] = Object.entries(value)[0] ?? [];
    const getAttOfResource = name === 'Fn::GetAtt' && Array.isArray(argument) && typeof argument[0] === 'string' && argument[0] in ev.resources;
    if (Object.keys(value).length !== 1 || (name !== 'Fn::ImportValue' && !getAttOfResource)) return undefined;
    try {
      ev.evaluate(value, path);
      return undefined;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      const placeholder = `\u0000unresolved ${this.byPlaceholder.size}`;
      this.byPlaceholder.set(placeholder, { intrinsic: value, error });
      return placeholder;
    }
  }

  intrinsicOf(placeholder: string): unknown {
    const entry = this.byPlaceholder.get(placeholder);
    if (entry) this.byPlaceholder.delete(placeholder);
    return entry?.intrinsic;
  }

  /** Fails with the evaluator's errors of the placeholders not put back (used elsewhere than a Task's Resource or FunctionName). */
  throwIfLeftIn(definition: unknown): void {
    const text = JSON.stringify(definition);
    const left = [...this.byPlaceholder].filter(([placeholder]) => text.includes(JSON.stringify(placeholder).slice(1, -1)));
    if (left.length > 0) throw new ConfigErrors(left.map(([, { error }]) => error));
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
  forEachCalledField(definition, (value, _key, put) => {
    if (typeof value !== 'string' || value.startsWith('arn:')) return;
    const logicalId = logicalIdOf(value);
    if (logicalId) put({ Ref: logicalId });
  });
}

/** A substitution lands inside a JSON string: escaped like one. */
function jsonInner(value: unknown): string {
  return JSON.stringify(String(value)).slice(1, -1);
}

function readText(file: string): string {
  // Synchronous: translation runs once per load, on a file the locator just found.
  return readFileSync(file, 'utf8');
}
