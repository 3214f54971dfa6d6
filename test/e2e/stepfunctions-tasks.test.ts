/**
 * Task states reaching the gateway's own functions and data sources, over the Step Functions API
 * of a real gateway (AWS SDK v3 `SFNClient`, SigV4-signed): Lambda handlers of AWS_LAMBDA data
 * sources and serverless functions (function ARN and `lambda:invoke`), an embedded DynamoDB table,
 * `http:invoke`, nested `startExecution.sync:2`, `.waitForTaskToken`; and resolvers that start
 * executions: the AWS_STEP_FUNCTIONS shorthand (direct and with code) and AppSync's tutorial way
 * (an HTTP data source signing for `states`, calling StartSyncExecution from resolver code).
 */
import { fileURLToPath } from 'node:url';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { acquireEmbeddedDynamoDB, releaseEmbeddedDynamoDB } from '../../src/embedded/dynamodb/index.js';
import { createStepFunctionsDataSourceKind, type StepFunctionsStarter } from '../../src/stepfunctions/resolverDataSource.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const ACCOUNT = '123456789012';
const smArn = (name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`;
const FUNCTIONS = fileURLToPath(new URL('../stepfunctions/tasks/fixtures/functions.ts', import.meta.url));
const TABLE = 'sfn_e2e_orders';
const CREDENTIALS = { accessKeyId: 'AKIASFNTASKSTEST0001', secretAccessKey: 'sfn-tasks-secret-key-for-tests-only' };

const CHECKOUT = {
  Comment: 'Prices an order with a Lambda function, stores it in DynamoDB and reads it back',
  StartAt: 'Price',
  States: {
    Price: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'price', 'Payload.$': '$' },
      ResultSelector: { 'total.$': '$.Payload.total', 'status.$': '$.StatusCode' },
      ResultPath: '$.price',
      Next: 'Store',
    },
    Store: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:putItem',
      Parameters: { TableName: TABLE, Item: { id: { 'S.$': '$.orderId' }, amount: { 'N.$': "States.Format('{}', $.price.total)" } } },
      ResultPath: null,
      Next: 'Read',
    },
    Read: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:getItem',
      Parameters: { TableName: TABLE, Key: { id: { 'S.$': '$.orderId' } } },
      ResultSelector: { 'orderId.$': '$.Item.id.S', 'total.$': 'States.StringToJson($.Item.amount.N)' },
      End: true,
    },
  },
};

const CATCHING = {
  StartAt: 'Fail',
  States: {
    Fail: {
      Type: 'Task',
      Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:failFunction`,
      Catch: [{ ErrorEquals: ['CustomError'], ResultPath: '$.error', Next: 'Recovered' }],
      End: true,
    },
    Recovered: { Type: 'Pass', End: true },
  },
};

const FAILING = { StartAt: 'Fail', States: { Fail: { Type: 'Task', Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:failFunction`, End: true } } };

const CHILD = { StartAt: 'Echo', States: { Echo: { Type: 'Task', Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:echo`, End: true } } };
const PARENT = {
  StartAt: 'RunChild',
  States: {
    RunChild: {
      Type: 'Task',
      Resource: 'arn:aws:states:::states:startExecution.sync:2',
      Parameters: { StateMachineArn: smArn('Child'), 'Input.$': '$' },
      OutputPath: '$.Output',
      End: true,
    },
  },
};

const CALLBACK = {
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'remember', Payload: { 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
};

const HTTP = {
  StartAt: 'Call',
  States: {
    Call: {
      Type: 'Task',
      Resource: 'arn:aws:states:::http:invoke',
      Parameters: { 'ApiEndpoint.$': '$.url', Method: 'GET', Authentication: { ConnectionArn: `arn:aws:events:us-east-1:${ACCOUNT}:connection/local/1` } },
      ResultSelector: { 'status.$': '$.StatusCode', 'body.$': '$.ResponseBody' },
      End: true,
    },
  },
};

const JSONATA_PRICE = {
  QueryLanguage: 'JSONata',
  StartAt: 'Price',
  States: {
    Price: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Arguments: { FunctionName: 'price', Payload: '{% $states.input %}' },
      Output: { orderId: '{% $states.input.orderId %}', total: '{% $states.result.Payload.total %}' },
      End: true,
    },
  },
};

const SDK_QUERY = {
  StartAt: 'Query',
  States: {
    Query: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:query',
      Parameters: { TableName: TABLE, KeyConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': { 'S.$': '$.orderId' } } },
      ResultSelector: { 'count.$': '$.Count', 'amount.$': '$.Items[0].amount.N' },
      End: true,
    },
  },
};

const SDL = `
type Receipt { orderId: ID! total: Int! }
type Started { executionArn: String! startDate: String! }
type Query { ok: Boolean }
type Mutation {
  checkout(orderId: ID!, items: Int!): Receipt
  checkoutWithCode(orderId: ID!, items: Int!): Receipt
  startChild(value: String!): Started
  checkoutViaHttp(orderId: ID!, items: Int!): Receipt
}`;

const CODE_RESOLVER = `
export function request(ctx) {
  return { operation: 'StartSyncExecution', input: { orderId: ctx.args.orderId, items: ctx.args.items } };
}
export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  return ctx.result;
}`;

const START_CHILD = `
export function request(ctx) {
  return { operation: 'StartExecution', input: { value: ctx.args.value }, stateMachine: 'Child' };
}
export function response(ctx) {
  return ctx.result;
}`;

// AppSync's tutorial: the HTTP data source signs for "states"; the code writes the JSON 1.0 call.
const HTTP_RESOLVER = `
export function request(ctx) {
  return {
    method: 'POST',
    resourcePath: '/',
    params: {
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.StartSyncExecution' },
      body: JSON.stringify({ stateMachineArn: '${smArn('Checkout')}', input: JSON.stringify(ctx.args) }),
    },
  };
}
export function response(ctx) {
  const body = JSON.parse(ctx.result.body);
  if (ctx.result.statusCode !== 200) util.error(body.message, body.__type);
  if (body.status !== 'SUCCEEDED') util.error(body.cause, body.error);
  return JSON.parse(body.output);
}`;

let gw: TestGateway;
let sfn: SFNClient;
let config: GatewayConfig;

beforeAll(async () => {
  // The shorthand's kind, bound here to the gateway's own Step Functions API through the SDK, so
  // this suite does not depend on how the gateway registers the kind itself.
  const starter: StepFunctionsStarter = {
    async startExecution(stateMachineArn, input, name, wait) {
      const text = JSON.stringify(input ?? {});
      if (wait) return sfn.send(new StartSyncExecutionCommand({ stateMachineArn, input: text, name }));
      return sfn.send(new StartExecutionCommand({ stateMachineArn, input: text, name }));
    },
    service: { machine: (arn: string) => ({ type: arn.endsWith(':Checkout') ? 'EXPRESS' : 'STANDARD' }) },
  };
  config = {
    name: 'sfn-tasks',
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    additionalAuthentications: [{ type: 'AWS_IAM', config: { credentials: [{ ...CREDENTIALS, accountId: ACCOUNT }] } }],
    apiKeys: [{ name: 'k', value: 'da2-sfntasksapikeyvalue00001' }],
    dataSources: {
      pricing: { type: 'AWS_LAMBDA', config: { functionName: 'price', handler: `${FUNCTIONS}#price` } },
      failing: { type: 'AWS_LAMBDA', config: { functionName: 'failFunction', handler: `${FUNCTIONS}#fail` } },
      callbacks: { type: 'AWS_LAMBDA', config: { handler: `${FUNCTIONS}#remember` } },
      orders: {
        type: 'AMAZON_DYNAMODB',
        config: {
          tableName: TABLE,
          table: {
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          },
        },
      },
      checkout: { type: 'AWS_STEP_FUNCTIONS', config: { stateMachine: 'Checkout' } },
    },
    resolvers: {
      'Mutation.checkout': { kind: 'UNIT', dataSource: 'checkout' },
      'Mutation.checkoutWithCode': { kind: 'UNIT', dataSource: 'checkout', code: 'checkoutWithCode.js' },
      'Mutation.startChild': { kind: 'UNIT', dataSource: 'checkout', code: 'startChild.js' },
    },
    stepFunctions: {
      stateMachines: {
        Checkout: { type: 'EXPRESS', definition: CHECKOUT },
        Catching: { type: 'STANDARD', definition: CATCHING },
        Failing: { type: 'STANDARD', definition: FAILING },
        Child: { type: 'STANDARD', definition: CHILD },
        Parent: { type: 'STANDARD', definition: PARENT },
        Callback: { type: 'STANDARD', definition: CALLBACK },
        Http: { type: 'EXPRESS', definition: HTTP },
        JsonataPrice: { type: 'EXPRESS', definition: JSONATA_PRICE },
        SdkQuery: { type: 'EXPRESS', definition: SDK_QUERY },
      },
    },
    serverlessFunctions: { echo: { handler: `${FUNCTIONS}#echo` } },
  } as GatewayConfig;
  gw = await startTestGateway({
    files: { 'schema.graphql': SDL, 'checkoutWithCode.js': CODE_RESOLVER, 'startChild.js': START_CHILD, 'checkoutViaHttp.js': HTTP_RESOLVER },
    config,
    options: { dataSourceKinds: { AWS_STEP_FUNCTIONS: createStepFunctionsDataSourceKind(starter) } },
  });
  sfn = new SFNClient({ endpoint: gw.origin, region: 'us-east-1', credentials: CREDENTIALS, disableHostPrefix: true });
  // The tutorial's HTTP data source needs the gateway's own address, known once it listens.
  await gw.gateway.reload({
    ...config,
    dataSources: {
      ...(config.dataSources as Record<string, never>),
      stepFunctionsHttp: {
        type: 'HTTP',
        config: {
          endpoint: gw.origin,
          authorizationConfig: { authorizationType: 'AWS_IAM', awsIamConfig: { signingRegion: 'us-east-1', signingServiceName: 'states' } },
          credentials: CREDENTIALS,
        },
      },
    },
    resolvers: {
      ...(config.resolvers as Record<string, never>),
      'Mutation.checkoutViaHttp': { kind: 'UNIT', dataSource: 'stepFunctionsHttp', code: 'checkoutViaHttp.js' },
    },
  } as GatewayConfig);
});

const waitForEnd = async (executionArn: string) => {
  for (let i = 0; i < 200; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${executionArn} still running`);
};

describe('Task states over the API', () => {
  it('lambda:invoke and DynamoDB putItem/getItem run on the gateway’s function and embedded table', async () => {
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('Checkout'), input: JSON.stringify({ orderId: 'o-1', items: 3 }) }));
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ orderId: 'o-1', total: 30 });
    // The item is really in the data source's store.
    const endpoint = await acquireEmbeddedDynamoDB();
    const ddb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    try {
      const item = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'o-1' } } }));
      expect(item.Item).toEqual({ id: { S: 'o-1' }, amount: { N: '30' } });
    } finally {
      ddb.destroy();
      await releaseEmbeddedDynamoDB();
    }
  });

  it('aws-sdk:dynamodb:query reads the table the Checkout machine wrote', async () => {
    await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('Checkout'), input: JSON.stringify({ orderId: 'q-1', items: 6 }) }));
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('SdkQuery'), input: JSON.stringify({ orderId: 'q-1' }) }));
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ count: 1, amount: '60' });
  });

  it('a JSONata Task passes Arguments to lambda:invoke and reads $states.result', async () => {
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('JsonataPrice'), input: JSON.stringify({ orderId: 'j-1', items: 4 }) }));
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ orderId: 'j-1', total: 40 });
  });

  it('a Lambda function error is caught by its errorType; uncaught it fails the execution with the runtime error JSON', async () => {
    const caught = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('Catching'), input: JSON.stringify({ message: 'bad order' }) }));
    const done = await waitForEnd(caught.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    const output = JSON.parse(done.output!);
    expect(output.error.Error).toBe('CustomError');
    expect(JSON.parse(output.error.Cause)).toMatchObject({ errorType: 'CustomError', errorMessage: 'bad order' });

    const failed = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('Failing'), input: '{}' }));
    const end = await waitForEnd(failed.executionArn!);
    expect(end.status).toBe('FAILED');
    expect(end.error).toBe('CustomError');
    expect(JSON.parse(end.cause!)).toMatchObject({ errorType: 'CustomError', errorMessage: 'This is a custom error!' });
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: failed.executionArn! }));
    const types = history.events!.map((e) => e.type);
    expect(types).toContain('LambdaFunctionFailed');
  });

  it('startExecution.sync:2 runs a nested machine (a serverless function) and returns its output', async () => {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('Parent'), input: JSON.stringify({ n: 7 }) }));
    const done = await waitForEnd(started.executionArn!);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ received: { n: 7 } });
  });

  it('lambda:invoke.waitForTaskToken hands the token to the function and waits for SendTaskSuccess', async () => {
    const g = globalThis as { __sfnTaskTokens?: string[] };
    const before = g.__sfnTaskTokens?.length ?? 0;
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('Callback'), input: '{}' }));
    let token: string | undefined;
    for (let i = 0; i < 200 && !token; i++) {
      token = g.__sfnTaskTokens?.[before];
      if (!token) await new Promise((r) => setTimeout(r, 25));
    }
    expect(typeof token).toBe('string');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn! }))).status).toBe('RUNNING');
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token!, output: JSON.stringify({ approved: true }) }));
    const done = await waitForEnd(started.executionArn!);
    expect(JSON.parse(done.output!)).toEqual({ approved: true });
  });

  it('http:invoke calls an HTTP endpoint (the gateway’s own /health)', async () => {
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('Http'), input: JSON.stringify({ url: `${gw.origin}/health` }) }));
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok', name: 'sfn-tasks' }) });
    const missing = await sfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: smArn('Http'), input: JSON.stringify({ url: `${gw.origin}/nothing-here` }) }),
    );
    expect(missing.status).toBe('FAILED');
    expect(missing.error).toBe('States.Http.StatusCode.404');
  });
});

describe('resolvers that start executions', () => {
  it('the AWS_STEP_FUNCTIONS shorthand with no code: arguments in, output out', async () => {
    const { body } = await gw.query('mutation { checkout(orderId: "o-2", items: 2) { orderId total } }');
    expect(body).toEqual({ data: { checkout: { orderId: 'o-2', total: 20 } } });
  });

  it('the shorthand with code: StartSyncExecution and StartExecution request objects', async () => {
    const sync = await gw.query('mutation { checkoutWithCode(orderId: "o-3", items: 1) { orderId total } }');
    expect(sync.body).toEqual({ data: { checkoutWithCode: { orderId: 'o-3', total: 10 } } });
    const started = await gw.query('mutation { startChild(value: "v") { executionArn startDate } }');
    const arn = started.body.data.startChild.executionArn as string;
    expect(arn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:Child:/);
    expect(JSON.parse((await waitForEnd(arn)).output!)).toEqual({ received: { value: 'v' } });
  });

  it('AppSync’s tutorial way: an HTTP data source signing for states calls StartSyncExecution', async () => {
    const { body } = await gw.query('mutation { checkoutViaHttp(orderId: "o-4", items: 5) { orderId total } }');
    expect(body).toEqual({ data: { checkoutViaHttp: { orderId: 'o-4', total: 50 } } });
  });
});
