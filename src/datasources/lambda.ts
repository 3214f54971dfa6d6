/** AWS_LAMBDA data source. Placeholder until its issue lands: creating one throws NotSupportedError. */
import { NotSupportedError } from '../errors.js';
import type { DataSourceKind } from './types.js';

export const lambdaKind: DataSourceKind = {
  create() {
    throw new NotSupportedError('The AWS_LAMBDA data source');
  },
};
