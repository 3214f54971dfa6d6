/**
 * `@aws-appsync/utils/dynamodb` (docs/dynamodb.md#request-objects-in-detail): builders for DynamoDB request
 * objects. Conditions, filters and key conditions render with the same code as
 * `util.transform.toDynamoDBFilterExpression`; update objects render as the spec's table says.
 * Runs inside the sandbox: pure code only.
 */
import { toDynamoDB } from '../util/dynamodb.js';
import { renderDynamoDBExpression } from '../util/transform.js';

type Obj = Record<string, unknown>;

const MARKER = '__appsyncUpdateOperation';
interface Marker {
  [MARKER]: 'add' | 'remove' | 'replace' | 'increment' | 'decrement' | 'append' | 'prepend' | 'updateListItem';
  value?: unknown;
  index?: number;
}

const isMarker = (v: unknown): v is Marker => !!v && typeof v === 'object' && MARKER in (v as Obj);
const isPlain = (v: unknown): v is Obj =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !isMarker(v) && !('SS' in (v as Obj) || 'NS' in (v as Obj) || 'BS' in (v as Obj));

const toMapValues = (o: unknown) => (toDynamoDB(o ?? {}) as { M: Obj }).M;

/** Marks set-typed attributes (kept typed as they are by toDynamoDB-aware code below). */
export const toStringSet = (list: string[]) => ({ SS: list });
export const toNumberSet = (list: number[]) => ({ NS: list });
export const toBinarySet = (list: string[]) => ({ BS: list });

/** A value for a request: typed sets stay as they are, everything else goes through toDynamoDB. */
function typed(value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value) && ('SS' in value || 'NS' in value || 'BS' in value) && Object.keys(value).length === 1)
    return value;
  if (Array.isArray(value)) return { L: value.map(typed) };
  if (value && typeof value === 'object') {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = typed(v);
    return { M: out };
  }
  return toDynamoDB(value);
}
const typedMap = (o: unknown) => (typed(o ?? {}) as { M: Obj }).M;

export const operations = {
  add: (value: unknown): Marker => ({ [MARKER]: 'add', value }),
  remove: (): Marker => ({ [MARKER]: 'remove' }),
  replace: (value: unknown): Marker => ({ [MARKER]: 'replace', value }),
  increment: (by = 1): Marker => ({ [MARKER]: 'increment', value: by }),
  decrement: (by = 1): Marker => ({ [MARKER]: 'decrement', value: by }),
  append: (items: unknown[]): Marker => ({ [MARKER]: 'append', value: items }),
  prepend: (items: unknown[]): Marker => ({ [MARKER]: 'prepend', value: items }),
  updateListItem: (value: unknown, index: number): Marker => ({ [MARKER]: 'updateListItem', value, index }),
};

function parsed(expression: unknown): Obj | undefined {
  if (expression === undefined || expression === null) return undefined;
  const text = renderDynamoDBExpression(expression);
  if (text === null) throw new TypeError(`cannot render the condition ${JSON.stringify(expression)}`);
  const out = JSON.parse(text) as Obj;
  return (out.expression as string) === '' ? undefined : out;
}

function projectionOf(fields: unknown): Obj | undefined {
  if (!Array.isArray(fields) || fields.length === 0) return undefined;
  const expressionNames: Record<string, string> = {};
  const expression = fields
    .map((f) =>
      String(f)
        .split('.')
        .map((part) => {
          expressionNames[`#${part}`] = part;
          return `#${part}`;
        })
        .join('.'),
    )
    .join(', ');
  return { expression, expressionNames };
}

/** The update object → `{ expression, expressionNames, expressionValues }` (spec table §1.4). */
function renderUpdate(update: Obj): Obj {
  const set: string[] = [];
  const add: string[] = [];
  const remove: string[] = [];
  const names: Record<string, string> = {};
  const values: Obj = {};
  const walk = (object: Obj, prefix: string, valuePrefix: string) => {
    for (const [key, value] of Object.entries(object)) {
      if (value === undefined) continue;
      names[`#${key}`] = key;
      const path = prefix ? `${prefix}.#${key}` : `#${key}`;
      const v = `:${valuePrefix}${key}`;
      if (isMarker(value)) {
        const op = value[MARKER];
        if (op === 'remove') remove.push(path);
        else if (op === 'add') {
          values[v] = typed(value.value);
          const t = values[v] as Obj;
          if ('N' in t || 'SS' in t || 'NS' in t || 'BS' in t) add.push(`${path} ${v}`);
          else set.push(`${path} = ${v}`);
        } else if (op === 'replace') {
          values[v] = typed(value.value);
          set.push(`${path} = ${v}`);
        } else if (op === 'increment' || op === 'decrement') {
          values[v] = typed(value.value);
          set.push(`${path} = ${path} ${op === 'increment' ? '+' : '-'} ${v}`);
        } else if (op === 'append' || op === 'prepend') {
          values[v] = typed(value.value);
          set.push(op === 'append' ? `${path} = list_append(${path}, ${v})` : `${path} = list_append(${v}, ${path})`);
        }
      } else if (Array.isArray(value) && value.length > 0 && value.every(isMarker)) {
        for (const item of value) {
          const itemValue = `${v}_${item.index}`;
          values[itemValue] = typed(item.value);
          set.push(`${path}[${item.index}] = ${itemValue}`);
        }
      } else if (isPlain(value)) {
        walk(value, path, `${valuePrefix}${key}_`);
      } else {
        values[v] = typed(value);
        set.push(`${path} = ${v}`);
      }
    }
  };
  walk(update, '', '');
  const expression = [set.length && `SET ${set.join(', ')}`, add.length && `ADD ${add.join(', ')}`, remove.length && `REMOVE ${remove.join(', ')}`]
    .filter(Boolean)
    .join(' ');
  return { expression, expressionNames: names, expressionValues: values };
}

const withOptional = (request: Obj, extra: Obj) => {
  // for-in, not Object.entries: no array per member (this builds every request object of the module's helpers).
  for (const k in extra) if (Object.hasOwn(extra, k) && extra[k] !== undefined) request[k] = extra[k];
  return request;
};

export function get(input: { key: Obj; consistentRead?: boolean; projection?: string[] }) {
  return withOptional(
    { operation: 'GetItem', key: toMapValues(input.key) },
    { consistentRead: input.consistentRead, projection: projectionOf(input.projection) },
  );
}

export function put(input: { key: Obj; item: Obj; condition?: unknown; customPartitionKey?: string; populateIndexFields?: boolean; _version?: number }) {
  return withOptional(
    { operation: 'PutItem', key: toMapValues(input.key), attributeValues: typedMap(input.item) },
    {
      condition: parsed(input.condition),
      customPartitionKey: input.customPartitionKey,
      populateIndexFields: input.populateIndexFields,
      _version: input._version,
    },
  );
}

export function update(input: { key: Obj; update: Obj; condition?: unknown; customPartitionKey?: string; populateIndexFields?: boolean; _version?: number }) {
  return withOptional(
    { operation: 'UpdateItem', key: toMapValues(input.key), update: renderUpdate(input.update) },
    {
      condition: parsed(input.condition),
      customPartitionKey: input.customPartitionKey,
      populateIndexFields: input.populateIndexFields,
      _version: input._version,
    },
  );
}

export function remove(input: { key: Obj; condition?: unknown; customPartitionKey?: string; populateIndexFields?: boolean; _version?: number }) {
  return withOptional(
    { operation: 'DeleteItem', key: toMapValues(input.key) },
    {
      condition: parsed(input.condition),
      customPartitionKey: input.customPartitionKey,
      populateIndexFields: input.populateIndexFields,
      _version: input._version,
    },
  );
}

type ListInput = { index?: string; limit?: number; nextToken?: string; consistentRead?: boolean; select?: string; filter?: unknown; projection?: string[] };

function listFields(input: ListInput) {
  return {
    index: input.index,
    limit: input.limit,
    nextToken: input.nextToken,
    consistentRead: input.consistentRead,
    select: input.select,
    filter: parsed(input.filter),
    projection: projectionOf(input.projection),
  };
}

export function query(input: ListInput & { query: Obj; scanIndexForward?: boolean }) {
  return withOptional({ operation: 'Query', query: parsed(input.query) }, { ...listFields(input), scanIndexForward: input.scanIndexForward });
}

export function scan(input: ListInput & { totalSegments?: number; segment?: number }) {
  return withOptional({ operation: 'Scan' }, { ...listFields(input), totalSegments: input.totalSegments, segment: input.segment });
}

export function sync(input: { basePartitionKey?: string; deltaIndexName?: string; limit?: number; nextToken?: string; lastSync?: number; filter?: unknown }) {
  return withOptional({ operation: 'Sync' }, { ...input, filter: parsed(input.filter) });
}

export function batchGet(input: { tables: Record<string, { keys: Obj[]; consistentRead?: boolean; projection?: string[] } | Obj[]> }) {
  const tables: Obj = {};
  for (const [table, spec] of Object.entries(input.tables)) {
    const s = Array.isArray(spec) ? { keys: spec } : spec;
    tables[table] = withOptional({ keys: s.keys.map(toMapValues) }, { consistentRead: s.consistentRead, projection: projectionOf(s.projection) });
  }
  return { operation: 'BatchGetItem', tables };
}

export function batchPut(input: { tables: Record<string, Obj[]> }) {
  return { operation: 'BatchPutItem', tables: Object.fromEntries(Object.entries(input.tables).map(([t, items]) => [t, items.map(typedMap)])) };
}

export function batchDelete(input: { tables: Record<string, Obj[]> }) {
  return { operation: 'BatchDeleteItem', tables: Object.fromEntries(Object.entries(input.tables).map(([t, keys]) => [t, keys.map(toMapValues)])) };
}

export function transactGet(input: { items: Array<{ table: string; key: Obj; projection?: string[] }> }) {
  return {
    operation: 'TransactGetItems',
    transactItems: input.items.map((i) => withOptional({ table: i.table, key: toMapValues(i.key) }, { projection: projectionOf(i.projection) })),
  };
}

type WriteItem = { table: string; key: Obj; item?: Obj; update?: Obj; condition?: unknown; returnValuesOnConditionCheckFailure?: boolean };

export function transactWrite(input: { items: Array<{ putItem?: WriteItem; updateItem?: WriteItem; deleteItem?: WriteItem; conditionCheck?: WriteItem }> }) {
  return {
    operation: 'TransactWriteItems',
    transactItems: input.items.map((entry) => {
      const [kind, spec] = Object.entries(entry)[0] as [string, WriteItem];
      const operation = { putItem: 'PutItem', updateItem: 'UpdateItem', deleteItem: 'DeleteItem', conditionCheck: 'ConditionCheck' }[kind];
      const condition = parsed(spec.condition);
      if (condition && spec.returnValuesOnConditionCheckFailure !== undefined)
        condition.returnValuesOnConditionCheckFailure = spec.returnValuesOnConditionCheckFailure;
      return withOptional(
        { table: spec.table, operation, key: toMapValues(spec.key) },
        { attributeValues: spec.item ? typedMap(spec.item) : undefined, update: spec.update ? renderUpdate(spec.update) : undefined, condition },
      );
    }),
  };
}
