/**
 * The task runner: what the engine's `EngineHost.invokeTask` calls for every Task state. It turns
 * a `Resource` and its effective parameters into a call to the gateway's own functions and data
 * sources (Step Functions developer guide, "Integrating services"):
 *
 * | Resource | runs |
 * | --- | --- |
 * | `arn:aws:lambda:<region>:<account>:function:<name>` | the function; result = its return value |
 * | `arn:aws:states:::lambda:invoke[.waitForTaskToken]` | the function of `FunctionName` with `Payload`; result = the Invoke response |
 * | `arn:aws:states:::dynamodb:getItem\|putItem\|updateItem\|deleteItem` | the DynamoDB API on the data source that owns `TableName` |
 * | `arn:aws:states:::aws-sdk:dynamodb:<action>` | any DynamoDB API action the same way; result = the bare response |
 * | `arn:aws:states:::aws-sdk:lambda:invoke[.waitForTaskToken]` | the function; result = the raw Invoke response (`Payload` as text) |
 * | `arn:aws:states:::aws-sdk:sfn:startExecution\|startSyncExecution` | a state machine of this gateway; result = the API response |
 * | `arn:aws:states:::http:invoke` | the HTTP call |
 * | `arn:aws:states:::states:startExecution[.sync\|.sync:2\|.waitForTaskToken]` | a state machine of this gateway |
 * | `arn:aws:states:::sqs:sendMessage[.waitForTaskToken]` | a queue of the in-process SQS; result = SendMessage's response |
 * | `arn:aws:states:::sns:publish[.waitForTaskToken]` | a topic of the in-process SNS; result = Publish's response |
 * | `arn:aws:states:::events:putEvents[.waitForTaskToken]` | the in-process EventBridge bus; result = PutEvents' response |
 * | `arn:aws:states:::ecs:runTask[.sync\|.waitForTaskToken]` | the local command of a configured task definition (ecsBatch.ts) |
 * | `arn:aws:states:::batch:submitJob[.sync\|.waitForTaskToken]` | the local command of a configured job definition (ecsBatch.ts) |
 *
 * With `stepFunctions.services.<sqs|sns|eventBridge>` set, those three go to that endpoint
 * through the AWS SDK instead (remote.ts).
 *
 * For `.waitForTaskToken` the runner only makes the call (the engine has already put the token in
 * the parameters) and resolves; the host waits for SendTaskSuccess/Failure. Activities are the
 * host's too.
 */
import type { NormalizedConfig } from '../../config/types.js';
import type { DataSource, Logger } from '../../datasources/types.js';
import { StatesError, type TaskRequest } from '../engine/types.js';
import type { DynamoDbTasks } from './dynamodb.js';
import { invokeHttp } from './http.js';
import { invokeResult, LambdaFunctions } from './lambda.js';
import { parseResource } from './resource.js';
import { notSupported } from './serviceError.js';
import { runSqsSendMessage } from './sqs.js';
import { runSdkStart, runStartExecution } from './startExecution.js';
import type { SqsQueues } from '../services/sqs.js';
import type { SnsTopics } from '../services/sns.js';
import { runSnsPublish } from './sns.js';
import type { EventRules } from '../services/eventbridge.js';
import { runPutEvents } from './events.js';
import { RemoteServices } from './remote.js';
import { LocalProcesses } from './localProcess.js';
import { runBatchJob, runEcsTask, type ContainerTaskContext } from './ecsBatch.js';

export interface TaskRunnerDeps {
  /** The config in force now (it changes on reload). */
  config(): NormalizedConfig;
  /** The data sources in force now. */
  dataSources(): ReadonlyMap<string, DataSource>;
  logger: Logger;
  /**
   * Starts an execution of one of the gateway's state machines; with `waitForCompletion`, resolves
   * once it ended, with its DescribeExecution fields (`executionArn`, `status`, `output`, `error`,
   * `cause`, `startDate`, `stopDate`, …); otherwise with `{ executionArn, startDate }`.
   */
  startExecution(stateMachineArn: string, input: unknown, name: string | undefined, waitForCompletion: boolean): Promise<unknown>;
  /** Region and account shown in Lambda ARNs of error causes. @default us-east-1 / 123456789012 */
  arnScope?: { region: string; accountId: string };
  /** The in-process SQS queues `sqs:sendMessage` tasks send to. */
  sqs?: SqsQueues;
  /** The in-process SNS topics `sns:publish` tasks publish to. */
  sns?: SnsTopics;
  /** The in-process EventBridge rules `events:putEvents` tasks put events to. */
  events?: EventRules;
}

/** Runs one Task's resource; rejects with a {@link StatesError}. `close()` releases clients. */
export type TaskRunner = ((request: TaskRequest, signal: AbortSignal) => Promise<unknown>) & { close(): void };

export { parseResource } from './resource.js';

/** Creates the runner the service hands the engine as `invokeTask`. */
export function createTaskRunner(deps: TaskRunnerDeps): TaskRunner {
  const lambdas = new LambdaFunctions(deps.config, deps.logger, deps.arnScope);
  const remote = new RemoteServices();
  const processes = new LocalProcesses(deps.logger);
  const containerContext = (request: TaskRequest): ContainerTaskContext => ({
    config: deps.config,
    processes,
    region: deps.arnScope?.region ?? 'us-east-1',
    accountId: deps.arnScope?.accountId ?? '123456789012',
    ...(request.submitted ? { submitted: request.submitted } : {}),
  });
  // Loaded on first use: the DynamoDB SDK costs start-up time gateways without such tasks need not pay.
  let dynamodbModule: Promise<{ tasks: DynamoDbTasks; locateTable: typeof import('./dynamodb.js').locateTable }> | undefined;
  const dynamodb = () => (dynamodbModule ??= import('./dynamodb.js').then((m) => ({ tasks: new m.DynamoDbTasks(), locateTable: m.locateTable })));
  const onDynamoDb = async (sdk: boolean, action: string, resource: string, parameters: unknown, signal: AbortSignal) => {
    const { tasks, locateTable } = await dynamodb();
    const locate = (table: string) => locateTable(deps.config(), deps.dataSources(), table);
    return sdk ? tasks.runSdk(action, resource, parameters, locate, signal) : tasks.run(action, resource, parameters, locate, signal);
  };

  const run = async (request: TaskRequest, signal: AbortSignal): Promise<unknown> => {
    const { resource, parameters } = request;
    const parsed = parseResource(resource);
    switch (parsed.kind) {
      case 'lambdaFunction':
        return lambdas.invoke(parsed.qualifier ? `${parsed.functionName}:${parsed.qualifier}` : parsed.functionName, parameters);
      case 'activity':
        throw notSupported(resource, 'activities are run by the Step Functions service, not the task runner');
      case 'unknown':
        throw notSupported(resource);
      case 'sdk':
        if (parsed.service === 'dynamodb' && parsed.pattern === 'requestResponse') {
          return onDynamoDb(true, parsed.action, resource, parameters, signal);
        }
        if (parsed.service === 'lambda' && parsed.action === 'invoke') {
          const p = (parameters ?? {}) as Record<string, unknown>;
          if (typeof p.FunctionName !== 'string') throw new StatesError('States.Runtime', "The field 'FunctionName' is required and must be a string");
          const payload = typeof p.Payload === 'string' ? parsePayload(p.Payload) : (p.Payload ?? {});
          return lambdas.invokeSdk(typeof p.Qualifier === 'string' ? `${p.FunctionName}:${p.Qualifier}` : p.FunctionName, payload);
        }
        if (parsed.service === 'sfn' && (parsed.action === 'startExecution' || parsed.action === 'startSyncExecution'))
          return runSdkStart(parsed.action, parameters, deps.startExecution);
        throw notSupported(resource);
      case 'integration':
        break;
    }
    const { service, action, pattern } = parsed;
    const p = (parameters ?? {}) as Record<string, unknown>;

    if (service === 'lambda' && action === 'invoke' && (pattern === 'requestResponse' || pattern === 'waitForTaskToken')) {
      if (typeof p.FunctionName !== 'string') throw new StatesError('States.Runtime', "The field 'FunctionName' is required and must be a string");
      const payload = typeof p.Payload === 'string' ? parsePayload(p.Payload) : (p.Payload ?? {});
      const qualifier = typeof p.Qualifier === 'string' ? p.Qualifier : undefined;
      const version = qualifier && /^\d+$/.test(qualifier) ? qualifier : '$LATEST';
      const name = qualifier ? `${p.FunctionName}:${qualifier}` : p.FunctionName;
      if (p.InvocationType === 'Event') {
        lambdas
          .invoke(name, payload)
          .catch((error) => deps.logger.warn(`step functions: asynchronous Lambda ${p.FunctionName} failed`, { error: (error as Error).message }));
        return invokeResult(undefined, { statusCode: 202, version });
      }
      if (p.InvocationType === 'DryRun') return invokeResult(undefined, { statusCode: 204, version });
      return invokeResult(await lambdas.invoke(name, payload), { version });
    }
    if (service === 'dynamodb' && pattern === 'requestResponse') {
      return onDynamoDb(false, action, resource, parameters, signal);
    }
    if (service === 'http' && action === 'invoke' && pattern === 'requestResponse') return invokeHttp(parameters, signal);
    if (service === 'states' && action === 'startExecution') return runStartExecution(parameters, pattern, deps.startExecution);
    if (service === 'sqs' && action === 'sendMessage' && (pattern === 'requestResponse' || pattern === 'waitForTaskToken')) {
      const endpoint = deps.config().stepFunctions.services?.sqs;
      if (endpoint) return remote.sendMessage(endpoint, parameters, signal);
      if (!deps.sqs) throw notSupported(resource, 'no SQS queues are available to this task runner');
      return runSqsSendMessage(deps.sqs, parameters);
    }
    if (service === 'sns' && action === 'publish' && (pattern === 'requestResponse' || pattern === 'waitForTaskToken')) {
      const endpoint = deps.config().stepFunctions.services?.sns;
      if (endpoint) return remote.publish(endpoint, parameters, signal);
      if (!deps.sns) throw notSupported(resource, 'no SNS topics are available to this task runner');
      return runSnsPublish(deps.sns, parameters);
    }
    if (service === 'events' && action === 'putEvents' && (pattern === 'requestResponse' || pattern === 'waitForTaskToken')) {
      const endpoint = deps.config().stepFunctions.services?.eventBridge;
      if (endpoint) return remote.putEvents(endpoint, parameters, signal);
      if (!deps.events) throw notSupported(resource, 'no EventBridge bus is available to this task runner');
      return runPutEvents(deps.events, parameters);
    }
    if (service === 'ecs' && action === 'runTask' && pattern !== 'sync:2') return runEcsTask(containerContext(request), parameters, pattern, signal);
    if (service === 'batch' && action === 'submitJob' && pattern !== 'sync:2') return runBatchJob(containerContext(request), parameters, pattern, signal);
    throw notSupported(resource, pattern === 'requestResponse' ? undefined : `the ${pattern} pattern is not available for ${service}:${action}`);
  };

  return Object.assign(run, {
    close() {
      lambdas.close();
      remote.close();
      void processes.close();
      void dynamodbModule?.then((m) => m.tasks.close());
    },
  });
}

/** A Payload given as JSON text is sent as that JSON. */
function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
