/**
 * `util.dynamodb` (docs/resolvers.md#util-in-detail, util.dynamodb): plain values to DynamoDB typed
 * values. `N` is emitted as a JSON number (Gateway choice in the spec); helpers given null or
 * undefined return null, as the types say.
 */

type Typed = Record<string, unknown>;

const isNil = (v: unknown): v is null | undefined => v === null || v === undefined;

/** Any value to its typed form; never emits sets. */
export function toDynamoDB(value: unknown): Typed {
  if (isNil(value)) return { NULL: null };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toDynamoDB) };
  if (typeof value === 'object') {
    const out: Record<string, Typed> = {};
    // for-in, not Object.entries: no array per member (a key of every request, an item of every write).
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = toDynamoDB(v);
    }
    return { M: out };
  }
  return { S: String(value) };
}

export function createDynamoDBUtils() {
  return {
    toDynamoDB,
    toString: (s: unknown) => (isNil(s) ? null : { S: String(s) }),
    toStringSet: (list: unknown) => (Array.isArray(list) ? { SS: list.map(String) } : null),
    toNumber: (n: unknown) => (isNil(n) ? null : { N: typeof n === 'number' ? n : Number(n) }),
    toNumberSet: (list: unknown) => (Array.isArray(list) ? { NS: list.map((n) => (typeof n === 'number' ? n : Number(n))) } : null),
    toBinary: (b: unknown) => (isNil(b) ? null : { B: String(b) }),
    toBinarySet: (list: unknown) => (Array.isArray(list) ? { BS: list.map(String) } : null),
    toBoolean: (b: unknown) => (isNil(b) ? null : { BOOL: Boolean(b) }),
    toNull: () => ({ NULL: null }),
    toList: (list: unknown) => (Array.isArray(list) ? { L: list.map(toDynamoDB) } : null),
    toMap: (map: unknown) => (map && typeof map === 'object' && !Array.isArray(map) ? toDynamoDB(map) : null),
    toMapValues: (map: unknown) => (map && typeof map === 'object' && !Array.isArray(map) ? (toDynamoDB(map) as { M: Typed }).M : null),
    toS3Object(key: string, bucket: string, region: string, version?: string) {
      const s3: Record<string, string> = { key, bucket, region };
      if (version !== undefined) s3.version = version;
      return { S: JSON.stringify({ s3 }) };
    },
    fromS3ObjectJson(text: string) {
      try {
        const parsed = JSON.parse(text) as { s3?: Record<string, string> };
        return parsed?.s3 ?? null;
      } catch {
        return null;
      }
    },
  };
}
