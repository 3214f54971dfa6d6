/**
 * The Step Functions API on a real gateway, driven by the AWS SDK v3 `SFNClient`: state machine
 * CRUD and validation, executions of every flow state type, histories, callbacks, activities,
 * StopExecution, Express sync/async, the AWS error names, and SigV4 when IAM credentials exist.
 */
import {
  CreateActivityCommand,
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DeleteStateMachineAliasCommand,
  DeleteStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeActivityCommand,
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  ListExecutionsCommand,
  ListStateMachineAliasesCommand,
  ListStateMachinesCommand,
  ListStateMachineVersionsCommand,
  PublishStateMachineVersionCommand,
  RedriveExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  TestStateCommand,
  UpdateStateMachineAliasCommand,
  UpdateStateMachineCommand,
  ValidateStateMachineDefinitionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/test-role`;
const smArn = (name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`;
const execArn = (sm: string, name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:execution:${sm}:${name}`;
const def = (d: unknown) => JSON.stringify(d);

const PASS = { StartAt: 'P', States: { P: { Type: 'Pass', Result: { hello: 'world' }, ResultPath: '$.greeting', End: true } } };
const CHOICE = {
  StartAt: 'C',
  States: {
    C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }], Default: 'Small' },
    Big: { Type: 'Pass', Result: 'big', End: true },
    Small: { Type: 'Pass', Result: 'small', End: true },
  },
};
const WAIT = { StartAt: 'W', States: { W: { Type: 'Wait', Seconds: 1, Next: 'Done' }, Done: { Type: 'Pass', End: true } } };
const MAP = {
  StartAt: 'M',
  States: {
    M: {
      Type: 'Map',
      ItemsPath: '$.items',
      MaxConcurrency: 2,
      ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($, $)' }, End: true } } },
      End: true,
    },
  },
};
const PARALLEL = {
  StartAt: 'Par',
  States: {
    Par: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', End: true } } },
        { StartAt: 'B', States: { B: { Type: 'Pass', Result: 'b', End: true } } },
      ],
      End: true,
    },
  },
};
const FAIL = { StartAt: 'F', States: { F: { Type: 'Fail', Error: 'Custom.Error', Cause: 'it broke' } } };
const CALLBACK = {
  StartAt: 'Notify',
  States: {
    Notify: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
      HeartbeatSeconds: 60,
      End: true,
    },
  },
};
const activityMachine = (activityArn: string) => ({
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: activityArn, Parameters: { 'job.$': '$.job' }, End: true } },
});

const config: GatewayConfig = {
  name: 'sfn-e2e',
  schemaSdl: 'type Query { ok: String }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-sfne2etestkey000000000000' }],
  dataSources: { notify: { type: 'AWS_LAMBDA', config: { functionName: 'notify', handler: 'lambdas.mjs#notify' } } },
  stepFunctions: {
    stateMachines: {
      configPass: { definition: PASS },
      expressChain: {
        name: 'express-chain',
        type: 'EXPRESS',
        definition: {
          StartAt: 'A',
          States: { A: { Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.x, 1)' }, Next: 'B' }, B: { Type: 'Pass', End: true } },
        },
      },
      expressFail: { type: 'EXPRESS', definition: FAIL },
      callback: { definition: CALLBACK },
    },
  },
};

let gw: TestGateway;
let sfn: SFNClient;
const client = (origin: string, accessKeyId = 'x', secretAccessKey = 'y') =>
  new SFNClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey }, disableHostPrefix: true, maxAttempts: 1 });

beforeAll(async () => {
  gw = await startTestGateway({ config, files: { 'lambdas.mjs': 'export const notify = async (event) => ({ notified: true, order: event.order });\n' } });
  sfn = client(gw.origin);
});

/** The error a call rejects with (fails the test when it resolves). */
async function failure(call: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await call;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

let counter = 0;
async function machine(definition: unknown, type: 'STANDARD' | 'EXPRESS' = 'STANDARD'): Promise<string> {
  const out = await sfn.send(new CreateStateMachineCommand({ name: `m${++counter}-${Date.now()}`, definition: def(definition), roleArn: ROLE, type }));
  return out.stateMachineArn!;
}

async function settle(executionArn: string) {
  for (let i = 0; i < 400; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${executionArn} still running`);
}

async function run(definition: unknown, input: unknown = {}) {
  const stateMachineArn = await machine(definition);
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  return settle(executionArn!);
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  return (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;
}

/** Polls the history until an event of `type` shows up. */
async function waitForEvent(executionArn: string, type: string): Promise<HistoryEvent> {
  for (let i = 0; i < 400; i++) {
    const found = (await history(executionArn)).find((e) => e.type === type);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${type} event in ${executionArn}`);
}

describe('state machines', () => {
  it('lists the machines declared in the config with their type', async () => {
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    const byName = Object.fromEntries(stateMachines!.map((s) => [s.name, s]));
    expect(byName.configPass).toMatchObject({ stateMachineArn: smArn('configPass'), type: 'STANDARD' });
    expect(byName['express-chain']).toMatchObject({ stateMachineArn: smArn('express-chain'), type: 'EXPRESS' });
    expect(byName.configPass!.creationDate).toBeInstanceOf(Date);
  });

  it('creates, describes, updates and deletes a machine', async () => {
    const name = `crud-${Date.now()}`;
    const created = await sfn.send(new CreateStateMachineCommand({ name, definition: def(PASS), roleArn: ROLE }));
    expect(created.stateMachineArn).toBe(smArn(name));
    expect(created.creationDate).toBeInstanceOf(Date);

    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described).toMatchObject({ name, status: 'ACTIVE', type: 'STANDARD', roleArn: ROLE, definition: def(PASS) });

    // Same name and parameters: idempotent. Different definition: StateMachineAlreadyExists.
    const again = await sfn.send(new CreateStateMachineCommand({ name, definition: def(PASS), roleArn: ROLE }));
    expect(again.stateMachineArn).toBe(created.stateMachineArn);
    expect(await failure(sfn.send(new CreateStateMachineCommand({ name, definition: def(FAIL), roleArn: ROLE })))).toEqual({
      name: 'StateMachineAlreadyExists',
      message: `State Machine Already Exists: '${smArn(name)}'`,
      status: 400,
    });

    const updated = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: created.stateMachineArn, definition: def(FAIL) }));
    expect(updated.updateDate).toBeInstanceOf(Date);
    expect((await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }))).definition).toBe(def(FAIL));

    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn })))).toEqual({
      name: 'StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${smArn(name)}'`,
      status: 400,
    });
  });

  it('refuses invalid definitions, names, ARNs and missing members', async () => {
    const bad = await failure(sfn.send(new CreateStateMachineCommand({ name: 'bad-def', definition: '{"StartAt": "Nope", "States": {}}', roleArn: ROLE })));
    expect(bad.name).toBe('InvalidDefinition');
    expect(bad.message).toMatch(/^Invalid State Machine Definition: /);
    expect((await failure(sfn.send(new CreateStateMachineCommand({ name: 'bad-json', definition: '{', roleArn: ROLE })))).name).toBe('InvalidDefinition');
    expect(await failure(sfn.send(new CreateStateMachineCommand({ name: 'a b', definition: def(PASS), roleArn: ROLE })))).toMatchObject({
      name: 'InvalidName',
      message: "Invalid Name: 'a b'",
    });
    expect(await failure(sfn.send(new CreateStateMachineCommand({ name: 'no-role', definition: def(PASS) } as never)))).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    });
    expect(await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: execArn('x', 'y') })))).toMatchObject({
      name: 'InvalidArn',
      message: "Invalid Arn: 'Resource type not valid in this context: execution'",
    });
    expect((await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn: 'not-an-arn' })))).name).toBe('InvalidArn');
  });

  it('validates definitions with diagnostics', async () => {
    const ok = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: def(PASS) }));
    expect(ok.result).toBe('OK');
    expect(ok.diagnostics).toEqual([]);
    const fail = await sfn.send(new ValidateStateMachineDefinitionCommand({ definition: '{"StartAt": "Nope", "States": {}}' }));
    expect(fail.result).toBe('FAIL');
    expect(fail.diagnostics!.length).toBeGreaterThan(0);
    expect(fail.diagnostics![0]).toMatchObject({ severity: 'ERROR' });
  });
});

describe('Standard executions', () => {
  it('runs a Pass machine and records its history as AWS does', async () => {
    const { executionArn, startDate } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: smArn('configPass'), name: `pass-${Date.now()}`, input: '{"a":1}' }),
    );
    expect(startDate).toBeInstanceOf(Date);
    const done = await settle(executionArn!);
    expect(done).toMatchObject({ status: 'SUCCEEDED', stateMachineArn: smArn('configPass'), input: '{"a":1}' });
    expect(JSON.parse(done.output!)).toEqual({ a: 1, greeting: { hello: 'world' } });
    expect(done.stopDate!.getTime()).toBeGreaterThanOrEqual(done.startDate!.getTime());

    const events = await history(executionArn!);
    expect(events.map((e) => [e.type, e.id, e.previousEventId])).toEqual([
      ['ExecutionStarted', 1, 0],
      // As AWS: the first state's entry names no previous event.
      ['PassStateEntered', 2, 0],
      ['PassStateExited', 3, 2],
      ['ExecutionSucceeded', 4, 3],
    ]);
    expect(events[0]!.executionStartedEventDetails).toMatchObject({ input: '{"a":1}', roleArn: expect.stringMatching(/^arn:aws:iam::/) });
    expect(events[1]!.stateEnteredEventDetails).toMatchObject({ name: 'P', input: '{"a":1}' });
    expect(events[0]!.timestamp).toBeInstanceOf(Date);

    const reversed = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }))).events!;
    expect(reversed.map((e) => e.id)).toEqual([4, 3, 2, 1]);
    const noData = (await sfn.send(new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }))).events!;
    expect(noData[0]!.executionStartedEventDetails!.input).toBeUndefined();
    expect(noData[1]!.stateEnteredEventDetails).toMatchObject({ name: 'P' });
    expect(noData[1]!.stateEnteredEventDetails!.input).toBeUndefined();

    // Pagination: two pages of two.
    const first = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 2 }));
    expect(first.events!.map((e) => e.id)).toEqual([1, 2]);
    const second = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 2, nextToken: first.nextToken }));
    expect(second.events!.map((e) => e.id)).toEqual([3, 4]);
    expect(second.nextToken).toBeUndefined();
    expect((await failure(sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken: 'garbage' })))).name).toBe('InvalidToken');

    const forExec = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));
    expect(forExec).toMatchObject({ stateMachineArn: smArn('configPass'), name: 'configPass', definition: def(PASS) });
  });

  it('runs Choice, Wait, Map and Parallel machines', async () => {
    expect(JSON.parse((await run(CHOICE, { n: 42 })).output!)).toBe('big');
    expect(JSON.parse((await run(CHOICE, { n: 1 })).output!)).toBe('small');
    const waited = await run(WAIT, { w: true });
    expect(waited.status).toBe('SUCCEEDED');
    expect((await history(waited.executionArn!)).map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(JSON.parse((await run(MAP, { items: [1, 2, 3] })).output!)).toEqual([{ v: 2 }, { v: 4 }, { v: 6 }]);
    const par = await run(PARALLEL);
    expect(JSON.parse(par.output!)).toEqual(['a', 'b']);
    const types = (await history(par.executionArn!)).map((e) => e.type);
    expect(types).toContain('ParallelStateStarted');
    expect(types).toContain('ParallelStateSucceeded');
  });

  it('fails with the Fail state error and cause', async () => {
    const failed = await run(FAIL);
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Custom.Error', cause: 'it broke' });
    const events = await history(failed.executionArn!);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionFailed', executionFailedEventDetails: { error: 'Custom.Error', cause: 'it broke' } });
    // Without Error and Cause, the answer has neither key (not empty strings).
    const bare = await run({ StartAt: 'F', States: { F: { Type: 'Fail' } } });
    expect(bare.status).toBe('FAILED');
    expect('error' in bare || 'cause' in bare).toBe(false);
  });

  it('is idempotent for the same name and input while running, ExecutionAlreadyExists otherwise', async () => {
    const stateMachineArn = await machine(CALLBACK);
    const name = `idem-${Date.now()}`;
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"order":1}' }));
    const second = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"order":1}' }));
    expect(second.executionArn).toBe(first.executionArn);
    expect(second.startDate!.getTime()).toBe(first.startDate!.getTime());
    expect(await failure(sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"order":2}' })))).toMatchObject({
      name: 'ExecutionAlreadyExists',
      message: `Execution Already Exists: '${first.executionArn}'`,
    });
    const running = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    expect(running.executions!.map((e) => e.executionArn)).toEqual([first.executionArn]);
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }))).executions).toEqual([]);
    // Closed: refused whatever the input.
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"order":1}' })))).name).toBe('ExecutionAlreadyExists');
  });

  it('refuses bad input, unknown machines and unknown executions', async () => {
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('configPass'), input: '{nope' })))).name).toBe('InvalidExecutionInput');
    expect(await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('missing') })))).toMatchObject({
      name: 'StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${smArn('missing')}'`,
    });
    expect(await failure(sfn.send(new DescribeExecutionCommand({ executionArn: execArn('configPass', 'nope') })))).toMatchObject({
      name: 'ExecutionDoesNotExist',
      message: `Execution Does Not Exist: '${execArn('configPass', 'nope')}'`,
    });
    expect((await failure(sfn.send(new GetExecutionHistoryCommand({ executionArn: execArn('configPass', 'nope') })))).name).toBe('ExecutionDoesNotExist');
    expect((await failure(sfn.send(new StopExecutionCommand({ executionArn: execArn('configPass', 'nope') })))).name).toBe('ExecutionDoesNotExist');
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('configPass'), name: 'bad/name' })))).name).toBe('InvalidName');
  });

  it('lists executions newest first, by status, a page at a time', async () => {
    const stateMachineArn = await machine(PASS);
    const arns: string[] = [];
    for (let i = 0; i < 3; i++) arns.push((await sfn.send(new StartExecutionCommand({ stateMachineArn, name: `e${i}` }))).executionArn!);
    for (const arn of arns) await settle(arn);
    const failing = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: def(FAIL) }));
    expect(failing.revisionId).toBeTruthy();
    const failedArn = (await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'e3' }))).executionArn!;
    await settle(failedArn);

    const all = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(all.executions!.map((e) => e.name)).toEqual(['e3', 'e2', 'e1', 'e0']);
    expect(all.executions![0]).toMatchObject({ status: 'FAILED', executionArn: failedArn, stateMachineArn });
    const succeeded = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED' }));
    expect(succeeded.executions!.map((e) => e.name)).toEqual(['e2', 'e1', 'e0']);
    const page1 = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 3 }));
    expect(page1.executions).toHaveLength(3);
    const page2 = await sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 3, nextToken: page1.nextToken }));
    expect(page2.executions!.map((e) => e.name)).toEqual(['e0']);
    expect(page2.nextToken).toBeUndefined();
  });
});

describe('timeouts, JSONata and nested machines', () => {
  it('an execution past its TimeoutSeconds ends TIMED_OUT', async () => {
    const timedOut = await run({ TimeoutSeconds: 1, StartAt: 'Long', States: { Long: { Type: 'Wait', Seconds: 30, End: true } } });
    expect(timedOut.status).toBe('TIMED_OUT');
    const events = await history(timedOut.executionArn!);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionTimedOut', executionTimedOutEventDetails: { error: 'States.Timeout' } });
  });

  it('a callback without heartbeat times out; its token then answers TaskTimedOut', async () => {
    const definition = {
      StartAt: 'Ask',
      States: {
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
          Parameters: { FunctionName: 'notify', Payload: { 'token.$': '$$.Task.Token' } },
          HeartbeatSeconds: 1,
          End: true,
        },
      },
    };
    const stateMachineArn = await machine(definition);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    const params = JSON.parse((await waitForEvent(executionArn!, 'TaskScheduled')).taskScheduledEventDetails!.parameters!);
    const done = await settle(executionArn!);
    // AWS documents both names for a missed heartbeat (States.Timeout in the execution error).
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatch(/^States\.(Heartbeat)?Timeout$/);
    expect((await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: params.Payload.token, output: '{}' })))).name).toBe('TaskTimedOut');
  });

  it('runs a JSONata machine with variables', async () => {
    const out = await run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'Sum',
        States: {
          Sum: { Type: 'Pass', Assign: { total: '{% $sum($states.input.values) %}' }, Next: 'Out' },
          Out: { Type: 'Pass', Output: { total: '{% $total %}', count: '{% $count($states.input.values) %}' }, End: true },
        },
      },
      { values: [1, 2, 3] },
    );
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ total: 6, count: 3 });
  });

  it('starts a nested machine and waits for it with startExecution.sync:2', async () => {
    const child = await machine({ StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'n.$': 'States.MathAdd($.n, $.n)' }, End: true } } });
    const parent = {
      StartAt: 'Call',
      States: {
        Call: {
          Type: 'Task',
          Resource: 'arn:aws:states:::states:startExecution.sync:2',
          Parameters: { StateMachineArn: child, 'Input.$': '$' },
          OutputPath: '$.Output',
          End: true,
        },
      },
    };
    const out = await run(parent, { n: 21 });
    expect(out.status).toBe('SUCCEEDED');
    expect(JSON.parse(out.output!)).toEqual({ n: 42 });
    const children = await sfn.send(new ListExecutionsCommand({ stateMachineArn: child }));
    expect(children.executions).toHaveLength(1);
    expect(children.executions![0]!.status).toBe('SUCCEEDED');
  });

  it('UpdateStateMachine without any change is refused', async () => {
    const stateMachineArn = await machine(PASS);
    expect((await failure(sfn.send(new UpdateStateMachineCommand({ stateMachineArn })))).name).toBe('MissingRequiredParameter');
  });
});

describe('callbacks and activities', () => {
  async function startCallback(order: number) {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('callback'), input: JSON.stringify({ order }) }));
    const scheduled = await waitForEvent(executionArn!, 'TaskSubmitted').catch(() => waitForEvent(executionArn!, 'TaskScheduled'));
    void scheduled;
    const params = JSON.parse((await waitForEvent(executionArn!, 'TaskScheduled')).taskScheduledEventDetails!.parameters!);
    return { executionArn: executionArn!, token: params.Payload.token as string };
  }

  it('waitForTaskToken resumes with SendTaskSuccess output', async () => {
    const { executionArn, token } = await startCallback(7);
    expect(token).toMatch(/^\S{20,}$/);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const done = await settle(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output!)).toEqual({ approved: true });
    // The task is gone now.
    expect((await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).name).toBe('TaskDoesNotExist');
  });

  it('waitForTaskToken fails with SendTaskFailure error and cause', async () => {
    const { executionArn, token } = await startCallback(8);
    await sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'no stock' }));
    expect(await settle(executionArn)).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'no stock' });
  });

  it('refuses malformed tokens and outputs', async () => {
    expect(await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: 'not a token', output: '{}' })))).toMatchObject({
      name: 'InvalidToken',
      message: "Invalid Token: 'Invalid token'",
    });
    expect((await failure(sfn.send(new SendTaskFailureCommand({ taskToken: 'x' })))).name).toBe('InvalidToken');
    expect((await failure(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'x' })))).name).toBe('InvalidToken');
    const { executionArn, token } = await startCallback(9);
    expect((await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{bad' })))).name).toBe('InvalidOutput');
    await sfn.send(new StopExecutionCommand({ executionArn }));
  });

  it('hands activity tasks to workers and finishes with their answer', async () => {
    const name = `act-${Date.now()}`;
    const { activityArn, creationDate } = await sfn.send(new CreateActivityCommand({ name }));
    expect(activityArn).toBe(`arn:aws:states:us-east-1:${ACCOUNT}:activity:${name}`);
    expect(creationDate).toBeInstanceOf(Date);
    expect(await sfn.send(new DescribeActivityCommand({ activityArn }))).toMatchObject({ activityArn, name });
    expect((await sfn.send(new ListActivitiesCommand({}))).activities!.map((a) => a.name)).toContain(name);

    // A worker polls first; the task arrives while it waits.
    const poll = sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'worker-1' }));
    const stateMachineArn = await machine(activityMachine(activityArn!));
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"job":"resize"}' }));
    const task = await poll;
    expect(JSON.parse(task.input!)).toEqual({ job: 'resize' });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"resized":true}' }));
    const done = await settle(executionArn!);
    expect(JSON.parse(done.output!)).toEqual({ resized: true });
    const types = (await history(executionArn!)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded']));

    await sfn.send(new DeleteActivityCommand({ activityArn }));
    expect(await failure(sfn.send(new DescribeActivityCommand({ activityArn })))).toMatchObject({
      name: 'ActivityDoesNotExist',
      message: `Activity Does Not Exist: '${activityArn}'`,
    });
    expect((await failure(sfn.send(new GetActivityTaskCommand({ activityArn })))).name).toBe('ActivityDoesNotExist');
  });

  it('StopExecution aborts a waiting execution with its error and cause', async () => {
    const { executionArn, token } = await startCallback(10);
    const { stopDate } = await sfn.send(new StopExecutionCommand({ executionArn, error: 'Manual', cause: 'operator stopped it' }));
    expect(stopDate).toBeInstanceOf(Date);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect(d.status).toBe('ABORTED');
    const events = await history(executionArn);
    expect(events.at(-1)).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Manual', cause: 'operator stopped it' } });
    expect(events.filter((e) => e.type === 'ExecutionAborted')).toHaveLength(1);
    // Its token no longer leads anywhere.
    expect(['TaskTimedOut', 'TaskDoesNotExist']).toContain((await failure(sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })))).name);
    const aborted = await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn('callback'), statusFilter: 'ABORTED' }));
    expect(aborted.executions!.map((e) => e.executionArn)).toContain(executionArn);
  });
});

describe('versions and aliases', () => {
  const says = (word: string) => def({ StartAt: 'P', States: { P: { Type: 'Pass', Result: word, End: true } } });
  async function runVia(stateMachineArn: string) {
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    return settle(executionArn!);
  }

  it('publishes versions, runs them and routes aliases to them', async () => {
    const name = `versioned-${Date.now()}`;
    const created = await sfn.send(new CreateStateMachineCommand({ name, definition: says('one'), roleArn: ROLE, publish: true, versionDescription: 'first' }));
    const arn = created.stateMachineArn!;
    expect(created.stateMachineVersionArn).toBe(`${arn}:1`);
    const updated = await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: says('two'), publish: true }));
    expect(updated.stateMachineVersionArn).toBe(`${arn}:2`);
    // Publishing an unchanged revision answers the latest version.
    expect((await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn }))).stateMachineVersionArn).toBe(`${arn}:2`);
    expect((await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }))).stateMachineVersions?.map((v) => v.stateMachineVersionArn)).toEqual([
      `${arn}:2`,
      `${arn}:1`,
    ]);
    const v1 = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: `${arn}:1` }));
    expect(v1).toMatchObject({ stateMachineArn: `${arn}:1`, name, description: 'first', definition: says('one') });
    expect((await failure(sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn, revisionId: 'stale' })))).name).toBe('ConflictException');

    const first = await runVia(`${arn}:1`);
    expect(first).toMatchObject({ status: 'SUCCEEDED', output: '"one"', stateMachineVersionArn: `${arn}:1` });
    expect(first.stateMachineAliasArn).toBeUndefined();
    expect((await runVia(arn)).output).toBe('"two"');

    const { stateMachineAliasArn } = await sfn.send(
      new CreateStateMachineAliasCommand({
        name: 'live',
        description: 'what users get',
        routingConfiguration: [{ stateMachineVersionArn: `${arn}:1`, weight: 100 }],
      }),
    );
    expect(stateMachineAliasArn).toBe(`${arn}:live`);
    const viaAlias = await runVia(stateMachineAliasArn!);
    expect(viaAlias).toMatchObject({ output: '"one"', stateMachineVersionArn: `${arn}:1`, stateMachineAliasArn });
    await sfn.send(new UpdateStateMachineAliasCommand({ stateMachineAliasArn, routingConfiguration: [{ stateMachineVersionArn: `${arn}:2`, weight: 100 }] }));
    expect((await runVia(stateMachineAliasArn!)).output).toBe('"two"');
    expect(await sfn.send(new DescribeStateMachineAliasCommand({ stateMachineAliasArn }))).toMatchObject({
      name: 'live',
      description: 'what users get',
      routingConfiguration: [{ stateMachineVersionArn: `${arn}:2`, weight: 100 }],
    });

    // A split alias sends runs to both versions.
    await sfn.send(
      new UpdateStateMachineAliasCommand({
        stateMachineAliasArn,
        routingConfiguration: [
          { stateMachineVersionArn: `${arn}:1`, weight: 50 },
          { stateMachineVersionArn: `${arn}:2`, weight: 50 },
        ],
      }),
    );
    const outputs = new Set<string>();
    for (let i = 0; i < 24; i++) outputs.add((await runVia(stateMachineAliasArn!)).output!);
    expect([...outputs].sort()).toEqual(['"one"', '"two"']);

    expect((await failure(sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:2` })))).name).toBe('ConflictException');
    expect((await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: arn }))).stateMachineAliases?.map((a) => a.stateMachineAliasArn)).toEqual([
      stateMachineAliasArn,
    ]);
    await sfn.send(new DeleteStateMachineAliasCommand({ stateMachineAliasArn }));
    expect((await sfn.send(new ListStateMachineAliasesCommand({ stateMachineArn: arn }))).stateMachineAliases).toEqual([]);
    await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${arn}:2` }));
    expect((await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: arn }))).stateMachineVersions?.map((v) => v.stateMachineVersionArn)).toEqual([
      `${arn}:1`,
    ]);
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: `${arn}:2` })))).name).toBe('ResourceNotFound');
    // The next version number is not reused.
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition: says('three') }));
    expect((await sfn.send(new PublishStateMachineVersionCommand({ stateMachineArn: arn }))).stateMachineVersionArn).toBe(`${arn}:3`);
  });

  it('refuses routing that does not add up or names another machine', async () => {
    const a = await sfn.send(new CreateStateMachineCommand({ name: `route-a-${Date.now()}`, definition: says('a'), roleArn: ROLE, publish: true }));
    const b = await sfn.send(new CreateStateMachineCommand({ name: `route-b-${Date.now()}`, definition: says('b'), roleArn: ROLE, publish: true }));
    const bad = await failure(
      sfn.send(new CreateStateMachineAliasCommand({ name: 'half', routingConfiguration: [{ stateMachineVersionArn: a.stateMachineVersionArn, weight: 50 }] })),
    );
    expect(bad).toMatchObject({ name: 'ValidationException', message: 'Sum of routing configuration weights must equal 100' });
    const mixed = await failure(
      sfn.send(
        new CreateStateMachineAliasCommand({
          name: 'mixed',
          routingConfiguration: [
            { stateMachineVersionArn: a.stateMachineVersionArn, weight: 50 },
            { stateMachineVersionArn: b.stateMachineVersionArn, weight: 50 },
          ],
        }),
      ),
    );
    expect(mixed.name).toBe('ValidationException');
    expect((await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: `${a.stateMachineArn}:nosuchalias` })))).name).toBe('ResourceNotFound');
  });
});

describe('RedriveExecution', () => {
  it('runs a failed execution again from the state that failed, keeping the history of what ran', async () => {
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: `redrive-${Date.now()}` }));
    const stateMachineArn = await machine({
      StartAt: 'Prepare',
      States: {
        Prepare: { Type: 'Pass', Result: 'prepared', ResultPath: '$.step', Assign: { attempt: 'first' }, Next: 'Work' },
        Work: {
          Type: 'Task',
          Resource: activityArn,
          Parameters: { 'step.$': '$.step', 'attempt.$': '$attempt', 'redrives.$': '$$.Execution.RedriveCount' },
          Next: 'Done',
        },
        Done: { Type: 'Pass', End: true },
      },
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"job":1}' }));
    const first = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'w' }));
    expect(JSON.parse(first.input!)).toEqual({ step: 'prepared', attempt: 'first', redrives: 0 });
    await sfn.send(new SendTaskFailureCommand({ taskToken: first.taskToken, error: 'Flaky', cause: 'try again' }));
    expect(await settle(executionArn!)).toMatchObject({ status: 'FAILED', error: 'Flaky', redriveCount: 0, redriveStatus: 'REDRIVABLE' });

    const { redriveDate } = await sfn.send(new RedriveExecutionCommand({ executionArn }));
    expect(redriveDate).toBeInstanceOf(Date);
    // Work runs again with the input and variables it had; Prepare does not run again.
    const second = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'w' }));
    expect(JSON.parse(second.input!)).toEqual({ step: 'prepared', attempt: 'first', redrives: 1 });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: second.taskToken, output: '{"ok":true}' }));
    const done = await settle(executionArn!);
    expect(done).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"ok":true}',
      redriveCount: 1,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
    expect(done.redriveDate?.getTime()).toBe(redriveDate!.getTime());

    const events = await history(executionArn!);
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(2); // Prepare once, Done once
    expect(types.slice(types.indexOf('ExecutionFailed'))).toEqual([
      'ExecutionFailed',
      'ExecutionRedriven',
      'TaskStateEntered',
      'ActivityScheduled',
      'ActivityStarted',
      'ActivitySucceeded',
      'TaskStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    const redriven = events.find((e) => e.type === 'ExecutionRedriven')!;
    expect(redriven.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    expect(redriven.previousEventId).toBe(redriven.id! - 1);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));

    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn, redriveFilter: 'REDRIVEN' }));
    expect(listed.executions?.map((e) => [e.executionArn, e.redriveCount])).toEqual([[executionArn, 1]]);
    expect((await sfn.send(new ListExecutionsCommand({ stateMachineArn, redriveFilter: 'NOT_REDRIVEN' }))).executions).toEqual([]);
  });

  it('refuses executions that are running or succeeded, and Express machines have none to redrive', async () => {
    const ok = await run(PASS);
    const refused = await failure(sfn.send(new RedriveExecutionCommand({ executionArn: ok.executionArn })));
    expect(refused).toMatchObject({ name: 'ExecutionNotRedrivable', status: 400 });
    expect(refused.message).toContain('Execution is SUCCEEDED and cannot be redriven');
    const stateMachineArn = await machine(WAIT);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn }));
    expect((await failure(sfn.send(new RedriveExecutionCommand({ executionArn })))).message).toContain('Execution is RUNNING and cannot be redriven');
    expect((await failure(sfn.send(new RedriveExecutionCommand({ executionArn: execArn('nope', 'nope') })))).name).toBe('ExecutionDoesNotExist');
    // Stopped while waiting, it redrives into the Wait and finishes.
    await sfn.send(new StopExecutionCommand({ executionArn }));
    expect(await settle(executionArn!)).toMatchObject({ status: 'ABORTED', redriveStatus: 'REDRIVABLE' });
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    expect(await settle(executionArn!)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const types = (await history(executionArn!)).map((e) => e.type);
    expect(types.slice(-7)).toEqual([
      'ExecutionAborted',
      'ExecutionRedriven',
      'WaitStateEntered',
      'WaitStateExited',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    // The stopped run, settling after the redrive began, left nothing in the new run's history.
    expect(types.filter((t) => t === 'ExecutionAborted')).toHaveLength(1);
  });

  it('a failed execution redriven at a Fail state fails again, and can be redriven again', async () => {
    const failed = await run(FAIL);
    expect(failed.status).toBe('FAILED');
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));
    const again = await settle(failed.executionArn!);
    expect(again).toMatchObject({ status: 'FAILED', error: 'Custom.Error', redriveCount: 1, redriveStatus: 'REDRIVABLE' });
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));
    expect(await settle(failed.executionArn!)).toMatchObject({ status: 'FAILED', redriveCount: 2 });
    const types = (await history(failed.executionArn!)).map((e) => e.type);
    expect(types.filter((t) => t === 'ExecutionRedriven')).toHaveLength(2);
    expect(types.filter((t) => t === 'ExecutionFailed')).toHaveLength(3);
    expect(types.filter((t) => t === 'ExecutionStarted')).toHaveLength(1);
  });
});

describe('Express', () => {
  it('StartSyncExecution answers with the output', async () => {
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('express-chain'), name: 'sync-1', input: '{"x":41}' }));
    expect(out).toMatchObject({
      executionArn: `arn:aws:states:us-east-1:${ACCOUNT}:express:express-chain:sync-1`,
      stateMachineArn: smArn('express-chain'),
      name: 'sync-1',
      status: 'SUCCEEDED',
      input: '{"x":41}',
    });
    expect(JSON.parse(out.output!)).toEqual({ sum: 42 });
    expect(out.startDate).toBeInstanceOf(Date);
    expect(out.stopDate).toBeInstanceOf(Date);
    expect(out.billingDetails!.billedDurationInMilliseconds).toBeGreaterThanOrEqual(100);
  });

  it('StartSyncExecution of a failing machine is a 200 with error and cause', async () => {
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('expressFail') }));
    expect(out).toMatchObject({ status: 'FAILED', error: 'Custom.Error', cause: 'it broke' });
    expect(out.output).toBeUndefined();
  });

  it('is refused for Standard machines, and Express executions are not described or listed', async () => {
    expect(await failure(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('configPass') })))).toMatchObject({
      name: 'StateMachineTypeNotSupported',
      status: 400,
    });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('express-chain'), input: '{"x":1}' }));
    expect(started.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:express:express-chain:/);
    expect(await failure(sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn })))).toMatchObject({
      name: 'InvalidArn',
      message: "Invalid Arn: 'Resource type not valid in this context: express'",
    });
    expect((await failure(sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn('express-chain') })))).name).toBe('StateMachineTypeNotSupported');
  });
});

describe('TestState', () => {
  it('runs one state and answers with output and next state', async () => {
    const out = await sfn.send(
      new TestStateCommand({
        definition: def({ Type: 'Pass', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)' }, Next: 'After' }),
        roleArn: ROLE,
        input: '{"n":4}',
      }),
    );
    expect(out).toMatchObject({ status: 'SUCCEEDED', nextState: 'After' });
    expect(JSON.parse(out.output!)).toEqual({ doubled: 8 });
  });

  it('reports a failing state and shows inspection data at DEBUG', async () => {
    const failed = await sfn.send(new TestStateCommand({ definition: def({ Type: 'Fail', Error: 'E', Cause: 'c' }), roleArn: ROLE, input: '{}' }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'E', cause: 'c' });
    const debug = await sfn.send(
      new TestStateCommand({ definition: def({ Type: 'Pass', InputPath: '$.a', End: true }), roleArn: ROLE, input: '{"a":{"b":1}}', inspectionLevel: 'DEBUG' }),
    );
    expect(debug.inspectionData).toMatchObject({ input: '{"a":{"b":1}}', afterInputPath: '{"b":1}' });
    expect((await failure(sfn.send(new TestStateCommand({ definition: '{', roleArn: ROLE })))).name).toBe('InvalidDefinition');
  });
});

describe('config reload', () => {
  it('creates, updates and removes config machines and keeps API-created ones', async () => {
    const reloadGw = await startTestGateway({
      config: {
        name: 'sfn-reload',
        schemaSdl: 'type Query { ok: String }',
        stepFunctions: { stateMachines: { keep: { definition: PASS }, gone: { definition: PASS } } },
      },
    });
    const c = client(reloadGw.origin);
    await c.send(new CreateStateMachineCommand({ name: 'viaApi', definition: def(PASS), roleArn: ROLE }));
    await reloadGw.gateway.reload({
      name: 'sfn-reload',
      schemaSdl: 'type Query { ok: String }',
      stepFunctions: { stateMachines: { keep: { definition: FAIL }, added: { type: 'EXPRESS', definition: PASS } } },
    });
    const names = (await c.send(new ListStateMachinesCommand({}))).stateMachines!.map((s) => s.name);
    expect(names).toEqual(['added', 'keep', 'viaApi']);
    expect((await c.send(new DescribeStateMachineCommand({ stateMachineArn: smArn('keep') }))).definition).toBe(def(FAIL));
    expect((await c.send(new DescribeStateMachineCommand({ stateMachineArn: smArn('added') }))).type).toBe('EXPRESS');
  });
});

describe('the wire', () => {
  const call = (target: string, body: string, contentType = 'application/x-amz-json-1.0') =>
    fetch(gw.origin, { method: 'POST', headers: { 'content-type': contentType, 'x-amz-target': target }, body });

  it('answers unknown actions with UnknownOperationException and bad JSON with SerializationException', async () => {
    const unknown = await call('AWSStepFunctions.DoSomething', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect((await unknown.json()).__type).toBe('com.amazon.coral.service#UnknownOperationException');
    const bad = await call('AWSStepFunctions.ListStateMachines', '{oops');
    expect(bad.status).toBe(400);
    expect((await bad.json()).__type).toMatch(/#SerializationException$/);
  });

  it('answers errors with a namespaced __type, a message and x-amzn-ErrorType', async () => {
    const res = await call('AWSStepFunctions.DescribeStateMachine', JSON.stringify({ stateMachineArn: smArn('missing') }));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('StateMachineDoesNotExist');
    expect(await res.json()).toEqual({
      __type: 'com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist',
      message: `State Machine Does Not Exist: '${smArn('missing')}'`,
    });
  });

  it('leaves other requests to the gateway', async () => {
    const other = await call('Something.Else', '{}');
    expect(other.status).toBe(404);
    const wrongType = await call('AWSStepFunctions.ListStateMachines', '{}', 'application/json');
    expect(wrongType.status).toBe(404);
    expect((await fetch(`${gw.origin}/health`)).status).toBe(200);
  });
});

describe('large definitions', () => {
  /** A chain of `n` Pass states: 20,000 of them make the issue's ~798 KB definition. */
  const chain = (n: number) => {
    const States: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) States[`S${i}`] = i === n - 1 ? { Type: 'Pass', End: true } : { Type: 'Pass', Next: `S${i + 1}` };
    return JSON.stringify({ StartAt: 'S0', States });
  };

  it('a 20,000-state definition (~800 KB) is accepted quickly while other requests keep being answered', async () => {
    const definition = chain(20_000);
    expect(definition.length).toBeGreaterThan(790_000);
    let answered = 0;
    let slowest = 0;
    let creating = true;
    const probe = (async () => {
      while (creating) {
        const began = Date.now();
        expect((await fetch(`${gw.origin}/health`)).status).toBe(200);
        slowest = Math.max(slowest, Date.now() - began);
        answered++;
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const began = Date.now();
    const created = await sfn.send(new CreateStateMachineCommand({ name: 'huge', roleArn: ROLE, definition }));
    const took = Date.now() - began;
    // One more round trip after the answer: the probe saw the gateway through the whole call.
    await new Promise((r) => setTimeout(r, 50));
    creating = false;
    await probe;
    // Quadratic validation took 60+ s here; now tens of milliseconds (bounds are loose for a shared machine).
    expect(took).toBeLessThan(5_000);
    expect(slowest).toBeLessThan(2_000);
    expect(answered).toBeGreaterThan(0);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    expect(described.definition).toBe(definition);
    // Its executions run into AWS's history limit (25,000 events) and fail as AWS's do.
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: created.stateMachineArn }));
    let status = 'RUNNING';
    for (let i = 0; i < 200 && status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await sfn.send(new DescribeExecutionCommand({ executionArn })))!.status!;
    }
    const ended = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    expect([ended.status, ended.cause]).toEqual(['FAILED', 'The execution reached the maximum number of history events (25000).']);
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
  }, 60_000);

  it('a definition or input over its limit is refused with the member named and its value left out (AWS marks them sensitive)', async () => {
    const input = JSON.stringify({ pad: 'x'.repeat(262_144) });
    const error = await failure(sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('configPass'), input })));
    expect(error).toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have length less than or equal to 262144",
    });
  });
});

describe('SigV4 when the config declares IAM credentials', () => {
  let iamGw: TestGateway;
  beforeAll(async () => {
    iamGw = await startTestGateway({
      config: {
        name: 'sfn-iam',
        schemaSdl: 'type Query { ok: String }',
        authentication: { type: 'AWS_IAM', config: { credentials: [{ accessKeyId: 'AKIDSFNTEST', secretAccessKey: 'sfn-secret' }] } },
        stepFunctions: { stateMachines: { hello: { definition: PASS } } },
      },
    });
  });

  it('accepts requests signed for states with declared credentials', async () => {
    const signed = client(iamGw.origin, 'AKIDSFNTEST', 'sfn-secret');
    const { stateMachines } = await signed.send(new ListStateMachinesCommand({}));
    expect(stateMachines!.map((s) => s.name)).toEqual(['hello']);
  });

  it('refuses a wrong secret, an unknown key and unsigned requests', async () => {
    expect(await failure(client(iamGw.origin, 'AKIDSFNTEST', 'wrong').send(new ListStateMachinesCommand({})))).toMatchObject({
      name: 'InvalidSignatureException',
      status: 403,
    });
    expect(await failure(client(iamGw.origin, 'AKIDOTHER', 'sfn-secret').send(new ListStateMachinesCommand({})))).toMatchObject({
      name: 'UnrecognizedClientException',
      status: 403,
    });
    const unsigned = await fetch(iamGw.origin, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.ListStateMachines' },
      body: '{}',
    });
    expect(unsigned.status).toBe(403);
    expect((await unsigned.json()).__type).toMatch(/#MissingAuthenticationTokenException$/);
  });
});
