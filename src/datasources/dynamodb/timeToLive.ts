/**
 * Table TTL from the config: a table's CloudFormation `TimeToLiveSpecification` (AWS::DynamoDB::Table
 * Properties) is applied with UpdateTimeToLive, as CloudFormation would, on tables the gateway
 * manages; versioned data sources expire `_ttl` (docs/dynamodb.md, conflict detection), so their
 * base and Delta tables get TTL on `_ttl` when the gateway creates them locally.
 */
import type { DynamoDBApi } from './api.js';
import { invalid } from './values.js';

/** Turns TTL on for `attribute` unless it already is; a table with TTL on another attribute is an error. */
export async function ensureTimeToLive(api: DynamoDBApi, table: string, attribute: string): Promise<void> {
  const { TimeToLiveDescription: d } = await api.call('DescribeTimeToLive', { TableName: table });
  if (d?.TimeToLiveStatus === 'ENABLED' || d?.TimeToLiveStatus === 'ENABLING') {
    if (d.AttributeName !== attribute)
      throw invalid('table.TimeToLiveSpecification', `table ${table} already expires items by ${d.AttributeName}, not ${attribute}`);
    return;
  }
  await api.call('UpdateTimeToLive', { TableName: table, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } });
}

/** The attribute of an enabled CloudFormation `TimeToLiveSpecification`, if any. */
export function timeToLiveAttribute(properties: Record<string, unknown> | undefined): string | undefined {
  const spec = properties?.TimeToLiveSpecification as { AttributeName?: unknown; Enabled?: unknown } | undefined;
  if (!spec || (spec.Enabled !== true && spec.Enabled !== 'true')) return undefined;
  return typeof spec.AttributeName === 'string' ? spec.AttributeName : undefined;
}
