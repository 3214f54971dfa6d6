/**
 * `loggingConfiguration` execution logs through the real `@aws-sdk/client-sfn`: CloudWatch Logs
 * JSON lines in AWS's shape, one file per machine under the data folder; levels ALL / ERROR /
 * FATAL and `includeExecutionData`; from the config (`loggingConfig`, with `stdout`) and from
 * CreateStateMachine / UpdateStateMachine; Express runs read back by ListLoggedExecutions (the page).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  UpdateStateMachineCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGateway, type Gateway, type GatewayConfig } from '../../../src/index.js';
import { silentLogger } from '../../utils/logger.js';
import { smArn } from '../services/serve.js';

const role = 'arn:aws:iam::123456789012:role/sfn';
const passChain = JSON.stringify({
  StartAt: 'Greet',
  States: { Greet: { Type: 'Pass', Parameters: { 'hello.$': '$.who' }, Next: 'Done' }, Done: { Type: 'Succeed' } },
});
const failing = JSON.stringify({ StartAt: 'Try', States: { Try: { Type: 'Pass', Next: 'Boom' }, Boom: { Type: 'Fail', Error: 'Oops', Cause: 'it broke' } } });

const CONFIG = {
  name: 'sfn-logs',
  schemaSdl: 'type Query { ok: Boolean }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'k', value: 'da2-sfnlogs00000000000000000' }],
  stepFunctions: {
    stateMachines: {
      expressLogged: { type: 'EXPRESS', definition: JSON.parse(passChain), loggingConfig: { level: 'ALL', includeExecutionData: true, stdout: true } },
      quiet: { type: 'EXPRESS', definition: JSON.parse(passChain) },
    },
  },
} as unknown as GatewayConfig;

let dataDir: string;
let gateway: Gateway;
let sfn: SFNClient;
let endpoint: string;
const logFile = (name: string) => join(dataDir, 'stepfunctions', 'logs', `${name}.jsonl`);

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'sfn-logs-'));
  gateway = await createGateway(CONFIG, { configDir: dataDir, logger: silentLogger, dataDir });
  const { url } = await gateway.listen({ port: 0, host: '127.0.0.1' });
  await gateway.ready();
  endpoint = new URL(url).origin;
  sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, disableHostPrefix: true });
});

afterAll(async () => {
  sfn?.destroy();
  await gateway?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The log's lines once one of them satisfies `until` (the file is written asynchronously). */
async function linesOf(name: string, until: (lines: Array<Record<string, unknown>>) => boolean): Promise<Array<Record<string, unknown>>> {
  const end = Date.now() + 5_000;
  for (;;) {
    const lines = existsSync(logFile(name))
      ? (await readFile(logFile(name), 'utf8'))
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
    if (until(lines)) return lines;
    if (Date.now() > end) throw new Error(`the log of ${name} never met the condition: ${JSON.stringify(lines)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const sfnCall = async (action: string, body: unknown) => {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'x-amz-target': `AWSStepFunctions.${action}`, 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
};

describe('execution logs', () => {
  it('an Express machine with level ALL writes every event as a CloudWatch Logs line, and to stdout when asked', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    let executionArn: string | undefined;
    try {
      const out = await sfn.send(
        new StartSyncExecutionCommand({ stateMachineArn: smArn('expressLogged'), input: JSON.stringify({ who: 'Ada' }), name: 'first' }),
      );
      expect(out.status).toBe('SUCCEEDED');
      executionArn = out.executionArn;
    } finally {
      spy.mockRestore();
    }
    const lines = await linesOf('expressLogged', (l) => l.some((e) => e.type === 'ExecutionSucceeded'));
    expect(lines.map((l) => l.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    expect(lines[0]).toEqual({
      id: '1',
      type: 'ExecutionStarted',
      details: expect.objectContaining({ input: '{"who":"Ada"}', inputDetails: { truncated: false }, roleArn: expect.any(String) }),
      previous_event_id: '0',
      event_timestamp: expect.stringMatching(/^\d{13}$/),
      execution_arn: executionArn,
      redrive_count: '0',
    });
    expect(executionArn).toMatch(/:express:expressLogged:first$/);
    expect(lines[5]!.details).toMatchObject({ output: '{"hello":"Ada"}' });
    expect(lines.map((l) => Number(l.id))).toEqual([1, 2, 3, 4, 5, 6]);
    // The same lines went to standard output.
    expect(printed.filter((p) => p.includes(executionArn!))).toHaveLength(6);
    // A machine without loggingConfig writes nothing.
    await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('quiet'), input: '{"who":"x"}' }));
    expect(existsSync(logFile('quiet'))).toBe(false);
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: smArn('expressLogged') }));
    expect(described.loggingConfiguration).toEqual({ level: 'ALL', includeExecutionData: true });
  });

  it('level ERROR without execution data logs only failure events, without input or output (CreateStateMachine, Standard)', async () => {
    await sfn.send(
      new CreateStateMachineCommand({
        name: 'errorsOnly',
        definition: failing,
        roleArn: role,
        loggingConfiguration: { level: 'ERROR', includeExecutionData: false },
      }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn('errorsOnly'), input: '{"secret":1}' }));
    const lines = await linesOf('errorsOnly', (l) => l.some((e) => e.type === 'ExecutionFailed'));
    expect(lines).toEqual([
      expect.objectContaining({
        type: 'ExecutionFailed',
        details: { error: 'Oops', cause: 'it broke' },
        execution_arn: executionArn,
        previous_event_id: expect.any(String),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain('secret');
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('FAILED');
  });

  it('UpdateStateMachine changes the level (FATAL: only the execution failing); a bad level is ValidationException', async () => {
    await sfn.send(new CreateStateMachineCommand({ name: 'fatalOnly', type: 'EXPRESS', definition: failing, roleArn: role }));
    await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('fatalOnly'), input: '{}' }));
    await sfn.send(
      new UpdateStateMachineCommand({ stateMachineArn: smArn('fatalOnly'), loggingConfiguration: { level: 'FATAL', includeExecutionData: true } }),
    );
    await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('fatalOnly'), input: '{}' }));
    const lines = await linesOf('fatalOnly', (l) => l.length > 0);
    expect(lines.map((l) => l.type)).toEqual(['ExecutionFailed']);

    await expect(
      sfn.send(new CreateStateMachineCommand({ name: 'badLevel', definition: passChain, roleArn: role, loggingConfiguration: { level: 'LOUD' as 'ALL' } })),
    ).rejects.toBeInstanceOf(ValidationException);
  });

  it('ListLoggedExecutions (the page) lists an Express machine runs from its log, newest first, with their events', async () => {
    await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('expressLogged'), input: JSON.stringify({ who: 'Grace' }), name: 'second' }));
    await linesOf('expressLogged', (l) => l.filter((e) => e.type === 'ExecutionSucceeded').length >= 2);
    const { executions } = (await sfnCall('ListLoggedExecutions', { stateMachineArn: smArn('expressLogged') })) as {
      executions: Array<Record<string, unknown> & { events: Array<Record<string, unknown>> }>;
    };
    expect(executions.map((e) => e.name)).toEqual(['second', 'first']);
    expect(executions[0]).toMatchObject({
      status: 'SUCCEEDED',
      input: '{"who":"Grace"}',
      output: '{"hello":"Grace"}',
      stateMachineArn: smArn('expressLogged'),
    });
    expect(executions[0]!.events[0]).toMatchObject({
      id: 1,
      previousEventId: 0,
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: '{"who":"Grace"}' },
    });
    expect(typeof executions[0]!.events[0]!.timestamp).toBe('number');
  });
});
