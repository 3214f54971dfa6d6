/**
 * `$util` as VTL mapping templates see it (docs/resolvers.md#vtl-mapping-templates): the APPSYNC_JS
 * `util` (the same helper implementations, from ../util/ and the prelude's run-aware members)
 * plus the VTL-only members AppSync documents for templates: `toJson`, `parseJson`, `qr`/`quiet`,
 * `isNull*`, `defaultIfNull*`, `is*`, `typeOf`, `validate`, `log`, `list`, `map` and the `…Json`
 * forms of the `dynamodb` helpers.
 */

import { javaEquals } from './java.js';

type Json = unknown;

const isNil = (v: unknown): v is null | undefined => v === null || v === undefined;
const isBlank = (v: unknown): boolean => isNil(v) || (typeof v === 'string' && v.trim() === '');
const isEmpty = (v: unknown): boolean => isNil(v) || v === '';
const isMap = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const pick = (map: unknown, keep: (key: string) => boolean): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  if (isMap(map)) for (const [k, v] of Object.entries(map as Record<string, unknown>)) if (keep(k)) out[k] = v;
  return out;
};
const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
};

/**
 * The VTL `$util` over the JS one. `stringify`/`parse` are the realm's JSON functions as the
 * prelude captured them (resolver code cannot have replaced them); `log` forwards `$util.log.*`.
 */
export function createVtlUtil(
  jsUtil: Record<string, unknown>,
  stringify: (v: unknown) => string | undefined,
  parse: (t: string) => unknown,
  log: (level: 'info' | 'error', message: string) => void,
): Record<string, unknown> {
  const dynamodb = jsUtil.dynamodb as Record<string, (...args: unknown[]) => unknown>;
  const dynamodbVtl: Record<string, unknown> = { ...dynamodb };
  // docs/resolvers.md#vtl-mapping-templates: each `to*` helper also as `to*Json`, returning the JSON text.
  for (const name of Object.keys(dynamodb)) {
    if (name.startsWith('to')) dynamodbVtl[`${name}Json`] = (...args: unknown[]) => stringify(dynamodb[name]!(...args)) ?? 'null';
  }
  const error = jsUtil.error as (...args: unknown[]) => never;
  const toJson = (value: unknown): string => stringify(value === undefined ? null : value) ?? 'null';
  const format = (args: unknown[]): string => args.map((a) => (typeof a === 'string' ? a : toJson(a))).join(' ');
  const rds = jsUtil.rds as { toJsonObject(result: unknown): unknown };
  return {
    ...jsUtil,
    dynamodb: dynamodbVtl,
    // rds-reference: VTL also has toJsonString, the same rows as JSON text.
    rds: { ...rds, toJsonString: (result: unknown): string => stringify(rds.toJsonObject(result)) ?? 'null' },
    toJson,
    parseJson(text: unknown): Json {
      try {
        return parse(String(text));
      } catch (e) {
        return error(`Unable to parse the JSON document: ${(e as Error).message}`, 'MappingTemplate');
      }
    },
    // `$util.qr($list.add(1))`: evaluate, print nothing (the prelude's renderer prints '' for undefined).
    qr: (): undefined => undefined,
    quiet: (): undefined => undefined,
    isNull: (v: unknown): boolean => isNil(v),
    isNullOrEmpty: (v: unknown): boolean => isEmpty(v),
    isNullOrBlank: (v: unknown): boolean => isBlank(v),
    defaultIfNull: (v: unknown, d: unknown): unknown => (isNil(v) ? d : v),
    defaultIfNullOrEmpty: (v: unknown, d: unknown): unknown => (isEmpty(v) ? d : v),
    defaultIfNullOrBlank: (v: unknown, d: unknown): unknown => (isBlank(v) ? d : v),
    isString: (v: unknown): boolean => typeof v === 'string',
    isNumber: (v: unknown): boolean => typeof v === 'number',
    isBoolean: (v: unknown): boolean => typeof v === 'boolean',
    isList: (v: unknown): boolean => Array.isArray(v),
    isMap: (v: unknown): boolean => isMap(v),
    typeOf(v: unknown): string {
      if (isNil(v)) return 'Null';
      if (typeof v === 'number') return 'Number';
      if (typeof v === 'string') return 'String';
      if (typeof v === 'boolean') return 'Boolean';
      if (Array.isArray(v)) return 'List';
      return isMap(v) ? 'Map' : 'Object';
    },
    /** `$util.validate(condition, message, errorType?, data?)`: raises unless the condition holds. */
    validate(condition: unknown, message?: unknown, errorType: unknown = 'CustomTemplateException', data?: unknown): string {
      if (condition !== true) error(message, errorType, data);
      return '';
    },
    // `$util.list` / `$util.map`: shallow copies, elements compared as Java's equals does.
    list: {
      copyAndRetainAll: (list: unknown, keep: unknown): unknown[] => asList(list).filter((x) => asList(keep).some((y) => javaEquals(x, y))),
      copyAndRemoveAll: (list: unknown, drop: unknown): unknown[] => asList(list).filter((x) => !asList(drop).some((y) => javaEquals(x, y))),
      /** Sorts a copy by `property` of each map (or by the values themselves); nulls first, as AppSync's examples show nothing else. */
      sortList(list: unknown, descending: unknown, property: unknown): unknown[] {
        const key = typeof property === 'string' && property !== '' ? property : undefined;
        const valueOf = (x: unknown): unknown => (key !== undefined && isMap(x) ? (x as Record<string, unknown>)[key] : x);
        const sorted = asList(list)
          .slice()
          .sort((a, b) => compare(valueOf(a), valueOf(b)));
        return descending === true ? sorted.reverse() : sorted;
      },
    },
    map: {
      copyAndRetainAllKeys: (map: unknown, keys: unknown): Record<string, unknown> => pick(map, (k) => asList(keys).includes(k)),
      copyAndRemoveAllKeys: (map: unknown, keys: unknown): Record<string, unknown> => pick(map, (k) => !asList(keys).includes(k)),
    },
    log: {
      info: (...args: unknown[]): void => log('info', format(args)),
      error: (...args: unknown[]): void => log('error', format(args)),
    },
  };
}
