/**
 * Two gateways sharing one PostgreSQL Step Functions store (instance ids "a" and "b"), as behind a
 * load balancer: calls about an execution, task token, state machine or activity of the other
 * instance are answered by it through the database; an instance that does not answer gives a
 * retryable error.
 */
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeActivityCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { createPostgresStore } from '../../src/stepfunctions/index.js';
import { startTestGateway } from '../utils/gateway.js';

const pgUrl = inject('postgresUrl');
const pgSkip = pgUrl ? '' : inject('postgresSkipReason');
const ROLE = 'arn:aws:iam::123456789012:role/r';
const table = `sfn_shared_e2e_${process.pid}`;

const client = (origin: string) =>
  new SFNClient({ endpoint: origin, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, disableHostPrefix: true, maxAttempts: 1 });

const configFor = (instanceId: string): GatewayConfig => ({
  name: `shared-${instanceId}`,
  schema: 'schema.graphql',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-shared' }],
  stepFunctions: { store: { connectionString: pgUrl, table, instanceId } },
});
const files = { 'schema.graphql': 'type Query { ok: Boolean }' };

describe.skipIf(!!pgSkip)(`Step Functions on a shared PostgreSQL store${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
  afterAll(async () => {
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    await db.query(`DROP TABLE IF EXISTS ${table}, ${table}_calls`);
    await db.end();
  });

  it('answers for executions, task tokens, machines and activities of the other instance', async () => {
    const a = await startTestGateway({ config: configFor('a'), files });
    const b = await startTestGateway({ config: configFor('b'), files });
    const sfnA = client(a.origin);
    const sfnB = client(b.origin);

    const { activityArn } = await sfnA.send(new CreateActivityCommand({ name: 'shared-work' }));
    const { stateMachineArn } = await sfnA.send(
      new CreateStateMachineCommand({
        name: 'shared-machine',
        roleArn: ROLE,
        definition: JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, End: true } } }),
      }),
    );
    const { executionArn } = await sfnA.send(new StartExecutionCommand({ stateMachineArn, name: 'job-1', input: '{"job":1}' }));
    const task = await sfnA.send(new GetActivityTaskCommand({ activityArn, workerName: 'w' }));
    expect(task.input).toBe('{"job":1}');

    // The worker answers through the other instance; the execution on "a" finishes with it.
    await sfnB.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"done":true}' }));
    let described = await sfnB.send(new DescribeExecutionCommand({ executionArn }));
    for (let i = 0; i < 50 && described.status === 'RUNNING'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      described = await sfnB.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(described).toMatchObject({ executionArn, stateMachineArn, name: 'job-1', status: 'SUCCEEDED', output: '{"done":true}' });
    const historyViaB = await sfnB.send(new GetExecutionHistoryCommand({ executionArn }));
    const historyViaA = await sfnA.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(historyViaB.events?.map((e) => e.type)).toEqual(historyViaA.events?.map((e) => e.type));
    expect(historyViaB.events?.at(-1)?.type).toBe('ExecutionSucceeded');

    // A second one is stopped through "b".
    const second = await sfnA.send(new StartExecutionCommand({ stateMachineArn, name: 'job-2', input: '{}' }));
    await sfnB.send(new StopExecutionCommand({ executionArn: second.executionArn, error: 'Halt', cause: 'via b' }));
    const stopped = await sfnA.send(new DescribeExecutionCommand({ executionArn: second.executionArn }));
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'Halt', cause: 'via b' });

    // Machines and activities created through "a" are reachable through "b": an execution
    // started through "b" runs on "a", and a worker polling "b" gets its task.
    expect(await sfnB.send(new DescribeStateMachineCommand({ stateMachineArn }))).toMatchObject({ name: 'shared-machine', status: 'ACTIVE' });
    expect(await sfnB.send(new DescribeActivityCommand({ activityArn }))).toMatchObject({ name: 'shared-work' });
    const third = await sfnB.send(new StartExecutionCommand({ stateMachineArn, name: 'job-3', input: '{"job":3}' }));
    expect((await sfnA.send(new DescribeExecutionCommand({ executionArn: third.executionArn }))).status).toBe('RUNNING');
    const polled = await sfnB.send(new GetActivityTaskCommand({ activityArn, workerName: 'via-b' }));
    expect(polled.input).toBe('{"job":3}');
    await sfnB.send(new SendTaskSuccessCommand({ taskToken: polled.taskToken, output: '{"done":3}' }));
    const listed = await sfnB.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(listed.executions?.map((e) => e.name).sort()).toEqual(['job-1', 'job-2', 'job-3']);

    // What neither instance has is still AWS's error, from either.
    const unknown = stateMachineArn!.replace(':stateMachine:', ':execution:') + ':nope';
    await expect(sfnB.send(new DescribeExecutionCommand({ executionArn: unknown }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(sfnB.send(new SendTaskSuccessCommand({ taskToken: `AQ${'x'.repeat(86)}`, output: '{}' }))).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    // An error the owner answers with comes back as it is: the token was used already.
    await expect(sfnB.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{}' }))).rejects.toMatchObject({ name: 'TaskDoesNotExist' });

    // A delete through "b" deletes "a"'s machine.
    await sfnB.send(new DeleteStateMachineCommand({ stateMachineArn }));
    await expect(sfnA.send(new DescribeStateMachineCommand({ stateMachineArn }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
    await Promise.all([a.close(), b.close()]);
  });

  it('lists machines, activities and executions of every running instance as one list', async () => {
    const listTable = `${table}_lists`;
    const pass = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const listConfig = (instanceId: string): GatewayConfig => ({
      ...configFor(instanceId),
      stepFunctions: { store: { connectionString: pgUrl, table: listTable, instanceId }, stateMachines: { everywhere: { definition: pass } } },
    });
    const c = await startTestGateway({ config: listConfig('c'), files });
    const d = await startTestGateway({ config: listConfig('d'), files });
    const sfnC = client(c.origin);
    const sfnD = client(d.origin);
    await sfnC.send(new CreateStateMachineCommand({ name: 'only-c', roleArn: ROLE, definition: JSON.stringify(pass) }));
    await sfnD.send(new CreateStateMachineCommand({ name: 'only-d', roleArn: ROLE, definition: JSON.stringify(pass) }));
    await sfnC.send(new CreateActivityCommand({ name: 'act-c' }));
    await sfnD.send(new CreateActivityCommand({ name: 'act-d' }));

    for (const sfn of [sfnC, sfnD]) {
      const machines = await sfn.send(new ListStateMachinesCommand({}));
      // The config machine both instances have is listed once.
      expect(machines.stateMachines?.map((m) => m.name)).toEqual(['everywhere', 'only-c', 'only-d']);
      const activities = await sfn.send(new ListActivitiesCommand({}));
      expect(activities.activities?.map((a) => a.name)).toEqual(['act-c', 'act-d']);
    }
    // Pages walk the merged list.
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfnD.send(new ListStateMachinesCommand({ maxResults: 1, nextToken }));
      names.push(...page.stateMachines!.map((m) => m.name!));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(names).toEqual(['everywhere', 'only-c', 'only-d']);

    // The config machine runs wherever it is started; either instance lists both runs.
    const everywhere = 'arn:aws:states:us-east-1:123456789012:stateMachine:everywhere';
    await sfnC.send(new StartExecutionCommand({ stateMachineArn: everywhere, name: 'run-on-c' }));
    await new Promise((r) => setTimeout(r, 5));
    await sfnD.send(new StartExecutionCommand({ stateMachineArn: everywhere, name: 'run-on-d' }));
    for (const sfn of [sfnC, sfnD]) {
      const runs = await sfn.send(new ListExecutionsCommand({ stateMachineArn: everywhere }));
      expect(runs.executions?.map((e) => e.name)).toEqual(['run-on-d', 'run-on-c']);
    }

    await Promise.all([c.close(), d.close()]);
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    await db.query(`DROP TABLE IF EXISTS ${listTable}, ${listTable}_calls`);
    await db.end();
  });

  it('a call to an instance that does not answer fails with a retryable error', async () => {
    const storeTable = `${table}_down`;
    const a = createPostgresStore({ connectionString: pgUrl, table: storeTable, instanceId: 'a' });
    const b = createPostgresStore({ connectionString: pgUrl, table: storeTable, instanceId: 'b', peerTimeoutMs: 300 });
    await Promise.all([a.load(), b.load()]);
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:m:e1';
    a.append({
      k: 'x',
      r: { arn, stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m', name: 'e1', input: '{}', startDate: 1, revisionId: 'r' },
    });
    await a.flush();
    a.peers!.serve(async (action, input) => ({ ok: true, result: { action, input } }));
    expect(await b.peers!.ownerOf({ executionArn: arn })).toBe('a');
    expect(await a.peers!.ownerOf({ executionArn: arn })).toBeUndefined();
    expect(await b.peers!.call('a', 'DescribeExecution', { executionArn: arn })).toEqual({
      ok: true,
      result: { action: 'DescribeExecution', input: { executionArn: arn } },
    });
    await a.close();
    await expect(b.peers!.call('a', 'DescribeExecution', { executionArn: arn })).rejects.toThrow('it did not answer within 300 ms');
    await b.close();
    const db = new pg.Client({ connectionString: pgUrl });
    await db.connect();
    // Nothing is left behind by the call nobody answered.
    expect((await db.query(`SELECT count(*)::int AS n FROM ${storeTable}_calls`)).rows[0].n).toBe(0);
    await db.query(`DROP TABLE IF EXISTS ${storeTable}, ${storeTable}_calls`);
    await db.end();
  });
});
