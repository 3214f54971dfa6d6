/**
 * The helpers a handler evaluated in the gateway may call (docs/resolvers.md#handlers-the-gateway-evaluates):
 * the SAME functions the sandbox prelude installs (src/resolvers/guest/ is pure code with no host
 * imports), built here once with a host of the gateway's own. Only members that are pure, or
 * harmless (randomness, the clock), and whose work is bounded by the size of what they are given
 * are listed; anything else named in a handler makes it ineligible at load. Excluded on purpose:
 * members that act on the run (`util.error`, `appendError`, `unauthorized`, response headers),
 * regular expressions built from their input (`util.matches`, formatted time parsing) and members
 * whose output can be far larger than their input (`util.str.toReplace`).
 */
import { randomBytes } from 'node:crypto';
import type { SandboxHost } from '../guest/host.js';
import { createUtil } from '../guest/globals/util.js';
import * as dynamodbModule from '../guest/modules/dynamodb.js';
import * as rdsModule from '../guest/modules/rds.js';
import type { Run } from '../guest/run.js';
import { createVtlUtil } from '../guest/vtl/util.js';

/** A callable member: the function and the object it is read from (its `this`, as in JavaScript). */
export interface Helper {
  readonly fn: (...args: unknown[]) => unknown;
  readonly self: unknown;
  /** The member's path, for messages (`util.dynamodb.toMapValues`). */
  readonly path: string;
}

/** A module or a namespace inside one: names → helpers or further tables. */
export interface HelperTable {
  readonly members: ReadonlyMap<string, Helper | HelperTable>;
}

export const isHelper = (entry: Helper | HelperTable): entry is Helper => 'fn' in entry;

/** The gateway's host: randomness as the sandbox process gives it; logging is never reached by a listed member. */
const host: SandboxHost = {
  randomHex: (n) => randomBytes(Math.max(0, Math.min(1024, Math.floor(Number(n)) || 0))).toString('hex'),
  log: () => undefined,
};

/**
 * `util.authType()` reads the run's auth mode: the evaluator sets it just before a call (calls are
 * synchronous), and no other listed member reads the run.
 */
let authMode = '';
export function setAuthMode(mode: string): void {
  authMode = mode;
}
const runStub = { base: { authMode: '', info: { fieldName: '', parentTypeName: '' } } } as unknown as Run;
const util = createUtil(
  host,
  () => {
    (runStub.base as { authMode: string }).authMode = authMode;
    return runStub;
  },
  JSON.stringify,
) as unknown as Record<string, Record<string, unknown>>;

/** Builds a table from `source`, keeping only the names listed (a nested list for a namespace). */
function table(source: Record<string, unknown>, names: ReadonlyArray<string | [string, ReadonlyArray<string>]>, prefix: string): HelperTable {
  const members = new Map<string, Helper | HelperTable>();
  for (const entry of names) {
    const [name, nested] = typeof entry === 'string' ? [entry, undefined] : entry;
    const value = source[name];
    if (nested) {
      members.set(name, table(value as Record<string, unknown>, nested, `${prefix}${name}.`));
      continue;
    }
    if (typeof value !== 'function') throw new Error(`the sandbox helper ${prefix}${name} is not a function`);
    members.set(name, { fn: value as Helper['fn'], self: source, path: `${prefix}${name}` });
  }
  return { members };
}

const DYNAMODB_UTIL = [
  'toDynamoDB',
  'toString',
  'toStringSet',
  'toNumber',
  'toNumberSet',
  'toBinary',
  'toBinarySet',
  'toBoolean',
  'toNull',
  'toList',
  'toMap',
  'toMapValues',
  'toS3Object',
  'fromS3ObjectJson',
];

const UTIL_NAMES: ReadonlyArray<string | [string, ReadonlyArray<string>]> = [
  'autoId',
  'autoUlid',
  'autoKsuid',
  'authType',
  'base64Encode',
  'base64Decode',
  'urlEncode',
  'urlDecode',
  'escapeJavaScript',
  [
    'time',
    ['nowISO8601', 'nowEpochSeconds', 'nowEpochMilliSeconds', 'parseISO8601ToEpochMilliSeconds', 'epochMilliSecondsToSeconds', 'epochMilliSecondsToISO8601'],
  ],
  ['str', ['toUpper', 'toLower']],
  ['math', ['roundNum', 'minVal', 'maxVal', 'randomDouble', 'randomWithinRange']],
  ['dynamodb', DYNAMODB_UTIL],
  ['transform', ['toDynamoDBFilterExpression', 'toDynamoDBConditionExpression']],
  ['rds', ['toJsonObject']],
];

/** `util`'s listed members: the import of @aws-appsync/utils, and the sandbox's global `util` (the same object there). */
export const UTIL_TABLE = table(util, UTIL_NAMES, 'util.');

const DYNAMODB_NAMES: ReadonlyArray<string | [string, ReadonlyArray<string>]> = [
  'get',
  'put',
  'update',
  'remove',
  'query',
  'scan',
  'sync',
  'batchGet',
  'batchPut',
  'batchDelete',
  'transactGet',
  'transactWrite',
  'toStringSet',
  'toNumberSet',
  'toBinarySet',
  ['operations', ['add', 'remove', 'replace', 'increment', 'decrement', 'append', 'prepend', 'updateListItem']],
];

const RDS_NAMES: ReadonlyArray<string | [string, ReadonlyArray<string>]> = [
  'sql',
  'select',
  'insert',
  'update',
  'remove',
  'createPgStatement',
  'createMySQLStatement',
  'toJsonObject',
  ['typeHint', ['DECIMAL', 'JSON', 'TIMESTAMP', 'TIME', 'UUID', 'DATE']],
];

/** The import specifiers a handler may import from, each with the names it may use. */
export const HOST_MODULES: ReadonlyMap<string, HelperTable> = new Map([
  ['@aws-appsync/utils', { members: new Map([['util', UTIL_TABLE]]) }],
  ['@aws-appsync/utils/dynamodb', table(dynamodbModule as unknown as Record<string, unknown>, DYNAMODB_NAMES, '')],
  ['@aws-appsync/utils/rds', table(rdsModule as unknown as Record<string, unknown>, RDS_NAMES, '')],
]);

/** The `sql` tag: a tagged template calls it with the literal parts (the one array of its call site) and the values. */
export const SQL_TAG = (HOST_MODULES.get('@aws-appsync/utils/rds')!.members.get('sql') as Helper).fn;

/**
 * `$util` as VTL templates see it (the sandbox prelude builds it the same way, over the same
 * `util`): the listed members above, plus the VTL-only members that are pure and bounded by what
 * they are given. Left out: the run-acting (`error`, `appendError`, `unauthorized`, `validate`,
 * `log.*`, `http.*`) and `list.sortList`; the `list`/`map` copies, whose work is the product of two
 * sizes, are paid for by that product before they are called.
 */
const vtlUtil = createVtlUtil(util, JSON.stringify, JSON.parse, () => undefined) as Record<string, Record<string, unknown>>;
const VTL_DYNAMODB = [...DYNAMODB_UTIL, ...DYNAMODB_UTIL.filter((name) => name.startsWith('to')).map((name) => `${name}Json`)];
const VTL_UTIL_NAMES: ReadonlyArray<string | [string, ReadonlyArray<string>]> = [
  ...UTIL_NAMES.filter((entry) => typeof entry === 'string' || (entry[0] !== 'dynamodb' && entry[0] !== 'rds')),
  ['dynamodb', VTL_DYNAMODB],
  ['rds', ['toJsonObject', 'toJsonString']],
  'toJson',
  'parseJson',
  'qr',
  'quiet',
  'isNull',
  'isNullOrEmpty',
  'isNullOrBlank',
  'defaultIfNull',
  'defaultIfNullOrEmpty',
  'defaultIfNullOrBlank',
  'isString',
  'isNumber',
  'isBoolean',
  'isList',
  'isMap',
  'typeOf',
  // Each compares every element of one list with every one of the other: vtlSubset.ts pays for the product first.
  ['list', ['copyAndRetainAll', 'copyAndRemoveAll']],
  ['map', ['copyAndRetainAllKeys', 'copyAndRemoveAllKeys']],
];

/** `$util` / `$utils`'s listed members for templates evaluated in the gateway (src/resolvers/expressions/vtlSubset.ts). */
export const VTL_UTIL_TABLE = table(vtlUtil, VTL_UTIL_NAMES, 'util.');
