/**
 * The example API's ECS and Batch integrations (appsync.config.yml: the packTrip machine, the
 * packList task definition and the tripReport job definition, its execution log) through the real `@aws-sdk/client-sfn`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import { createGateway, type Gateway } from '../../../src/index.js';

const CONFIG = fileURLToPath(new URL('../../../appsync.config.yml', import.meta.url));
let gateway: Gateway;
let storeDir: string | undefined;
let sfn: SFNClient;
const logged: string[] = [];
const logger = { debug() {}, info: (m: string) => void logged.push(m), warn: (m: string) => void logged.push(m), error: (m: string) => void logged.push(m) };

beforeAll(async () => {
  const loaded = await loadConfigFile(CONFIG, { env: {} });
  storeDir = await mkdtemp(join(tmpdir(), 'appsync-gw-example-ecs-'));
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger, dataDir: storeDir });
  const { url } = await gateway.listen({ port: 0 });
  await gateway.ready();
  sfn = new SFNClient({
    endpoint: new URL(url).origin,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    disableHostPrefix: true,
  });
});
afterAll(async () => {
  sfn?.destroy();
  await gateway?.close();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

describe('the example API: packTrip', () => {
  it('runs the packList task and the tripReport job as local commands and waits for both', async () => {
    const result = await sfn.send(
      new StartSyncExecutionCommand({
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:packTrip',
        input: JSON.stringify({ city: 'Porto' }),
      }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toEqual({
      city: 'Porto',
      packList: { exitCode: 0, stoppedReason: 'Essential container in task exited' },
      report: { status: 'SUCCEEDED', exitCode: 0 },
    });
    expect(logged.some((line) => /^ecs packList task [0-9a-f]{32}: Packing for Porto: umbrella and sunscreen$/.test(line))).toBe(true);
    expect(logged.some((line) => /^batch tripReport job [0-9a-f-]{36}: Trip report for Porto$/.test(line))).toBe(true);
    // Its execution log (loggingConfig level ALL) has the run, ending in ExecutionSucceeded.
    const logFile = join(storeDir!, 'stepfunctions', 'logs', 'packTrip.jsonl');
    let lines: Array<{ type: string; execution_arn: string }> = [];
    for (let i = 0; i < 100 && !lines.some((l) => l.type === 'ExecutionSucceeded'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      lines = existsSync(logFile)
        ? readFileSync(logFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l))
        : [];
    }
    expect(lines[0]).toMatchObject({ type: 'ExecutionStarted', execution_arn: result.executionArn });
    expect(lines.map((l) => l.type)).toContain('TaskSubmitted');
    expect(lines[lines.length - 1]!.type).toBe('ExecutionSucceeded');
  });
});
