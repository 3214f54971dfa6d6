/**
 * Queues and topics declared in the config (`stepFunctions.queues`, `stepFunctions.topics`) made
 * in the in-process SQS and SNS at start and after each reload. A declaration that SQS or SNS
 * refuses is logged at `warn` and skipped, as an invalid state machine definition is; reloads add
 * and update, they never delete (queues may hold messages).
 */
import type { NormalizedConfig } from '../../config/types.js';
import type { Logger } from '../../datasources/types.js';
import type { SnsTopics } from './sns.js';
import type { SqsQueues } from './sqs.js';

/** Creates the declared queues, then the topics and their subscriptions. */
export function applyDeclared(config: NormalizedConfig['stepFunctions'] | undefined, sqs: SqsQueues, sns: SnsTopics, logger: Logger): void {
  for (const [name, attributes] of Object.entries(config?.queues ?? {})) {
    try {
      const given = typeof attributes === 'object' && attributes !== null ? attributes : {};
      sqs.createQueue(name, Object.fromEntries(Object.entries(given).map(([k, v]) => [k, String(v)])), true);
    } catch (error) {
      logger.warn(`stepFunctions.queues.${name} skipped`, { error: (error as Error).message });
    }
  }
  for (const [name, topic] of Object.entries(config?.topics ?? {})) {
    try {
      const arn = sns.createTopic(name);
      for (const [i, s] of (topic?.subscriptions ?? []).entries()) {
        try {
          sns.subscribe(arn, s.protocol, s.endpoint, s.rawMessageDelivery ? { RawMessageDelivery: 'true' } : {});
        } catch (error) {
          logger.warn(`stepFunctions.topics.${name}.subscriptions.${i} skipped`, { error: (error as Error).message });
        }
      }
    } catch (error) {
      logger.warn(`stepFunctions.topics.${name} skipped`, { error: (error as Error).message });
    }
  }
}
