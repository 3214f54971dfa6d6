/**
 * EventBridge rules declared in `stepFunctions.rules`, fed by the gateway's own resolvers through
 * an `AMAZON_EVENTBRIDGE` data source (APPSYNC_JS over HTTP GraphQL), with Input, InputPath and
 * InputTransformer on targets (state machine and queue targets, read back with the real
 * client-sfn and client-sqs), and the same through client-eventbridge's PutTargets.
 */
import { EventBridgeClient, ListTargetsByRuleCommand, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, type ExecutionListItem } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/config/normalize.js';
import type { GatewayConfig } from '../../../src/index.js';
import { startTestGateway, type TestGateway } from '../../utils/gateway.js';
import { smArn } from './serve.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:123456789012:${name}`;

const placeOrder = `
export function request(ctx) {
  return { operation: 'PutEvents', events: [{ source: 'shop.orders', detailType: 'OrderPlaced', detail: { id: ctx.args.id, total: ctx.args.total, customer: { name: 'Ana' } } }] };
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result.Entries[0].EventId;
}`;
const badPut = `
export function request() { return { operation: 'PutEvent', events: [] }; }
export function response(ctx) { if (ctx.error) util.error(ctx.error.message, ctx.error.type); return 'x'; }`;

let gw: TestGateway;
let sfn: SFNClient;
let sqs: SQSClient;
let events: EventBridgeClient;

beforeAll(async () => {
  gw = await startTestGateway({
    files: { 'placeOrder.js': placeOrder, 'badPut.js': badPut },
    config: {
      name: 'sfn-rules',
      schemaSdl: 'type Query { ok: Boolean } type Mutation { placeOrder(id: ID!, total: Int!): ID badPut: ID }',
      authentication: { type: 'API_KEY' },
      apiKeys: [{ name: 'k', value: 'da2-rules0000000000000000000' }],
      dataSources: { bus: { type: 'AMAZON_EVENTBRIDGE', config: { eventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' } } },
      resolvers: {
        'Mutation.placeOrder': { kind: 'UNIT', dataSource: 'bus', code: 'placeOrder.js' },
        'Mutation.badPut': { kind: 'UNIT', dataSource: 'bus', code: 'badPut.js' },
      },
      stepFunctions: {
        stateMachines: {
          bigOrder: { type: 'STANDARD', definition: { StartAt: 'Keep', States: { Keep: { Type: 'Pass', End: true } } } },
        },
        queues: { audit: {}, totals: {}, fixed: {}, lines: {} },
        rules: {
          bigOrders: {
            eventPattern: { source: ['shop.orders'], detail: { total: [{ numeric: ['>=', 100] }] } },
            targets: [
              {
                stateMachine: 'bigOrder',
                inputTransformer: {
                  inputPathsMap: { id: '$.detail.id', who: '$.detail.customer.name', missing: '$.detail.nope' },
                  inputTemplate: '{"orderId": <id>, "note": "order <id> for \\"<who>\\"", "rule": <aws.events.rule-name>, "gone": <missing>}',
                },
              },
              { id: 'total', arn: queueArn('totals'), inputPath: '$.detail.total' },
              { id: 'fixed', arn: queueArn('fixed'), input: '{"fixed":true}' },
              { id: 'line', arn: queueArn('lines'), inputTransformer: { inputPathsMap: { id: '$.detail.id' }, inputTemplate: '"order <id> is big"' } },
            ],
          },
          everyOrder: { eventPattern: { source: [{ prefix: 'shop.' }] }, targets: [{ arn: queueArn('audit') }] },
        },
      },
    } as GatewayConfig,
  });
  sfn = new SFNClient({ endpoint: gw.origin, region: 'us-east-1', credentials, disableHostPrefix: true });
  sqs = new SQSClient({ endpoint: gw.origin, region: 'us-east-1', credentials });
  events = new EventBridgeClient({ endpoint: gw.origin, region: 'us-east-1', credentials });
});

afterAll(async () => {
  sfn?.destroy();
  sqs?.destroy();
  events?.destroy();
  await gw?.close();
});

async function receive(queue: string, wait = 3): Promise<string | undefined> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: wait }));
  return Messages?.[0]?.Body;
}

describe('rules from the config, fed by a resolver', () => {
  it('a resolver’s PutEvents reaches the matching rules; targets get Input, InputPath and transformed input', async () => {
    const { body } = await gw.query('mutation { placeOrder(id: "o-1", total: 250) }');
    expect(body.errors).toBeUndefined();
    expect(body.data.placeOrder).toMatch(/^[0-9a-f-]{36}$/);

    let executions: ExecutionListItem[] = [];
    for (let i = 0; i < 100 && executions.length === 0; i++) {
      executions = (await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn('bigOrder') }))).executions ?? [];
      if (executions.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(executions).toHaveLength(1);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: executions[0]!.executionArn }));
    expect(JSON.parse(described.input!)).toEqual({ orderId: 'o-1', note: 'order o-1 for "Ana"', rule: 'bigOrders', gone: null });

    expect(await receive('totals')).toBe('250');
    expect(await receive('fixed')).toBe('{"fixed":true}');
    expect(await receive('lines')).toBe('"order o-1 is big"');
    const audited = JSON.parse((await receive('audit'))!);
    expect(audited).toMatchObject({ source: 'shop.orders', 'detail-type': 'OrderPlaced', detail: { id: 'o-1', total: 250 } });
  });

  it('an event the pattern does not match reaches only the rules it matches', async () => {
    const { body } = await gw.query('mutation { placeOrder(id: "o-2", total: 5) }');
    expect(body.errors).toBeUndefined();
    expect(JSON.parse((await receive('audit'))!).detail.id).toBe('o-2');
    expect(await receive('totals', 1)).toBeUndefined();
  });

  it('a malformed request object is a field error of type EventBridge:ValidationException', async () => {
    const { body } = await gw.query('mutation { badPut }');
    expect(body.errors[0]).toMatchObject({ errorType: 'EventBridge:ValidationException', message: expect.stringContaining('expected PutEvents') });
  });
});

describe('input transformation through client-eventbridge', () => {
  it('PutTargets keeps InputTransformer and InputPath (ListTargetsByRule) and refuses bad ones', async () => {
    await events.send(new PutRuleCommand({ Name: 'viaSdk', EventPattern: JSON.stringify({ source: ['sdk.test'] }) }));
    await events.send(
      new PutTargetsCommand({
        Rule: 'viaSdk',
        Targets: [
          {
            Id: 'q',
            Arn: queueArn('audit'),
            InputTransformer: { InputPathsMap: { t: '$.detail-type', n: '$.detail.items[1]' }, InputTemplate: '{"type": "<t>", "second": <n>}' },
          },
        ],
      }),
    );
    const { Targets } = await events.send(new ListTargetsByRuleCommand({ Rule: 'viaSdk' }));
    expect(Targets?.[0]?.InputTransformer?.InputTemplate).toBe('{"type": "<t>", "second": <n>}');
    await events.send(new PutEventsCommand({ Entries: [{ Source: 'sdk.test', DetailType: 'Thing', Detail: JSON.stringify({ items: [1, { b: 2 }] }) }] }));
    expect(JSON.parse((await receive('audit'))!)).toEqual({ type: 'Thing', second: { b: 2 } });

    const refusals = [
      { Id: 'x', Arn: queueArn('audit'), InputPath: 'detail' },
      { Id: 'x', Arn: queueArn('audit'), Input: '{}', InputPath: '$.detail' },
      { Id: 'x', Arn: queueArn('audit'), InputTransformer: { InputPathsMap: { 'aws.mine': '$.id' }, InputTemplate: '<aws.mine>' } },
      { Id: 'x', Arn: queueArn('audit'), Input: 'not json' },
    ];
    for (const target of refusals) {
      await expect(events.send(new PutTargetsCommand({ Rule: 'viaSdk', Targets: [target] }))).rejects.toMatchObject({ name: 'ValidationException' });
    }
  });
});

describe('rule and data source declarations', () => {
  const base = {
    schemaSdl: 'type Query { ok: Boolean }',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'k', value: 'da2-rules0000000000000000000' }],
  };
  const problems = (rules: unknown) => {
    try {
      normalizeConfig({ ...base, stepFunctions: { rules } } as GatewayConfig, { configDir: '/tmp' });
      return '';
    } catch (error) {
      return String((error as Error).message);
    }
  };
  it('names the key path of each problem', () => {
    expect(problems({ r: { targets: [] } })).toMatch(/stepFunctions\.rules\.r\.eventPattern: expected an event pattern object/);
    expect(problems({ r: { eventPattern: {}, targets: [{ arn: 'a', stateMachine: 'b' }] } })).toMatch(
      /stepFunctions\.rules\.r\.targets\.0: expected either arn/,
    );
    expect(problems({ r: { eventPattern: {}, targets: [{ arn: 'a', input: '{}', inputPath: '$' }] } })).toMatch(/exclude each other/);
    expect(problems({ r: { eventPattern: {}, state: 'OFF', targets: [] } })).toMatch(/stepFunctions\.rules\.r\.state: expected ENABLED or DISABLED/);
    expect(problems({ r: { eventPattern: { source: ['a'] }, targets: [{ stateMachine: 'm', inputTransformer: { inputTemplate: '<x>' } }] } })).toBe('');
    expect(problems({ r: { eventPattern: {}, targets: [{ arn: 'a', deadLetterConfig: 'arn:aws:sqs:us-east-1:123456789012:q' }] } })).toMatch(
      /stepFunctions\.rules\.r\.targets\.0\.deadLetterConfig: expected \{ arn: <an SQS queue ARN> \}/,
    );
    expect(problems({ r: { eventPattern: {}, targets: [{ arn: 'a', deadLetterConfig: { Arn: 'x' } }] } })).toMatch(/targets\.0\.deadLetterConfig/);
    expect(problems({ r: { eventPattern: {}, targets: [{ arn: 'a', deadLetterConfig: { arn: 'arn:aws:sqs:us-east-1:123456789012:q' } }] } })).toBe('');
  });
});
