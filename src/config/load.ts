/**
 * Finding and reading config files: `appsync.config.{ts,mts,js,mjs,json,yaml,yml}`, or a Serverless
 * Framework `serverless.yml` whose `appSync:` block is the config (DESIGN.md "Config").
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { YAMLParseError, parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors.js';
import { isCloudAssembly, isCloudFormationInput, loadCloudFormation } from './cloudformation/index.js';
// serverless.yml may use CloudFormation's short forms (`!Ref X`, `!GetAtt X.Arn`) as templates do.
import { cloudFormationYamlTags } from './cloudformation/yaml.js';
import type { GatewayConfig } from './types.js';
import { resolveVariables } from './variables.js';
import { DEFAULT_REGION, DEFAULT_ACCOUNT_ID } from './awsDefaults.js';

export const CONFIG_FILE_NAMES = [
  'appsync.config.ts',
  'appsync.config.mts',
  'appsync.config.js',
  'appsync.config.mjs',
  'appsync.config.json',
  'appsync.config.yaml',
  'appsync.config.yml',
  'serverless.yml',
  'serverless.yaml',
] as const;

/** Looked for after `CONFIG_FILE_NAMES`: SAM's default template names and a CDK assembly (docs/cloudformation.md). */
const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'] as const;

/** The first config file in `dir`, in the order of `CONFIG_FILE_NAMES`, then a template or `cdk.out`. */
export async function findConfigFile(dir: string): Promise<string | undefined> {
  for (const name of CONFIG_FILE_NAMES) {
    const path = resolve(dir, name);
    if (existsSync(path)) return path;
  }
  for (const name of TEMPLATE_NAMES) {
    const path = resolve(dir, name);
    if (await isCloudFormationInput(path)) return path;
  }
  const assembly = resolve(dir, 'cdk.out');
  return isCloudAssembly(assembly) ? assembly : undefined;
}

export interface LoadConfigOptions {
  /** Value of `${opt:stage}` (serverless.yml). */
  stage?: string;
  /** Environment for `${env:…}`. @default process.env */
  env?: Record<string, string | undefined>;
  /** CloudFormation input: template parameter values (`--parameter Key=Value`). */
  parameters?: Record<string, string>;
  /** CloudFormation input: the stack of a CDK assembly to serve (`--stack NAME`). */
  stack?: string;
  /** CloudFormation input: the GraphQL API to serve where the input holds several (`--api NAME`). */
  api?: string;
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** Folder relative paths resolve from: the config file's folder. */
  configDir: string;
  configFile: string;
  /** Said once at start-up at `warn` (CloudFormation input: the resources it ignores). */
  warnings?: string[];
}

function isServerless(file: string, document: unknown): boolean {
  return /^serverless\.ya?ml$/.test(basename(file)) || (!!document && typeof document === 'object' && 'appSync' in document && 'service' in document);
}

async function readDocument(file: string): Promise<unknown> {
  if (/\.(c|m)?(t|j)s$/.test(file)) {
    // Cache-busting query: --watch must see edits of a .ts/.js config.
    const mod = (await import(`${pathToFileURL(file).href}?t=${Date.now()}`)) as { default?: unknown };
    const value = mod.default ?? mod;
    return typeof value === 'function' ? await (value as () => unknown)() : value;
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError('', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (file.endsWith('.json')) {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ConfigError('', `${file}: ${(error as Error).message}`);
    }
  }
  try {
    return parseYaml(text, { merge: true, customTags: cloudFormationYamlTags });
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const pos = error.linePos?.[0];
      throw new ConfigError('', `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: ${error.message.split('\n')[0]}`);
    }
    throw error;
  }
}

type Resources = Record<string, { Type?: string; Properties?: Record<string, unknown> }>;

/**
 * CloudFormation references whose value the gateway knows: `{ Ref: Table }` of an
 * `AWS::DynamoDB::Table` resource becomes its `TableName` (what Ref returns), and
 * `{ Fn::GetAtt: [fn, Arn] }` of a function under `functions:` (by its key or its logical id
 * `<Key>LambdaFunction`) becomes a Lambda ARN naming that key, which the Lambda data source and
 * Step Functions Task states resolve to the in-process handler.
 */
function resolveCloudFormationRefs(value: unknown, resources: Resources, functionNames: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveCloudFormationRefs(v, resources, functionNames));
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 1 && entries[0]![0] === 'Ref' && typeof entries[0]![1] === 'string') {
      const resource = resources[entries[0]![1] as string];
      if (resource?.Type === 'AWS::DynamoDB::Table' && typeof resource.Properties?.TableName === 'string') return resource.Properties.TableName;
    }
    if (entries.length === 1 && entries[0]![0] === 'Fn::GetAtt' && Array.isArray(entries[0]![1]) && entries[0]![1][1] === 'Arn') {
      const fn = functionKeyOf(String(entries[0]![1][0]), functionNames);
      if (fn) return `arn:aws:lambda:${DEFAULT_REGION}:${DEFAULT_ACCOUNT_ID}:function:${fn}`;
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, resolveCloudFormationRefs(v, resources, functionNames)]));
  }
  return value;
}

/** `hello` or its CloudFormation logical id `HelloLambdaFunction` (Serverless names it so). */
function functionKeyOf(name: string, functionNames: ReadonlySet<string>): string | undefined {
  if (functionNames.has(name)) return name;
  if (!name.endsWith('LambdaFunction')) return undefined;
  const stem = name.slice(0, -'LambdaFunction'.length);
  return [...functionNames].find((key) => normalizeLogicalId(key) === stem);
}

/** Serverless's logical-id rule: first letter upper-cased, `-` → `Dash`, `_` → `Underscore`. */
function normalizeLogicalId(key: string): string {
  return (key.charAt(0).toUpperCase() + key.slice(1)).replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
}

/** Reads a config file and resolves its variables; the result still needs `normalizeConfig`. */
export async function loadConfigFile(file: string, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const configFile = resolve(file);
  const configDir = dirname(configFile);
  if (await isCloudFormationInput(configFile))
    return loadCloudFormation(configFile, { parameters: options.parameters, stack: options.stack, api: options.api });
  const document = await readDocument(configFile);
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError('', `${configFile}: expected a mapping of config keys`);
  }
  const resolved = resolveVariables(document, { stage: options.stage, env: options.env ?? process.env, baseDir: configDir }) as Record<string, any>;
  if (!isServerless(configFile, resolved)) return { config: resolved as GatewayConfig, configDir, configFile };

  const appSync = resolved.appSync;
  if (!appSync || typeof appSync !== 'object') throw new ConfigError('appSync', `${configFile} has no appSync: block`);
  const resources = (resolved.resources?.Resources ?? {}) as Resources;
  const functions: Record<string, { handler: string }> = {};
  for (const [name, fn] of Object.entries((resolved.functions ?? {}) as Record<string, { handler?: unknown }>)) {
    if (typeof fn?.handler === 'string') functions[name] = { handler: fn.handler };
  }
  const functionNames = new Set(Object.keys(functions));
  const config = resolveCloudFormationRefs(appSync, resources, functionNames) as GatewayConfig & Record<string, unknown>;
  return {
    config: {
      ...config,
      // The Serverless Step Functions plugin keeps its block at the top level.
      stepFunctions: config.stepFunctions ?? resolveCloudFormationRefs(resolved.stepFunctions, resources, functionNames),
      cloudFormationResources: resources,
      serverlessFunctions: functions,
    } as GatewayConfig,
    configDir,
    configFile,
  };
}
