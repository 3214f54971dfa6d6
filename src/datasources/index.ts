/**
 * Data-source registry: the built-in kinds, keyed by AppSync's type name. A library user adds
 * kinds with `createGateway(config, { dataSourceKinds })`; they go through the same door.
 *
 * Built-in kinds load on first use: an API with only NONE data sources never loads the AWS SDK,
 * pg or the embedded stores, which keeps start-up short.
 */
import type { DataSourceKind, DataSourceKinds } from './types.js';
import { noneKind } from './none.js';
export { isBuiltInNone } from './none.js';

const BUILT_IN: Record<string, () => Promise<DataSourceKind<any>>> = {
  NONE: async () => noneKind,
  AMAZON_DYNAMODB: async () => (await import('./dynamodb/index.js')).dynamodbKind,
  RELATIONAL_DATABASE: async () => (await import('./postgres/index.js')).postgresKind,
  HTTP: async () => (await import('./http.js')).httpKind,
  AWS_LAMBDA: async () => (await import('./lambda/index.js')).lambdaKind,
};

/** The built-in type names (for config validation messages). */
export const BUILT_IN_DATA_SOURCE_TYPES = Object.keys(BUILT_IN);

/** Loads the built-in kinds named in `types` (unknown names are skipped). */
export async function loadBuiltInDataSourceKinds(types: Iterable<string>): Promise<DataSourceKinds> {
  const kinds: DataSourceKinds = {};
  for (const type of new Set(types)) {
    const load = BUILT_IN[type];
    if (load) kinds[type] = await load();
  }
  return kinds;
}

export type * from './types.js';
