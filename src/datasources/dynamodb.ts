/** AMAZON_DYNAMODB data source. Placeholder until its issue lands: creating one throws NotSupportedError. */
import { NotSupportedError } from '../errors.js';
import type { DataSourceKind } from './types.js';

export const dynamodbKind: DataSourceKind = {
  create() {
    throw new NotSupportedError('The AMAZON_DYNAMODB data source');
  },
};
