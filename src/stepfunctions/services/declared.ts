/**
 * Queues, topics and rules declared in the config (`stepFunctions.queues`, `stepFunctions.topics`,
 * `stepFunctions.rules`) made in the in-process SQS, SNS and EventBridge at start and after each
 * reload. A declaration that SQS, SNS or EventBridge refuses is logged at `warn` and skipped, as an
 * invalid state machine definition is; reloads add and update, they never delete (queues may
 * hold messages).
 */
import type { NormalizedConfig } from '../../config/types.js';
import type { Logger } from '../../datasources/types.js';
import type { EventRules, Target } from './eventbridge.js';
import type { SnsTopics } from './sns.js';
import type { SqsQueues } from './sqs.js';

/** What the declarations are made in; `machineArn` turns a state machine's key or name into its ARN. */
export interface DeclaredServices {
  sqs: SqsQueues;
  sns: SnsTopics;
  events: EventRules;
  machineArn(reference: string): string;
}

/** Creates the declared queues, then the topics and their subscriptions, then the rules and their targets. */
export function applyDeclared(config: NormalizedConfig['stepFunctions'] | undefined, services: DeclaredServices, logger: Logger): void {
  const { sqs, sns, events } = services;
  // A RedrivePolicy names another declared queue: every queue exists before any policy is set.
  const redrives: Array<[string, string]> = [];
  for (const [name, attributes] of Object.entries(config?.queues ?? {})) {
    try {
      const given = typeof attributes === 'object' && attributes !== null ? attributes : {};
      const { RedrivePolicy, ...rest } = Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)]));
      sqs.createQueue(name, rest, true);
      if (RedrivePolicy !== undefined) redrives.push([name, RedrivePolicy]);
    } catch (error) {
      logger.warn(`stepFunctions.queues.${name} skipped`, { error: (error as Error).message });
    }
  }
  for (const [name, policy] of redrives) {
    try {
      sqs.setQueueAttributes(name, { RedrivePolicy: policy });
    } catch (error) {
      logger.warn(`stepFunctions.queues.${name}.RedrivePolicy skipped`, { error: (error as Error).message });
    }
  }
  for (const [name, topic] of Object.entries(config?.topics ?? {})) {
    try {
      const arn = sns.createTopic(name);
      for (const [i, s] of (topic?.subscriptions ?? []).entries()) {
        try {
          sns.subscribe(arn, s.protocol, s.endpoint, {
            ...(s.rawMessageDelivery ? { RawMessageDelivery: 'true' } : {}),
            ...(s.filterPolicy ? { FilterPolicy: JSON.stringify(s.filterPolicy) } : {}),
            ...(s.filterPolicyScope ? { FilterPolicyScope: s.filterPolicyScope } : {}),
            ...(s.redrivePolicy ? { RedrivePolicy: JSON.stringify(s.redrivePolicy) } : {}),
          });
        } catch (error) {
          logger.warn(`stepFunctions.topics.${name}.subscriptions.${i} skipped`, { error: (error as Error).message });
        }
      }
    } catch (error) {
      logger.warn(`stepFunctions.topics.${name} skipped`, { error: (error as Error).message });
    }
  }
  for (const [name, rule] of Object.entries(config?.rules ?? {})) {
    try {
      events.putRule({ Name: name, EventPattern: JSON.stringify(rule.eventPattern), State: rule.state ?? 'ENABLED' });
      const targets: Target[] = rule.targets.map((t, i) => ({
        Id: t.id ?? `target${i}`,
        Arn: t.arn ?? services.machineArn(t.stateMachine!),
        ...(t.input !== undefined ? { Input: t.input } : {}),
        ...(t.inputPath !== undefined ? { InputPath: t.inputPath } : {}),
        ...(t.inputTransformer
          ? { InputTransformer: { InputPathsMap: t.inputTransformer.inputPathsMap, InputTemplate: t.inputTransformer.inputTemplate } }
          : {}),
        ...(t.deadLetterConfig ? { DeadLetterConfig: { Arn: t.deadLetterConfig.arn } } : {}),
      }));
      if (targets.length > 0) events.putTargets(name, targets);
    } catch (error) {
      logger.warn(`stepFunctions.rules.${name} skipped`, { error: (error as Error).message });
    }
  }
}
