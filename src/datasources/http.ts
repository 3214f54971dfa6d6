/** HTTP data source. Placeholder until its issue lands: creating one throws NotSupportedError. */
import { NotSupportedError } from '../errors.js';
import type { DataSourceKind } from './types.js';

export const httpKind: DataSourceKind = {
  create() {
    throw new NotSupportedError('The HTTP data source');
  },
};
