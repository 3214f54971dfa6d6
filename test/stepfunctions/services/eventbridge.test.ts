/**
 * The in-process EventBridge on the gateway's port through the real `@aws-sdk/client-eventbridge`:
 * a rule whose pattern uses prefix, anything-but, numeric, exists and wildcard starts a Standard
 * execution on a matching PutEvents (and not on others), malformed patterns are refused, and an
 * `arn:aws:states:::events:putEvents` task feeds a rule with an SQS target.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/load.js';
import { createGateway, type Gateway } from '../../../src/index.js';
import { matchesPattern } from '../../../src/stepfunctions/services/eventbridge.js';
import { freePort } from '../../utils/freePort.js';
import { silentLogger } from '../../utils/logger.js';
import { smArn } from './serve.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

let dir: string;
let gateway: Gateway;
let events: EventBridgeClient;
let sfn: SFNClient;
let sqs: SQSClient;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-events-'));
  await writeFile(join(dir, 'schema.graphql'), 'type Query { ok: Boolean }');
  const config = {
    name: 'sfn-events',
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'k', value: 'da2-sfnevents00000000000000' }],
    stepFunctions: {
      stateMachines: {
        onOrder: {
          type: 'STANDARD',
          definition: { StartAt: 'Take', States: { Take: { Type: 'Pass', Parameters: { 'orderId.$': '$.detail.orderId' }, End: true } } },
        },
        emit: {
          type: 'EXPRESS',
          definition: {
            StartAt: 'Put',
            States: {
              Put: {
                Type: 'Task',
                Resource: 'arn:aws:states:::events:putEvents',
                Parameters: { Entries: [{ Source: 'app.billing', DetailType: 'Invoice', 'Detail.$': '$' }] },
                End: true,
              },
            },
          },
        },
      },
    },
  };
  await writeFile(join(dir, 'appsync.config.json'), JSON.stringify(config));
  const loaded = await loadConfigFile(join(dir, 'appsync.config.json'));
  const port = await freePort();
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silentLogger, inMemory: true });
  await gateway.listen({ port, host: '127.0.0.1' });
  await gateway.ready();
  const endpoint = `http://127.0.0.1:${port}`;
  events = new EventBridgeClient({ endpoint, region: 'us-east-1', credentials });
  sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials, disableHostPrefix: true });
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
});

afterAll(async () => {
  events?.destroy();
  sfn?.destroy();
  sqs?.destroy();
  await gateway?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('event patterns', () => {
  const event = {
    source: 'app.orders',
    'detail-type': 'OrderPlaced',
    detail: { orderId: 'o-1', total: 120, status: 'new', tags: ['a', 'vip'], region: 'eu-west-1' },
  };
  it('match as AWS documents them', () => {
    expect(matchesPattern({ source: [{ prefix: 'app.' }], detail: { total: [{ numeric: ['>', 100, '<=', 200] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { total: [{ numeric: ['<', 100] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { status: [{ 'anything-but': ['cancelled', 'refunded'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { status: [{ 'anything-but': 'new' }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { coupon: [{ exists: false }], orderId: [{ exists: true }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { coupon: [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { region: [{ wildcard: 'eu-*-1' }], tags: ['vip'] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { tags: ['gold'] } }, event)).toBe(false);
  });
});

describe('EventBridge API on the gateway port (@aws-sdk/client-eventbridge)', () => {
  it('a rule targeting a Standard state machine starts an execution for a matching event only', async () => {
    const pattern = {
      source: [{ prefix: 'app.' }],
      'detail-type': ['OrderPlaced'],
      detail: { total: [{ numeric: ['>=', 100] }], status: [{ 'anything-but': 'test' }], coupon: [{ exists: false }], region: [{ wildcard: 'eu-*' }] },
    };
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: 'bigOrders', EventPattern: JSON.stringify(pattern) }));
    expect(RuleArn).toBe('arn:aws:events:us-east-1:123456789012:rule/bigOrders');
    expect(await events.send(new PutTargetsCommand({ Rule: 'bigOrders', Targets: [{ Id: 'sm', Arn: smArn('onOrder') }] }))).toMatchObject({
      FailedEntryCount: 0,
    });

    const put = await events.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'small', total: 5, status: 'new', region: 'eu-west-1' }) },
          { Source: 'app.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId: 'big', total: 500, status: 'new', region: 'eu-west-1' }) },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    expect(put.Entries).toHaveLength(2);

    let list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn('onOrder') }));
    for (let i = 0; i < 100 && (list.executions ?? []).length === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
      list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn('onOrder') }));
    }
    expect(list.executions).toHaveLength(1);
    let described = await sfn.send(new DescribeExecutionCommand({ executionArn: list.executions![0]!.executionArn }));
    for (let i = 0; i < 100 && described.status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      described = await sfn.send(new DescribeExecutionCommand({ executionArn: list.executions![0]!.executionArn }));
    }
    expect(JSON.parse(described.output!)).toEqual({ orderId: 'big' });
    expect(JSON.parse(described.input!)).toMatchObject({ version: '0', source: 'app.orders', 'detail-type': 'OrderPlaced', account: '123456789012' });
  });

  it('malformed event patterns are InvalidEventPatternException', async () => {
    for (const bad of [
      '{not json',
      JSON.stringify({ source: 'app' }),
      JSON.stringify({ detail: { n: [{ numeric: ['~', 1] }] } }),
      JSON.stringify({ a: [{ exists: 'yes' }] }),
    ]) {
      await expect(events.send(new PutRuleCommand({ Name: 'bad', EventPattern: bad }))).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    }
  });
});

describe('arn:aws:states:::events:putEvents', () => {
  it('puts the event on the bus, where a rule sends it to a queue', async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'invoices' }));
    await events.send(new PutRuleCommand({ Name: 'invoices', EventPattern: JSON.stringify({ source: ['app.billing'] }) }));
    await events.send(new PutTargetsCommand({ Rule: 'invoices', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:123456789012:invoices' }] }));
    const result = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('emit'), input: JSON.stringify({ invoice: 42 }) }));
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 5 }));
    expect(JSON.parse(got.Messages![0]!.Body!)).toMatchObject({ source: 'app.billing', 'detail-type': 'Invoice', detail: { invoice: 42 } });
  });
});
