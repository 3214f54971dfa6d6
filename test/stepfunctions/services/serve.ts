/**
 * A gateway serving a config written to a fresh temp folder (with a one-field schema), on the
 * in-process SQS/SNS/EventBridge defaults, and the real SQS and Step Functions clients on its port.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { loadConfigFile } from '../../../src/config/load.js';
import { createGateway, type Gateway } from '../../../src/index.js';
import { freePort } from '../../utils/freePort.js';
import { silentLogger } from '../../utils/logger.js';
import type { Logger } from '../../../src/datasources/types.js';

export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export const smArn = (name: string) => `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;

/**
 * A config with an EXPRESS state machine `announce` of one `sns:publish` task given `parameters`; a
 * failure is caught into `$.error`, so a refused publish ends the execution as SUCCEEDED.
 */
export function snsPublishConfig(name: string, apiKey: string, parameters: Record<string, unknown>): object {
  return {
    name,
    schema: 'schema.graphql',
    authentication: { type: 'API_KEY' },
    apiKeys: [{ name: 'k', value: apiKey }],
    stepFunctions: {
      stateMachines: {
        announce: {
          type: 'EXPRESS',
          definition: {
            StartAt: 'Publish',
            States: {
              Publish: {
                Type: 'Task',
                Resource: 'arn:aws:states:::sns:publish',
                Parameters: parameters,
                Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
                End: true,
              },
              Caught: { Type: 'Pass', End: true },
            },
          },
        },
      },
    },
  };
}

export interface ServedConfig {
  gateway: Gateway;
  endpoint: string;
  sqs: SQSClient;
  sfn: SFNClient;
  close(): Promise<void>;
}

export async function serveConfig(config: object, prefix: string, logger: Logger = silentLogger): Promise<ServedConfig> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await writeFile(join(dir, 'appsync.config.json'), JSON.stringify(config));
  await writeFile(join(dir, 'schema.graphql'), 'type Query { ok: Boolean }');
  const loaded = await loadConfigFile(join(dir, 'appsync.config.json'));
  const port = await freePort();
  const gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger, inMemory: true });
  await gateway.listen({ port, host: '127.0.0.1' });
  await gateway.ready();
  const endpoint = `http://127.0.0.1:${port}`;
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials });
  const sfn = new SFNClient({ endpoint, region: 'us-east-1', credentials, disableHostPrefix: true });
  return {
    gateway,
    endpoint,
    sqs,
    sfn,
    async close() {
      sqs.destroy();
      sfn.destroy();
      await gateway.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A notification as a queue subscribed without raw delivery receives it (its body's JSON). */
export interface QueuedNotification {
  Message: string;
  Subject?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/**
 * A topic named `name` with a queue of the same name subscribed to it (the notification JSON as the
 * body); `depth()` is the queue's message count and `received()` reads up to 10 notifications.
 */
export async function topicWithQueue(sns: SNSClient, served: ServedConfig, name: string) {
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
  const { QueueUrl } = await served.sqs.send(new CreateQueueCommand({ QueueName: name }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:123456789012:${name}` }));
  const depth = async () =>
    Number(
      (await served.sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes
        ?.ApproximateNumberOfMessages,
    );
  const received = async () => {
    const { Messages } = await served.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    return (Messages ?? []).map((m) => JSON.parse(m.Body!) as QueuedNotification);
  };
  return { TopicArn: TopicArn!, QueueUrl: QueueUrl!, depth, received };
}
