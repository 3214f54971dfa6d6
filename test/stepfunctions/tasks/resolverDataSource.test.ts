/**
 * The AWS_STEP_FUNCTIONS data source against a real Step Functions service (engine, store in a
 * temporary folder): direct use (no code) and request objects from resolver code.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NormalizedConfig } from '../../../src/config/types.js';
import type { DataSource, InvocationContext } from '../../../src/datasources/types.js';
import { createStepFunctionsService } from '../../../src/stepfunctions/index.js';
import { createStepFunctionsDataSourceKind, stateMachineArnOf } from '../../../src/stepfunctions/resolverDataSource.js';
import { silentLogger } from '../../utils/logger.js';

const greet = { StartAt: 'Greet', States: { Greet: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('Hello, {}!', $.who)" }, End: true } } };
const fail = { StartAt: 'Boom', States: { Boom: { Type: 'Fail', Error: 'Order.Invalid', Cause: 'no items' } } };
const stateMachines = {
  greeter: { name: 'Greeter', type: 'EXPRESS' as const, definition: greet },
  Slow: { type: 'STANDARD' as const, definition: greet },
  Broken: { type: 'EXPRESS' as const, definition: fail },
};

let dir: string;
let service: Awaited<ReturnType<typeof createStepFunctionsService>>;
const config = { dataSources: {}, configDir: '/tmp', stepFunctions: { stateMachines } } as unknown as NormalizedConfig;
const kind = createStepFunctionsDataSourceKind(() => service);
const make = (c: Record<string, unknown>): DataSource =>
  kind.create({
    name: 'sfn',
    config: c as never,
    configPath: 'dataSources.sfn.config',
    configDir: '/tmp',
    gatewayConfig: config,
    logger: silentLogger,
  }) as DataSource;
const direct = (arguments_: unknown): InvocationContext => ({
  resolverName: 'Mutation.run',
  fieldName: 'run',
  parentTypeName: 'Mutation',
  requestScope: new Map(),
  resolverContext: { arguments: arguments_ },
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sfn-resolver-'));
  service = await createStepFunctionsService({ stateMachines, storeDir: dir, logger: silentLogger, config: () => config, dataSources: () => new Map() });
});
afterAll(async () => {
  await service?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('config', () => {
  it('validates stateMachine and mode', () => {
    expect(kind.validate!({ stateMachine: 'X', mode: 'sync' }, 'p')).toEqual([]);
    expect(kind.validate!({}, 'dataSources.sfn.config').map((e) => e.message)).toEqual([
      'dataSources.sfn.config.stateMachine: expected a state machine name or ARN, got undefined',
    ]);
    expect(kind.validate!({ stateMachine: 'X', mode: 'later', extra: 1 }, 'p').map((e) => e.path)).toEqual(['p.mode', 'p.extra']);
  });
  it('names a machine by config key, by name or by ARN', () => {
    expect(stateMachineArnOf('greeter', config)).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Greeter');
    expect(stateMachineArnOf('Slow', config)).toBe('arn:aws:states:us-east-1:123456789012:stateMachine:Slow');
    expect(stateMachineArnOf('arn:aws:states:eu-west-1:111122223333:stateMachine:X', config)).toBe('arn:aws:states:eu-west-1:111122223333:stateMachine:X');
  });
});

describe('direct use (no code)', () => {
  it('an Express machine answers with its output, input = ctx.arguments', async () => {
    expect(await make({ stateMachine: 'greeter' }).invokeDirect!(direct({ who: 'Ada' }))).toEqual({ result: { greeting: 'Hello, Ada!' } });
  });
  it('a Standard machine answers with the started execution unless mode is sync', async () => {
    const started = await make({ stateMachine: 'Slow' }).invokeDirect!(direct({ who: 'Bo' }));
    const result = started.result as { executionArn: string; startDate: string };
    expect(result.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:Slow:[0-9a-f-]{36}$/);
    expect(new Date(result.startDate).toISOString()).toBe(result.startDate);
    expect(await make({ stateMachine: 'Slow', mode: 'sync' }).invokeDirect!(direct({ who: 'Cy' }))).toEqual({ result: { greeting: 'Hello, Cy!' } });
  });
  it('a failed execution is the field error, named after the execution’s error', async () => {
    const answer = await make({ stateMachine: 'Broken' }).invokeDirect!(direct({}));
    expect(answer.error).toMatchObject({
      type: 'StepFunctions:Order.Invalid',
      message: 'no items',
      data: { status: 'FAILED', error: 'Order.Invalid', cause: 'no items' },
    });
  });
  it('an unknown machine is StepFunctions:StateMachineDoesNotExist', async () => {
    const answer = await make({ stateMachine: 'Nope' }).invokeDirect!(direct({}));
    expect(answer.error).toEqual({
      type: 'StepFunctions:StateMachineDoesNotExist',
      message: "State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:Nope'",
    });
  });
});

describe('request objects from resolver code', () => {
  it('StartSyncExecution returns the output; StartExecution the started execution, with a name', async () => {
    const ds = make({ stateMachine: 'greeter' });
    expect(await ds.invoke({ operation: 'StartSyncExecution', input: { who: 'Di' } }, direct({}))).toEqual({ result: { greeting: 'Hello, Di!' } });
    expect(await ds.invoke({ operation: 'StartSyncExecution', input: '{"who":"Ed"}' }, direct({}))).toEqual({ result: { greeting: 'Hello, Ed!' } });
    const started = await ds.invoke({ operation: 'StartExecution', input: { who: 'Flo' }, name: 'named-run', stateMachine: 'Slow' }, direct({}));
    expect((started.result as { executionArn: string }).executionArn).toBe('arn:aws:states:us-east-1:123456789012:execution:Slow:named-run');
  });
  it('refuses an unknown operation', async () => {
    expect((await make({ stateMachine: 'greeter' }).invoke({ operation: 'DescribeExecution' }, direct({}))).error?.type).toBe(
      'StepFunctions:InvalidRequestException',
    );
  });
});
