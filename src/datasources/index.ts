/**
 * Data-source registry: the built-in kinds, keyed by AppSync's type name. A library user adds
 * kinds with `createGateway({ dataSourceKinds })`; they go through the same door.
 */
import type { DataSourceKinds } from './types.js';
import { noneKind } from './none.js';
import { dynamodbKind } from './dynamodb.js';
import { postgresKind } from './postgres.js';
import { httpKind } from './http.js';
import { lambdaKind } from './lambda.js';

export const builtInDataSourceKinds: DataSourceKinds = {
  NONE: noneKind,
  AMAZON_DYNAMODB: dynamodbKind,
  RELATIONAL_DATABASE: postgresKind,
  HTTP: httpKind,
  AWS_LAMBDA: lambdaKind,
};

export type * from './types.js';
