/**
 * INTERIM config front door, written by the lead so the gateway runs while the full loader
 * (variables, serverless.yml, validation with key paths) is being built. It will be replaced.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { GatewayConfig, NormalizedConfig, NormalizedResolver } from './types.js';
import { ConfigError, ConfigErrors } from '../errors.js';

export type * from './types.js';

export function defineConfig(config: GatewayConfig): GatewayConfig {
  return config;
}

export async function findConfigFile(_cwd: string): Promise<string | undefined> {
  const { existsSync } = await import('node:fs');
  for (const name of ['appsync.config.ts', 'appsync.config.mts', 'appsync.config.js', 'appsync.config.mjs', 'appsync.config.json', 'appsync.config.yaml', 'appsync.config.yml', 'serverless.yml', 'serverless.yaml']) {
    const path = resolve(_cwd, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export async function loadConfigFile(file: string, _options: { stage?: string; env?: Record<string, string | undefined> } = {}): Promise<{ config: GatewayConfig; configDir: string; configFile: string }> {
  const text = await readFile(file, 'utf8');
  const raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  const config = (raw && typeof raw === 'object' && 'appSync' in raw ? raw.appSync : raw) as GatewayConfig;
  return { config, configDir: dirname(resolve(file)), configFile: resolve(file) };
}

const entries = <T>(value: Record<string, T> | Array<Record<string, T>> | undefined): Array<[string, T]> =>
  !value ? [] : Array.isArray(value) ? value.flatMap((m) => Object.entries(m)) : Object.entries(value);

export function normalizeConfig(raw: GatewayConfig, options: { configDir: string; configFile?: string; knownDataSourceTypes?: string[]; validateDataSource?: (type: string, config: unknown, path: string) => ConfigError[] }): NormalizedConfig {
  const dir = options.configDir;
  const problems: ConfigError[] = [];
  const files = raw.schema ? (Array.isArray(raw.schema) ? raw.schema : [raw.schema]) : [];
  const dataSources: NormalizedConfig['dataSources'] = {};
  for (const [name, ds] of entries(raw.dataSources)) {
    dataSources[name] = { name, type: ds.type, config: ds.config ?? {} };
    problems.push(...(options.validateDataSource?.(ds.type, ds.config ?? {}, `dataSources.${name}.config`) ?? []));
  }
  const resolvers: NormalizedResolver[] = [];
  for (const [key, r] of entries(raw.resolvers)) {
    const [typeName, fieldName] = r.type && r.field ? [r.type, r.field] : key.split('.');
    const kind = r.kind ?? (r.functions ? 'PIPELINE' : 'UNIT');
    if (r.dataSource && !dataSources[r.dataSource]) problems.push(new ConfigError(`resolvers.${key}.dataSource`, `no data source named "${r.dataSource}"`));
    resolvers.push({ typeName: typeName!, fieldName: fieldName!, kind, dataSource: r.dataSource, code: r.code ? resolve(dir, r.code) : undefined, functions: r.functions ?? [], maxBatchSize: r.maxBatchSize });
  }
  const pipelineFunctions: NormalizedConfig['pipelineFunctions'] = {};
  for (const [name, f] of entries(raw.pipelineFunctions)) {
    pipelineFunctions[name] = { name, dataSource: f.dataSource, code: f.code ? resolve(dir, f.code) : undefined, maxBatchSize: f.maxBatchSize };
  }
  if (problems.length) throw new ConfigErrors(problems);
  const auth = raw.authentication ?? { type: 'API_KEY' as const };
  return {
    name: raw.name ?? 'appsync-api',
    configDir: dir,
    configFile: options.configFile,
    schemaFiles: files.map((f) => resolve(dir, f)),
    schemaSdl: raw.schemaSdl,
    authentication: { type: auth.type, config: auth.config ?? {} },
    additionalAuthentications: (raw.additionalAuthentications ?? []).map((a) => ({ type: a.type, config: a.config ?? {} })),
    apiKeys: (raw.apiKeys ?? []).map((k) => {
      const key = typeof k === 'string' ? { name: k } : k;
      const expiresAt = key.expiresAt === undefined ? undefined : typeof key.expiresAt === 'number' ? key.expiresAt : Date.parse(key.expiresAt) / 1000;
      const value = key.value ?? `da2-${Array.from({ length: 26 }, () => 'abcdefghijklmnopqrstuvwxyz234567'[Math.floor(Math.random() * 32)]).join('')}`;
      return { name: key.name, value, expiresAt, generated: !key.value };
    }),
    dataSources,
    resolvers,
    pipelineFunctions,
    environment: raw.environment ?? {},
    server: { port: raw.server?.port ?? 4000, host: raw.server?.host ?? '127.0.0.1' },
    stepFunctions: { stateMachines: raw.stepFunctions?.stateMachines ?? {} },
    queryDepthLimit: raw.queryDepthLimit,
    resolverCountLimit: raw.resolverCountLimit ?? 10_000,
  };
}
