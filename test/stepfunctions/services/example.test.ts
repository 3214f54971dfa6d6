/**
 * The example API's SNS, SQS and EventBridge integrations (appsync.config.yml: the shareTrip
 * machine, the tripShared topic and the tripLog / tripShares queues) through the real SDK clients,
 * and its HTTP routes through fetch.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/config/index.js';
import { createGateway, type Gateway } from '../../../src/index.js';
import { silentLogger } from '../../utils/logger.js';

const CONFIG = fileURLToPath(new URL('../../../appsync.config.yml', import.meta.url));
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let gateway: Gateway;
let storeDir: string | undefined;
let sqs: SQSClient;
let sfn: SFNClient;
let origin: string;

beforeAll(async () => {
  const loaded = await loadConfigFile(CONFIG, { env: {} });
  storeDir = await mkdtemp(join(tmpdir(), 'appsync-gw-example-sns-'));
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silentLogger, dataDir: storeDir });
  const { url } = await gateway.listen({ port: 0 });
  await gateway.ready();
  const endpoint = new URL(url).origin;
  origin = endpoint;
  sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials, disableHostPrefix: true });
});
afterAll(async () => {
  sqs?.destroy();
  sfn?.destroy();
  await gateway?.close();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

describe('the example API: shareTrip', () => {
  it('publishes to tripShared (delivered to tripShares), logs to tripLog and puts an event', async () => {
    const trip = { city: 'Lisbon', day: '2030-06-01' };
    const result = await sfn.send(
      new StartSyncExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:shareTrip', input: JSON.stringify(trip) }),
    );
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toMatchObject({ FailedEntryCount: 0, Entries: [{ EventId: expect.any(String) }] });
    const shares = await sqs.send(new GetQueueUrlCommand({ QueueName: 'tripShares' }));
    expect(JSON.parse((await sqs.send(new ReceiveMessageCommand({ QueueUrl: shares.QueueUrl, WaitTimeSeconds: 5 }))).Messages![0]!.Body!)).toEqual(trip);
    const log = await sqs.send(new GetQueueUrlCommand({ QueueName: 'tripLog' }));
    const logged = JSON.parse((await sqs.send(new ReceiveMessageCommand({ QueueUrl: log.QueueUrl, WaitTimeSeconds: 5 }))).Messages![0]!.Body!);
    expect(logged).toMatchObject({ ...trip, published: { MessageId: expect.any(String) } });
    // The tripAnnounced rule turns the event into a line on tripAnnouncements.
    const announcements = await sqs.send(new GetQueueUrlCommand({ QueueName: 'tripAnnouncements' }));
    const announced = await sqs.send(new ReceiveMessageCommand({ QueueUrl: announcements.QueueUrl, WaitTimeSeconds: 5 }));
    expect(announced.Messages![0]!.Body).toBe('"Trip to Lisbon shared"');
  });
});

describe('the example API: HTTP routes', () => {
  it('POST /trips/plan with the API key answers planTrip’s output; without it, 403', async () => {
    const res = await fetch(`${origin}/trips/plan`, { method: 'POST', headers: { 'x-api-key': 'da2-exampleexampleexample00' }, body: '{"city":"Lisbon"}' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; output: string };
    expect(body.status).toBe('SUCCEEDED');
    expect(JSON.parse(body.output)).toMatchObject({ city: 'Lisbon', advice: expect.stringContaining('Lisbon') });
    expect((await fetch(`${origin}/trips/plan`, { method: 'POST', body: '{}' })).status).toBe(403);
  });
});
