/**
 * What both differential tables (differential.test.ts for APPSYNC_JS, vtlDifferential.test.ts for
 * VTL) share: the config they serve their rows with (the same auth, environment and result limit,
 * the NONE and embedded DynamoDB data sources, `table` one per gateway), and the check of one row on
 * the gateway evaluating handlers and the one that does not.
 */
import { expect } from 'vitest';
import type { GatewayConfig } from '../../../src/index.js';
import type { TestGateway } from '../../utils/gateway.js';

export function differentialConfig(
  table: string,
  parts: { resolvers: unknown; pipelineFunctions: unknown; dataSources?: Record<string, unknown> },
): GatewayConfig {
  return {
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'k', value: 'da2-differential000000000000' }],
    environment: { STAGE: 'test', REGION: 'local' },
    sandbox: { maxResultChars: 4096 },
    dataSources: {
      none: { type: 'NONE' },
      ddb: {
        type: 'AMAZON_DYNAMODB',
        config: {
          tableName: table,
          table: {
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          },
        },
      },
      ...parts.dataSources,
    },
    resolvers: parts.resolvers,
    pipelineFunctions: parts.pipelineFunctions,
  } as unknown as GatewayConfig;
}

/** A log line the differential gateways write (captured from their logger). */
export interface Line {
  message: string;
  fields?: Record<string, unknown>;
}

/** One row as both tables run it: a field, how it is asked for, and where it is expected to run. */
export interface DifferentialCase {
  field: string;
  mutation?: boolean;
  args?: string;
  selection?: string;
  /** `gateway`: evaluated there; `fallback`: handed to the sandbox once at run time; `sandbox`: refused at load. */
  where: string;
}

/**
 * Asks `on` (handlers evaluated in the gateway) and `off` (every handler in the sandbox) the row's
 * operation: the same status and the same JSON text, and the row ran where it says (`lines`: `on`'s log).
 */
export async function expectSameAnswer(on: TestGateway, off: TestGateway, lines: Line[], row: DifferentialCase): Promise<void> {
  const operation = `${row.mutation ? 'mutation' : 'query'} { ${row.field}${row.args ? `(${row.args})` : ''}${row.selection ? ` ${row.selection}` : ''} }`;
  const headers = { 'x-api-key': 'da2-differential000000000000', 'x-differential': 'yes' };
  const before = lines.length;
  const got = await on.query(operation, undefined, headers);
  const fellBack = lines.slice(before).filter((l) => l.message === 'resolver handed to the sandbox');
  const expected = await off.query(operation, undefined, headers);
  expect(got.status).toBe(expected.status);
  expect(got.body).toEqual(expected.body);
  // toEqual ignores key order; the JSON text does not.
  expect(JSON.stringify(got.body)).toBe(JSON.stringify(expected.body));
  const label = `${row.mutation ? 'Mutation' : 'Query'}.${row.field}`;
  const refused = lines.find((l) => l.message.startsWith(`resolver ${label} runs in the sandbox:`));
  // An evaluation that failed (not a Fallback: a TypeError, say) is handed over with a warning: never expected.
  expect(lines.slice(before).filter((l) => l.message.startsWith(`resolver ${label}: evaluating it in the gateway failed`))).toEqual([]);
  if (row.where === 'sandbox') expect(refused?.message).toBeDefined();
  else {
    expect(refused?.message).toBeUndefined();
    expect(fellBack.map((l) => l.fields?.reason)).toHaveLength(row.where === 'fallback' ? 1 : 0);
  }
}
