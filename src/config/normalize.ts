/**
 * Validation and normalisation: every problem is collected as a `ConfigError` naming its key path
 * (`resolvers.Query.getPost.dataSource: no data source named "posts"`), and the gateway refuses
 * to start while any remains.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, ConfigErrors } from '../errors.js';
import { didYouMean, unknownKeyErrors } from './unknownKeys.js';
import { normalizeCaching, normalizeResolverCaching } from './caching.js';
import { normalizeEvents } from './events.js';
import { normalizeStepFunctionsServices } from './stepFunctionsServices.js';
import { normalizeEventRules, normalizeStepFunctionsRoutes } from './stepFunctionsRoutes.js';
import { normalizeLocalCommands } from './stepFunctionsTasks.js';
import {
  AUTHENTICATION_TYPES,
  type AuthenticationType,
  type GatewayConfig,
  type MappingTemplates,
  type NormalizedApiKey,
  type NormalizedAuthentication,
  type NormalizedConfig,
  type NormalizedDataSource,
  type NormalizedPipelineFunction,
  type NormalizedResolver,
  type QueueConfig,
  type SandboxSettings,
  type TopicConfig,
} from './types.js';

export interface NormalizeOptions {
  configDir: string;
  configFile?: string;
  /** Data-source `type` names that exist (built-in and plugged in). */
  knownDataSourceTypes?: readonly string[];
  /** Kind-specific validation of a data source's `config` block. */
  validateDataSource?: (type: string, config: unknown, path: string) => ConfigError[];
  /** Clock for API key expiry (seconds since epoch are derived from it). */
  now?: number;
}

/** Keys of the Serverless AppSync plugin (v2) the gateway accepts and ignores locally. */
const IGNORED_PLUGIN_KEYS = new Set(['substitutions', 'waf', 'logging', 'xrayEnabled', 'domain', 'tags', 'visibility', 'esbuild', 'apiId', 'description']);
const TOP_LEVEL_KEYS = [
  'name',
  'schema',
  'schemaSdl',
  'authentication',
  'additionalAuthentications',
  'apiKeys',
  'dataSources',
  'resolvers',
  'pipelineFunctions',
  'environment',
  'server',
  'stepFunctions',
  'queryDepthLimit',
  'resolverCountLimit',
  'sandbox',
  'caching',
  'introspection',
  'events',
];
/** Set by the loader from a serverless.yml, never written by hand: not suggested. */
const LOADER_KEYS = ['cloudFormationResources', 'serverlessFunctions', 'additionalApis'];

/**
 * The keys of each block below the top level. Keys of the Serverless AppSync plugin (v2) the gateway
 * has no use for locally are accepted and ignored, as at the top level.
 */
const AUTHENTICATION_KEYS = ['type', 'config'];
/** Per mode: what src/auth reads (and the Serverless plugin's names for it). */
const AUTH_CONFIG_KEYS: Record<string, readonly string[]> = {
  API_KEY: [],
  AWS_IAM: ['credentials', 'region'],
  OPENID_CONNECT: ['issuer', 'clientId', 'iatTTL', 'authTTL', 'jwksUri'],
  AMAZON_COGNITO_USER_POOLS: ['userPoolId', 'awsRegion', 'appIdClientRegex', 'defaultAction', 'issuer', 'jwksUri'],
  AWS_LAMBDA: [
    'handler',
    'function',
    'functionName',
    'functionArn',
    'authorizerUri',
    'endpoint',
    'region',
    'timeout',
    'authorizerResultTtlInSeconds',
    'identityValidationExpression',
  ],
};
const IAM_CREDENTIAL_KEYS = ['accessKeyId', 'secretAccessKey', 'sessionToken', 'accountId', 'userArn', 'username', 'allow'];
const API_KEY_KEYS = ['name', 'value', 'description', 'expiresAt', 'expiresAfter'];
const IGNORED_API_KEY_KEYS = ['apiKeyId', 'wafRules'];
const DATA_SOURCE_KEYS = ['type', 'description', 'config'];
const RESOLVER_KEYS = ['kind', 'type', 'field', 'dataSource', 'code', 'request', 'response', 'functions', 'maxBatchSize', 'sync', 'caching'];
const PIPELINE_FUNCTION_KEYS = ['dataSource', 'code', 'request', 'response', 'description', 'maxBatchSize', 'sync'];
const IGNORED_RESOLVER_KEYS = ['caching', 'substitutions', 'name'];
const SYNC_KEYS = ['conflictDetection', 'conflictHandler', 'function', 'functionName', 'functionArn', 'lambdaConflictHandlerConfig'];
const SERVER_KEYS = ['port', 'host', 'dataDir', 'redis'];
/** Limits of the resolver sandbox and the range each accepts. */
const SANDBOX_LIMITS: Record<Exclude<keyof SandboxSettings, 'evaluateSimpleHandlers'>, [min: number, max: number]> = {
  timeoutMs: [1, 30_000],
  memoryLimitMb: [32, 16_384],
  processes: [1, 64],
  maxResultChars: [1024, 512 * 1024 * 1024],
  maxLogChars: [80, 64 * 1024 * 1024],
};
const STEP_FUNCTIONS_KEYS = ['stateMachines', 'store', 'queues', 'topics', 'services', 'routes', 'rules', 'taskDefinitions', 'jobDefinitions'];
/** The Serverless Step Functions plugin's keys the gateway does not use. */
const IGNORED_STEP_FUNCTIONS_KEYS = ['activities', 'validate', 'noOutput'];
const STATE_MACHINE_KEYS = ['name', 'type', 'definition', 'role', 'loggingConfig'];
const IGNORED_STATE_MACHINE_KEYS = ['id', 'events', 'tracingConfig', 'tags', 'alarms', 'notifications', 'useExactVersion', 'retain', 'dependsOn'];

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * A data-source kind's own "unknown key; expected one of …" error, with the suggestion the rest of
 * the config gets (kinds may list their keys without computing one).
 */
function suggestKey(error: ConfigError): ConfigError {
  const listed = /^unknown key; expected one of (.+)$/.exec(error.detail);
  if (!listed) return error;
  const known = listed[1]!.split(', ');
  const key = error.path.slice(error.path.lastIndexOf('.') + 1);
  const suggestion = didYouMean(key, known);
  return suggestion ? new ConfigError(error.path, `unknown key; did you mean "${suggestion}"? (expected one of ${known.join(', ')})`) : error;
}

/** Map or list-of-maps (both forms the plugin accepts) as entries with their key paths. */
function entriesOf(value: unknown, path: string, problems: ConfigError[]): Array<[string, unknown]> {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    return value.flatMap((item, i) => {
      if (!isObject(item)) {
        problems.push(new ConfigError(`${path}.${i}`, `expected a mapping, got ${typeName(item)}`));
        return [];
      }
      return Object.entries(item);
    });
  }
  if (!isObject(value)) {
    problems.push(new ConfigError(path, `expected a mapping, got ${typeName(value)}`));
    return [];
  }
  return Object.entries(value);
}

/** `schema` entries may use `*` in their last segment (`schemas/*.graphql`), as the plugin allows. */
function expandSchemaPaths(patterns: string[], dir: string, problems: ConfigError[]): string[] {
  const files: string[] = [];
  patterns.forEach((pattern, i) => {
    const key = patterns.length > 1 ? `schema.${i}` : 'schema';
    const absolute = resolve(dir, pattern);
    if (absolute.includes('*')) {
      const folder = dirname(absolute);
      const matcher = new RegExp(
        `^${absolute
          .slice(folder.length + 1)
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')}$`,
      );
      const matches = existsSync(folder)
        ? readdirSync(folder)
            .filter((f) => matcher.test(f))
            .sort()
        : [];
      if (matches.length === 0) problems.push(new ConfigError(key, `no file matches ${absolute}`));
      files.push(...matches.map((f) => join(folder, f)));
    } else if (!existsSync(absolute)) {
      problems.push(new ConfigError(key, `file not found: ${absolute}`));
    } else {
      files.push(absolute);
    }
  });
  return files;
}

const DURATION_UNITS: Record<string, number> = { h: 3600, d: 86_400, w: 604_800, M: 2_592_000, y: 31_536_000 };

/** `expiresAfter`: hours as a number, or `<n>h|d|w|M|y` (Gateway choice: M = 30 days). */
function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number' && value > 0) return value * 3600;
  if (typeof value !== 'string') return undefined;
  const m = /^(\d+)\s*([hdwMy])$/.exec(value.trim());
  return m ? Number(m[1]) * DURATION_UNITS[m[2]!]! : undefined;
}

/** A value like AppSync's keys: `da2-` and 26 lower-case letters and digits. */
function generateApiKey(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `da2-${[...randomBytes(26)].map((b) => alphabet[b & 31]).join('')}`;
}

const ENV_KEY = /^[A-Za-z][A-Za-z0-9_]+$/;

export function normalizeConfig(raw: GatewayConfig, options: NormalizeOptions): NormalizedConfig {
  const problems: ConfigError[] = [];
  const dir = options.configDir;
  const now = options.now ?? Date.now();
  if (!isObject(raw)) throw new ConfigErrors([new ConfigError('', `expected a mapping of config keys, got ${typeName(raw)}`)]);

  /** Unknown keys are reported; a key they were suggested as is not checked further (its absence would only repeat the typo). */
  const checkKeys = (value: object, path: string, known: readonly string[], ignored: Iterable<string> = []): Set<string> => {
    const found = unknownKeyErrors(value, path, known, ignored);
    problems.push(...found.errors);
    return found.suggested;
  };
  const misspeltTopLevel = checkKeys(raw, '', TOP_LEVEL_KEYS, [...LOADER_KEYS, ...IGNORED_PLUGIN_KEYS]);
  if (raw.name !== undefined && typeof raw.name !== 'string') problems.push(new ConfigError('name', `expected string, got ${typeName(raw.name)}`));

  // schema
  let schemaPatterns: string[] = [];
  // A file with an `events:` block and no schema (none given, no schema.graphql) holds only an Event API (docs/events.md#an-event-api-alone).
  const eventsAlone = raw.events !== undefined && raw.events !== null && !existsSync(resolve(dir, 'schema.graphql'));
  if (raw.schema === undefined) schemaPatterns = raw.schemaSdl || misspeltTopLevel.has('schema') || eventsAlone ? [] : ['schema.graphql'];
  else if (typeof raw.schema === 'string') schemaPatterns = [raw.schema];
  else if (Array.isArray(raw.schema) && raw.schema.every((s) => typeof s === 'string')) schemaPatterns = raw.schema;
  else problems.push(new ConfigError('schema', `expected a file path or a list of them, got ${typeName(raw.schema)}`));
  const schemaFiles = expandSchemaPaths(schemaPatterns, dir, problems);
  if (raw.schemaSdl !== undefined && typeof raw.schemaSdl !== 'string')
    problems.push(new ConfigError('schemaSdl', `expected string, got ${typeName(raw.schemaSdl)}`));

  // authentication
  const readAuth = (value: unknown, path: string): NormalizedAuthentication | undefined => {
    if (!isObject(value)) {
      problems.push(new ConfigError(path, `expected { type, config }, got ${typeName(value)}`));
      return undefined;
    }
    checkKeys(value, path, AUTHENTICATION_KEYS);
    if (!AUTHENTICATION_TYPES.includes(value.type as AuthenticationType)) {
      problems.push(new ConfigError(`${path}.type`, `expected one of ${AUTHENTICATION_TYPES.join(', ')}, got ${typeName(value.type)}`));
      return undefined;
    }
    if (value.config !== undefined && !isObject(value.config)) {
      problems.push(new ConfigError(`${path}.config`, `expected a mapping, got ${typeName(value.config)}`));
    } else if (isObject(value.config)) {
      // The plugin's functionAlias has no local meaning: one version of the authorizer runs here.
      checkKeys(value.config, `${path}.config`, AUTH_CONFIG_KEYS[value.type as string] ?? [], value.type === 'AWS_LAMBDA' ? ['functionAlias'] : []);
      if (value.type === 'AWS_IAM' && Array.isArray(value.config.credentials)) {
        value.config.credentials.forEach((c, i) => isObject(c) && checkKeys(c, `${path}.config.credentials.${i}`, IAM_CREDENTIAL_KEYS));
      }
    }
    return { type: value.type as AuthenticationType, config: isObject(value.config) ? value.config : {} };
  };
  // Gateway choice: without `authentication` the API uses API_KEY, the usual local default.
  const authentication = raw.authentication === undefined ? { type: 'API_KEY' as const, config: {} } : readAuth(raw.authentication, 'authentication');
  const additionalAuthentications: NormalizedAuthentication[] = [];
  if (raw.additionalAuthentications !== undefined) {
    if (!Array.isArray(raw.additionalAuthentications))
      problems.push(new ConfigError('additionalAuthentications', `expected a list, got ${typeName(raw.additionalAuthentications)}`));
    else
      raw.additionalAuthentications.forEach((a, i) => {
        const auth = readAuth(a, `additionalAuthentications.${i}`);
        if (auth) additionalAuthentications.push(auth);
      });
  }

  // apiKeys (also read for `events.apiKeys`)
  const readApiKeys = (value: unknown, at: string): NormalizedApiKey[] => {
    const apiKeys: NormalizedApiKey[] = [];
    if (value !== undefined && !Array.isArray(value)) problems.push(new ConfigError(at, `expected a list, got ${typeName(value)}`));
    (Array.isArray(value) ? (value as GatewayConfig['apiKeys'] & unknown[]) : []).forEach((entry, i) => {
      const path = `${at}.${i}`;
      const key = typeof entry === 'string' ? { name: entry } : entry;
      if (isObject(key)) checkKeys(key, path, API_KEY_KEYS, IGNORED_API_KEY_KEYS);
      if (!isObject(key) || typeof key.name !== 'string' || key.name === '') {
        problems.push(new ConfigError(`${path}.name`, 'expected a key name (string)'));
        return;
      }
      if (apiKeys.some((k) => k.name === key.name)) problems.push(new ConfigError(`${path}.name`, `duplicate API key name "${key.name}"`));
      if (key.value !== undefined && (typeof key.value !== 'string' || key.value.length < 8)) {
        problems.push(new ConfigError(`${path}.value`, `expected a string of at least 8 characters, got ${typeName(key.value)}`));
      }
      let expiresAt: number | undefined;
      if (key.expiresAt !== undefined) {
        expiresAt = typeof key.expiresAt === 'number' ? key.expiresAt : Date.parse(String(key.expiresAt)) / 1000;
        if (!Number.isFinite(expiresAt))
          problems.push(new ConfigError(`${path}.expiresAt`, `expected an ISO 8601 date-time or epoch seconds, got ${typeName(key.expiresAt)}`));
      } else if (key.expiresAfter !== undefined) {
        const seconds = parseDuration(key.expiresAfter);
        if (seconds === undefined)
          problems.push(new ConfigError(`${path}.expiresAfter`, `expected hours or a duration like 30d, 12h, 1y, got ${typeName(key.expiresAfter)}`));
        else expiresAt = Math.floor(now / 1000) + seconds;
      }
      apiKeys.push({ name: key.name, value: typeof key.value === 'string' ? key.value : generateApiKey(), expiresAt, generated: key.value === undefined });
    });
    return apiKeys;
  };
  const apiKeys = readApiKeys(raw.apiKeys, 'apiKeys');

  // dataSources
  const known = new Set(options.knownDataSourceTypes ?? []);
  const dataSources: Record<string, NormalizedDataSource> = {};
  // Every name declared, refused ones too: a reference to one refused for its own error (a misspelt `type`) is not a second error.
  const declaredDataSources = new Set<string>();
  const addDataSource = (name: string, value: unknown, path: string): void => {
    declaredDataSources.add(name);
    if (!isObject(value)) {
      problems.push(new ConfigError(path, `expected { type, config }, got ${typeName(value)}`));
      return;
    }
    const misspelt = checkKeys(value, path, DATA_SOURCE_KEYS);
    if (value.type === undefined && misspelt.has('type')) return;
    if (typeof value.type !== 'string' || (known.size > 0 && !known.has(value.type))) {
      problems.push(new ConfigError(`${path}.type`, `expected one of ${[...known].join(', ')}, got ${typeName(value.type)}`));
      return;
    }
    if (value.config !== undefined && !isObject(value.config)) {
      problems.push(new ConfigError(`${path}.config`, `expected a mapping, got ${typeName(value.config)}`));
      return;
    }
    const config = (value.config ?? {}) as Record<string, unknown>;
    const kindProblems = (options.validateDataSource?.(value.type, config, `${path}.config`) ?? []).map(suggestKey);
    // A misspelt key also leaves the key it meant missing; the kind's complaint about that would only repeat the typo.
    const meant = new Set(kindProblems.flatMap((e) => /^unknown key; did you mean "([^"]+)"/.exec(e.detail)?.[1] ?? []).map((k) => `${path}.config.${k}`));
    problems.push(...kindProblems.filter((e) => !meant.has(e.path)));
    dataSources[name] = { name, type: value.type, description: typeof value.description === 'string' ? value.description : undefined, config };
  };
  for (const [name, value] of entriesOf(raw.dataSources, 'dataSources', problems)) addDataSource(name, value, `dataSources.${name}`);

  const codePath = (value: unknown, path: string): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'string') {
      problems.push(new ConfigError(path, `expected a file path, got ${typeName(value)}`));
      return undefined;
    }
    const absolute = resolve(dir, value);
    if (!existsSync(absolute)) problems.push(new ConfigError(path, `file not found: ${absolute}`));
    return absolute;
  };
  /**
   * VTL mapping templates (`request:` / `response:` files, the Serverless AppSync plugin v2 shape;
   * docs/resolvers.md#vtl-mapping-templates): absent when neither is given. `code` and templates
   * exclude each other, and a request template is needed (Gateway choice: a missing response
   * template passes `$ctx.result` on, as the console's default one does).
   */
  /**
   * `substitutions` maps (top level and per resolver or function): `${name}` in a VTL template is
   * replaced by the value, as the Serverless AppSync plugin does; values are strings, numbers or
   * booleans (an unresolved CloudFormation intrinsic has no local value).
   */
  const substitutionsOf = (value: unknown, path: string): Record<string, string> => {
    const out: Record<string, string> = {};
    if (value === undefined) return out;
    if (!isObject(value)) {
      problems.push(new ConfigError(path, `expected a mapping of names to values, got ${typeName(value)}`));
      return out;
    }
    for (const [name, v] of Object.entries(value)) {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[name] = String(v);
      else problems.push(new ConfigError(`${path}.${name}`, `expected a string, number or boolean, got ${typeName(v)}`));
    }
    return out;
  };
  const topSubstitutions = substitutionsOf(raw.substitutions, 'substitutions');
  const templates = (value: Record<string, unknown>, path: string): MappingTemplates | undefined => {
    if (value.request === undefined && value.response === undefined) return undefined;
    if (value.code !== undefined) {
      problems.push(new ConfigError(path, 'give either code (APPSYNC_JS) or request/response mapping templates (VTL), not both'));
      return undefined;
    }
    const request = codePath(value.request, `${path}.request`);
    const response = codePath(value.response, `${path}.response`);
    if (value.request === undefined) {
      problems.push(new ConfigError(`${path}.request`, 'a VTL resolver or function needs a request mapping template'));
      return undefined;
    }
    if (request === undefined) return undefined;
    const substitutions = { ...topSubstitutions, ...substitutionsOf(value.substitutions, `${path}.substitutions`) };
    return Object.keys(substitutions).length > 0 ? { request, response, substitutions } : { request, response };
  };
  /** A data-source reference: a name, or an inline definition (the plugin allows both). */
  const dataSourceRef = (value: unknown, path: string, inlineName: string): string | undefined => {
    if (value === undefined) return undefined;
    if (isObject(value)) {
      addDataSource(inlineName, value, path);
      return inlineName;
    }
    if (typeof value !== 'string') {
      problems.push(new ConfigError(path, `expected a data source name, got ${typeName(value)}`));
      return undefined;
    }
    return value;
  };
  const syncBlock = (value: unknown, path: string): NormalizedResolver['sync'] => {
    if (value === undefined) return undefined;
    if (!isObject(value)) {
      problems.push(new ConfigError(path, `expected { conflictDetection, conflictHandler, … }, got ${typeName(value)}`));
      return undefined;
    }
    checkKeys(value, path, SYNC_KEYS);
    return value as NormalizedResolver['sync'];
  };
  const batchSize = (value: unknown, path: string): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2000) {
      problems.push(new ConfigError(path, `expected an integer from 1 to 2000, got ${typeName(value)}`));
      return undefined;
    }
    return value;
  };

  // pipelineFunctions
  const pipelineFunctions: Record<string, NormalizedPipelineFunction> = {};
  const functionRefs: Array<[string, string]> = [];
  for (const [name, value] of entriesOf(raw.pipelineFunctions, 'pipelineFunctions', problems)) {
    const path = `pipelineFunctions.${name}`;
    if (!isObject(value)) {
      problems.push(new ConfigError(path, `expected { dataSource, code }, got ${typeName(value)}`));
      continue;
    }
    const misspelt = checkKeys(value, path, PIPELINE_FUNCTION_KEYS, IGNORED_RESOLVER_KEYS);
    const dataSource = dataSourceRef(value.dataSource, `${path}.dataSource`, name);
    if (dataSource === undefined) {
      if (!misspelt.has('dataSource')) problems.push(new ConfigError(`${path}.dataSource`, 'a pipeline function needs a data source'));
    } else functionRefs.push([`${path}.dataSource`, dataSource]);
    pipelineFunctions[name] = {
      name,
      dataSource: dataSource ?? '',
      code: codePath(value.code, `${path}.code`),
      templates: templates(value, path),
      maxBatchSize: batchSize(value.maxBatchSize, `${path}.maxBatchSize`),
      sync: syncBlock(value.sync, `${path}.sync`),
    };
  }

  // resolvers
  const caching = normalizeCaching(raw.caching, problems);
  const resolvers: NormalizedResolver[] = [];
  const seen = new Set<string>();
  for (const [key, value] of entriesOf(raw.resolvers, 'resolvers', problems)) {
    const path = `resolvers.${key}`;
    if (!isObject(value)) {
      problems.push(new ConfigError(path, `expected a resolver definition, got ${typeName(value)}`));
      continue;
    }
    const misspelt = checkKeys(value, path, RESOLVER_KEYS, IGNORED_RESOLVER_KEYS);
    const [type, field] = typeof value.type === 'string' && typeof value.field === 'string' ? [value.type, value.field] : key.split('.');
    if (!type || !field || key.split('.').length > 2) {
      problems.push(new ConfigError(path, 'expected a key of the form Type.field (or type and field properties)'));
      continue;
    }
    if (seen.has(`${type}.${field}`)) problems.push(new ConfigError(path, `${type}.${field} has more than one resolver`));
    seen.add(`${type}.${field}`);
    const functions = value.functions;
    if (functions !== undefined && (!Array.isArray(functions) || !functions.every((f) => typeof f === 'string'))) {
      problems.push(new ConfigError(`${path}.functions`, `expected a list of pipeline function names, got ${typeName(functions)}`));
    }
    const functionNames = Array.isArray(functions) ? (functions as string[]) : [];
    if (value.kind !== undefined && value.kind !== 'UNIT' && value.kind !== 'PIPELINE') {
      problems.push(new ConfigError(`${path}.kind`, `expected UNIT or PIPELINE, got ${typeName(value.kind)}`));
    }
    // Gateway choice: without `kind`, functions make a PIPELINE and a data source a UNIT resolver.
    const kind =
      value.kind === 'UNIT' || value.kind === 'PIPELINE' ? value.kind : functionNames.length > 0 || value.dataSource === undefined ? 'PIPELINE' : 'UNIT';
    const dataSource = dataSourceRef(value.dataSource, `${path}.dataSource`, `${type}_${field}`);
    if (kind === 'UNIT') {
      if (dataSource === undefined) {
        if (!misspelt.has('dataSource')) problems.push(new ConfigError(`${path}.dataSource`, 'a UNIT resolver needs a data source'));
      } else functionRefs.push([`${path}.dataSource`, dataSource]);
    }
    functionNames.forEach((name, i) => {
      if (!(name in pipelineFunctions) && !misspeltTopLevel.has('pipelineFunctions'))
        problems.push(new ConfigError(`${path}.functions.${i}`, `no pipeline function named "${name}"`));
    });
    resolvers.push({
      typeName: type,
      fieldName: field,
      kind,
      dataSource: kind === 'UNIT' ? dataSource : undefined,
      code: codePath(value.code, `${path}.code`),
      templates: templates(value, path),
      functions: functionNames,
      maxBatchSize: batchSize(value.maxBatchSize, `${path}.maxBatchSize`),
      sync: syncBlock(value.sync, `${path}.sync`),
      caching: normalizeResolverCaching(value.caching, `${path}.caching`, caching?.ttl ?? 3600, problems),
    });
  }
  for (const [path, name] of functionRefs) {
    // After a misspelt `dataSources:`, or a data source refused for its own error, every reference would fail: the error above says why.
    if (!(name in dataSources) && !declaredDataSources.has(name) && !misspeltTopLevel.has('dataSources')) {
      problems.push(new ConfigError(path, `no data source named "${name}"`));
    }
  }

  // environment (docs/resolvers.md#resolver-runtime-appsync_js: ≤ 50 pairs, keys ≥ 2 chars starting with a letter, values ≤ 512)
  const environment: Record<string, string> = {};
  if (raw.environment !== undefined) {
    if (!isObject(raw.environment)) problems.push(new ConfigError('environment', `expected a mapping, got ${typeName(raw.environment)}`));
    else {
      const entries = Object.entries(raw.environment);
      if (entries.length > 50) problems.push(new ConfigError('environment', `at most 50 variables, got ${entries.length}`));
      for (const [k, v] of entries) {
        if (!ENV_KEY.test(k)) problems.push(new ConfigError(`environment.${k}`, 'names have 2+ characters, start with a letter and use letters, digits and _'));
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
          problems.push(new ConfigError(`environment.${k}`, `expected string, got ${typeName(v)}`));
        else if (String(v).length > 512) problems.push(new ConfigError(`environment.${k}`, 'values have at most 512 characters'));
        else environment[k] = String(v);
      }
    }
  }

  // server and limits
  const server = isObject(raw.server) ? raw.server : {};
  if (raw.server !== undefined && !isObject(raw.server)) problems.push(new ConfigError('server', `expected a mapping, got ${typeName(raw.server)}`));
  else checkKeys(server, 'server', SERVER_KEYS);
  const port = server.port ?? 4000;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(new ConfigError('server.port', `expected a port number, got ${typeName(port)}`));
  const host = server.host ?? '127.0.0.1';
  if (typeof host !== 'string') problems.push(new ConfigError('server.host', `expected string, got ${typeName(host)}`));
  const dataDir = server.dataDir;
  if (dataDir !== undefined && (typeof dataDir !== 'string' || dataDir === ''))
    problems.push(new ConfigError('server.dataDir', `expected a folder path, got ${typeName(dataDir)}`));
  if (raw.introspection !== undefined && typeof raw.introspection !== 'boolean')
    problems.push(new ConfigError('introspection', `expected true or false, got ${typeName(raw.introspection)}`));
  if (server.redis !== undefined && (typeof server.redis !== 'string' || !/^rediss?:\/\//.test(server.redis)))
    problems.push(new ConfigError('server.redis', `expected a redis:// or rediss:// URL, got ${typeName(server.redis)}`));
  const limit = (value: unknown, key: string, max: number): number | undefined => {
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
      problems.push(new ConfigError(key, `expected an integer from 1 to ${max}, got ${typeName(value)}`));
      return undefined;
    }
    return value;
  };
  const queryDepthLimit = limit(raw.queryDepthLimit, 'queryDepthLimit', 75);
  const sandbox: SandboxSettings = {};
  if (raw.sandbox !== undefined && !isObject(raw.sandbox)) problems.push(new ConfigError('sandbox', `expected a mapping, got ${typeName(raw.sandbox)}`));
  else if (isObject(raw.sandbox)) {
    checkKeys(raw.sandbox, 'sandbox', [...Object.keys(SANDBOX_LIMITS), 'evaluateSimpleHandlers']);
    const evaluate = raw.sandbox.evaluateSimpleHandlers;
    if (evaluate !== undefined && typeof evaluate !== 'boolean') {
      problems.push(new ConfigError('sandbox.evaluateSimpleHandlers', `expected true or false, got ${typeName(evaluate)}`));
    } else if (evaluate !== undefined) sandbox.evaluateSimpleHandlers = evaluate;
    for (const [key, [min, max]] of Object.entries(SANDBOX_LIMITS) as Array<[keyof typeof SANDBOX_LIMITS, [number, number]]>) {
      const value = raw.sandbox[key];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        problems.push(new ConfigError(`sandbox.${key}`, `expected an integer from ${min} to ${max}, got ${typeName(value)}`));
      } else sandbox[key] = value;
    }
  }
  const resolverCountLimit = limit(raw.resolverCountLimit, 'resolverCountLimit', 10_000) ?? 10_000;

  const stateMachines = isObject(raw.stepFunctions) && isObject(raw.stepFunctions.stateMachines) ? raw.stepFunctions.stateMachines : {};
  if (raw.stepFunctions !== undefined && !isObject(raw.stepFunctions))
    problems.push(new ConfigError('stepFunctions', `expected { stateMachines }, got ${typeName(raw.stepFunctions)}`));
  if (isObject(raw.stepFunctions)) {
    checkKeys(raw.stepFunctions, 'stepFunctions', STEP_FUNCTIONS_KEYS, IGNORED_STEP_FUNCTIONS_KEYS);
    for (const [name, machine] of Object.entries(stateMachines)) {
      if (isObject(machine)) checkKeys(machine, `stepFunctions.stateMachines.${name}`, STATE_MACHINE_KEYS, IGNORED_STATE_MACHINE_KEYS);
    }
  }
  const stepFunctionsStoreSettings = stepFunctionsStore(raw.stepFunctions, dir, problems);
  const stepFunctionsServices = normalizeStepFunctionsServices(isObject(raw.stepFunctions) ? raw.stepFunctions.services : undefined, problems);
  const authModes = [authentication, ...additionalAuthentications].flatMap((a) => (a ? [a.type] : []));
  const stepFunctionsRoutes = normalizeStepFunctionsRoutes(isObject(raw.stepFunctions) ? raw.stepFunctions.routes : undefined, authModes, problems);
  const eventRules = normalizeEventRules(isObject(raw.stepFunctions) ? raw.stepFunctions.rules : undefined, problems);
  const taskDefinitions = normalizeLocalCommands(isObject(raw.stepFunctions) ? raw.stepFunctions.taskDefinitions : undefined, 'taskDefinitions', dir, problems);
  const jobDefinitions = normalizeLocalCommands(isObject(raw.stepFunctions) ? raw.stepFunctions.jobDefinitions : undefined, 'jobDefinitions', dir, problems);

  const { events, additionalEventApis } = normalizeEvents(raw.events, {
    configDir: dir,
    problems,
    authentication,
    additionalAuthentications,
    apiKeys,
    checkKeys,
    readAuth,
    readApiKeys,
  });

  if (problems.length > 0 || !authentication) throw new ConfigErrors(problems);
  const extra = raw as GatewayConfig & Pick<NormalizedConfig, 'cloudFormationResources' | 'serverlessFunctions' | 'additionalApis'>;
  return {
    name: typeof raw.name === 'string' ? raw.name : 'appsync-api',
    configDir: dir,
    configFile: options.configFile,
    schemaFiles,
    schemaSdl: typeof raw.schemaSdl === 'string' ? raw.schemaSdl : undefined,
    authentication,
    additionalAuthentications,
    apiKeys,
    dataSources,
    resolvers,
    pipelineFunctions,
    environment,
    server: {
      port: port as number,
      host: host as string,
      ...(typeof dataDir === 'string' && dataDir ? { dataDir: isAbsolute(dataDir) ? dataDir : resolve(dir, dataDir) } : {}),
      ...(typeof server.redis === 'string' ? { redis: server.redis } : {}),
    },
    ...(caching ? { caching } : {}),
    introspection: raw.introspection !== false,
    stepFunctions: {
      stateMachines: stateMachines as NormalizedConfig['stepFunctions']['stateMachines'],
      store: stepFunctionsStoreSettings,
      // Checked where they are applied (stepfunctions/services/declared.ts), as state machines are.
      ...(isObject(raw.stepFunctions) && isObject(raw.stepFunctions.queues) ? { queues: raw.stepFunctions.queues as Record<string, QueueConfig> } : {}),
      ...(isObject(raw.stepFunctions) && isObject(raw.stepFunctions.topics) ? { topics: raw.stepFunctions.topics as Record<string, TopicConfig> } : {}),
      ...(stepFunctionsServices ? { services: stepFunctionsServices } : {}),
      ...(stepFunctionsRoutes ? { routes: stepFunctionsRoutes } : {}),
      ...(eventRules ? { rules: eventRules } : {}),
      ...(taskDefinitions ? { taskDefinitions } : {}),
      ...(jobDefinitions ? { jobDefinitions } : {}),
    },
    queryDepthLimit,
    resolverCountLimit,
    sandbox,
    cloudFormationResources: extra.cloudFormationResources,
    serverlessFunctions: extra.serverlessFunctions,
    ...(extra.additionalApis?.length ? { additionalApis: extra.additionalApis } : {}),
    ...(events ? { events } : {}),
    ...(additionalEventApis && additionalEventApis.length > 0 ? { additionalEventApis } : {}),
  };
}

const STORE_KEYS = ['connectionString', 'table', 'instanceId', 'dir'] as const satisfies ReadonlyArray<
  keyof NonNullable<NormalizedConfig['stepFunctions']['store']>
>;

/** `stepFunctions.store`: each key a string; `dir` resolved from the config folder like every path. */
function stepFunctionsStore(block: unknown, configDir: string, problems: ConfigError[]): NormalizedConfig['stepFunctions']['store'] {
  if (!isObject(block) || block.store === undefined) return undefined;
  const store = block.store;
  if (!isObject(store)) {
    problems.push(new ConfigError('stepFunctions.store', `expected { connectionString, table, instanceId, dir }, got ${typeName(store)}`));
    return undefined;
  }
  const out: NonNullable<NormalizedConfig['stepFunctions']['store']> = {};
  problems.push(...unknownKeyErrors(store, 'stepFunctions.store', STORE_KEYS).errors);
  for (const key of STORE_KEYS) {
    const value = store[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') {
      problems.push(new ConfigError(`stepFunctions.store.${key}`, `expected a non-empty string, got ${typeName(value)}`));
    } else {
      out[key] = key === 'dir' ? resolve(configDir, value) : value;
    }
  }
  return out;
}
