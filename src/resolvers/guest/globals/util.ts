/**
 * The `util` global (and `@aws-appsync/utils`'s `util`): the pure helpers of `../util/` plus the
 * members that act on the current run (errors, response headers, auth type). Runs inside the
 * sandbox: see ../README.md.
 */
import type { SandboxHost } from '../host.js';
import { append, toErrorValue, UtilError, type CurrentRun } from '../run.js';
import { createUtilHelpers, isRestrictedResponseHeader } from '../util/index.js';
import * as rdsModule from '../modules/rds.js';

const AUTH_TYPE_NAMES: Record<string, string> = {
  AWS_IAM: 'IAM Authorization',
  AMAZON_COGNITO_USER_POOLS: 'User Pool Authorization',
  OPENID_CONNECT: 'Open ID Connect Authorization',
  API_KEY: 'API Key Authorization',
  AWS_LAMBDA: 'Lambda Authorization',
};

const MAX_CUSTOM_HEADER_BYTES = 4096;

// A global name read in this context goes through node:vm's interceptors on the contextified
// global (~0.1 µs each, measured), so code run per handler uses locals instead.
const objectEntries = Object.entries;

/**
 * Builds `util`. `host` is the prelude's wrapped host (its results are sandbox primitives);
 * `stringifyJson` is `JSON.stringify` as it was before resolver code could replace it.
 */
export function createUtil(host: SandboxHost, currentRun: CurrentRun, stringifyJson: typeof JSON.stringify) {
  const addHeader = (name: unknown, value: unknown): void => {
    const run = currentRun();
    const headerName = typeof name === 'string' ? name.trim() : '';
    // docs/resolvers.md#util-in-detail (util.http): a rejected header is ignored and reported as ResponseHeaderError.
    if (!headerName || value === null || value === undefined || isRestrictedResponseHeader(headerName)) {
      append(run.errors, toErrorValue(`Header ${headerName || '(empty)'} cannot be set in the response.`, 'ResponseHeaderError', null, null));
      return;
    }
    const text = typeof value === 'object' ? stringifyJson(value) : String(value);
    const previous = run.headers[headerName];
    const bytes = run.headerBytes - (previous === undefined ? 0 : headerName.length + previous.length) + headerName.length + text.length;
    if (bytes > MAX_CUSTOM_HEADER_BYTES) {
      append(run.errors, toErrorValue(`Custom response headers exceed ${MAX_CUSTOM_HEADER_BYTES} bytes.`, 'ResponseHeaderError', null, null));
      return;
    }
    run.headers[headerName] = text;
    run.headerBytes = bytes;
  };

  const helpers = createUtilHelpers(host) as Record<string, unknown>;
  return {
    ...helpers,
    error(message?: unknown, errorType?: unknown, data?: unknown, errorInfo?: unknown): never {
      throw new UtilError(toErrorValue(message, errorType, data, errorInfo));
    },
    appendError(message?: unknown, errorType?: unknown, data?: unknown, errorInfo?: unknown): void {
      append(currentRun().errors, toErrorValue(message, errorType, data, errorInfo));
    },
    unauthorized(): never {
      const { fieldName, parentTypeName } = currentRun().base.info;
      throw new UtilError(toErrorValue(`Not Authorized to access ${fieldName} on type ${parentTypeName}`, 'Unauthorized', null, null));
    },
    authType(): string {
      return AUTH_TYPE_NAMES[currentRun().base.authMode] ?? 'API Key Authorization';
    },
    http: {
      ...(helpers.http as Record<string, unknown>),
      addResponseHeader: addHeader,
      addResponseHeaders(headers: unknown): void {
        if (headers && typeof headers === 'object') {
          const entries = objectEntries(headers);
          for (let i = 0; i < entries.length; i++) addHeader(entries[i]![0], entries[i]![1]);
        }
      },
    },
    rds: (rdsModule as Record<string, unknown>).rdsUtil ?? {},
  };
}
