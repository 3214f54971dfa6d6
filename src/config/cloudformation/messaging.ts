/**
 * `AWS::SQS::Queue`, `AWS::SNS::Topic`, `AWS::SNS::Subscription` and `AWS::Events::Rule` of the
 * loaded stacks, onto the in-process SQS, SNS and EventBridge as `stepFunctions.queues`, `topics`
 * and `rules` (docs/cloudformation.md#queues-topics-and-rules). Names: `QueueName`, `TopicName`,
 * `Name` when given, else the gateway's `<Stack>-<LogicalId>` (what `Ref` and `Fn::GetAtt … Arn`
 * evaluate to locally).
 */
import type { EventRuleConfig, EventRuleTargetConfig, QueueConfig, TopicConfig } from '../types.js';
import type { Problems, Located } from './resources.js';

/** What the stacks declare, in the config's shapes, with the resources left out and why. */
export interface Messaging {
  queues: Record<string, QueueConfig>;
  topics: Record<string, TopicConfig>;
  rules: Record<string, EventRuleConfig>;
  warnings: string[];
}

/** The queue attributes CloudFormation's properties map to (the others mean nothing locally). */
const QUEUE_ATTRIBUTES = ['VisibilityTimeout', 'DelaySeconds', 'MessageRetentionPeriod', 'MaximumMessageSize', 'ReceiveMessageWaitTimeSeconds'];

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const lastSegment = (arnOrName: string) => arnOrName.slice(arnOrName.lastIndexOf(':') + 1);

export const MESSAGING_TYPES = new Set(['AWS::SQS::Queue', 'AWS::SNS::Topic', 'AWS::SNS::Subscription', 'AWS::Events::Rule']);

/** Translates the messaging resources; a resource that cannot run locally is left out with a warning. */
export function messagingOf(resources: readonly Located[], problems: Problems): Messaging {
  const out: Messaging = { queues: {}, topics: {}, rules: {}, warnings: [] };
  const p = (r: Located, name: string) => r.stack.evaluator.property(r.logicalId, name);
  const nameOf = (r: Located, property: string) => {
    const given = p(r, property);
    return typeof given === 'string' && given !== '' ? given : `${r.stack.evaluator.env.stackName}-${r.logicalId}`;
  };

  for (const r of resources.filter((x) => x.type === 'AWS::SQS::Queue')) {
    problems.attempt(() => {
      const name = nameOf(r, 'QueueName');
      if (p(r, 'FifoQueue') === true || p(r, 'FifoQueue') === 'true' || name.endsWith('.fifo')) {
        out.warnings.push(`Resources.${r.logicalId}: FIFO queues are not supported by the in-process SQS; left out`);
        return;
      }
      const attributes: QueueConfig = {};
      for (const key of QUEUE_ATTRIBUTES) {
        const value = p(r, key);
        if (value !== undefined) attributes[key] = String(value);
      }
      const redrive = p(r, 'RedrivePolicy');
      if (isObject(redrive)) attributes.RedrivePolicy = JSON.stringify(redrive);
      else if (typeof redrive === 'string') attributes.RedrivePolicy = redrive;
      out.queues[name] = attributes;
    });
  }

  const topicNames = new Map<string, string>();
  for (const r of resources.filter((x) => x.type === 'AWS::SNS::Topic')) {
    problems.attempt(() => {
      const name = nameOf(r, 'TopicName');
      if (p(r, 'FifoTopic') === true || p(r, 'FifoTopic') === 'true' || name.endsWith('.fifo')) {
        out.warnings.push(`Resources.${r.logicalId}: FIFO topics are not supported by the in-process SNS; left out`);
        return;
      }
      topicNames.set(`${r.stack.evaluator.env.stackName}-${r.logicalId}`, name);
      const inline = p(r, 'Subscription');
      out.topics[name] = {
        subscriptions: (Array.isArray(inline) ? inline : []).filter(isObject).map((s) => ({
          protocol: String(s.Protocol) as 'sqs',
          endpoint: String(s.Endpoint),
        })),
      };
    });
  }

  for (const r of resources.filter((x) => x.type === 'AWS::SNS::Subscription')) {
    problems.attempt(() => {
      const topicRef = String(p(r, 'TopicArn') ?? '');
      // `Ref` of a topic evaluates to its local name (an ARN on AWS): either finds it.
      const topic = out.topics[topicNames.get(topicRef) ?? lastSegment(topicRef)];
      if (!topic) {
        out.warnings.push(`Resources.${r.logicalId}: TopicArn ${topicRef} is no topic of the input; left out`);
        return;
      }
      const filter = p(r, 'FilterPolicy');
      const scope = p(r, 'FilterPolicyScope');
      const raw = p(r, 'RawMessageDelivery');
      const redrive = p(r, 'RedrivePolicy');
      topic.subscriptions!.push({
        protocol: String(p(r, 'Protocol')) as 'sqs',
        endpoint: String(p(r, 'Endpoint')),
        ...(raw === true || raw === 'true' ? { rawMessageDelivery: true } : {}),
        ...(isObject(filter) ? { filterPolicy: filter } : typeof filter === 'string' ? { filterPolicy: JSON.parse(filter) as Record<string, unknown> } : {}),
        ...(scope === 'MessageBody' || scope === 'MessageAttributes' ? { filterPolicyScope: scope } : {}),
        ...(isObject(redrive)
          ? { redrivePolicy: redrive as { deadLetterTargetArn: string } }
          : typeof redrive === 'string'
            ? { redrivePolicy: JSON.parse(redrive) as { deadLetterTargetArn: string } }
            : {}),
      });
    });
  }

  for (const r of resources.filter((x) => x.type === 'AWS::Events::Rule')) {
    problems.attempt(() => {
      const name = nameOf(r, 'Name');
      const bus = p(r, 'EventBusName');
      if (bus !== undefined && bus !== 'default' && !String(bus).endsWith(':event-bus/default')) {
        out.warnings.push(`Resources.${r.logicalId}: the in-process EventBridge has only the default bus (EventBusName ${String(bus)}); left out`);
        return;
      }
      const pattern = p(r, 'EventPattern');
      if (!isObject(pattern) && typeof pattern !== 'string') {
        out.warnings.push(`Resources.${r.logicalId}: only rules with an EventPattern run locally (no schedules); left out`);
        return;
      }
      const targets = p(r, 'Targets');
      out.rules[name] = {
        eventPattern: isObject(pattern) ? pattern : (JSON.parse(pattern as string) as Record<string, unknown>),
        ...(p(r, 'State') === 'DISABLED' ? { state: 'DISABLED' as const } : {}),
        targets: (Array.isArray(targets) ? targets : []).filter(isObject).map((t): EventRuleTargetConfig => {
          const transformer = isObject(t.InputTransformer) ? t.InputTransformer : undefined;
          const deadLetter = isObject(t.DeadLetterConfig) ? t.DeadLetterConfig : undefined;
          return {
            id: String(t.Id),
            arn: String(t.Arn),
            ...(typeof t.Input === 'string' ? { input: t.Input } : {}),
            ...(typeof t.InputPath === 'string' ? { inputPath: t.InputPath } : {}),
            ...(transformer
              ? {
                  inputTransformer: {
                    ...(isObject(transformer.InputPathsMap) ? { inputPathsMap: transformer.InputPathsMap as Record<string, string> } : {}),
                    inputTemplate: String(transformer.InputTemplate),
                  },
                }
              : {}),
            ...(deadLetter?.Arn !== undefined ? { deadLetterConfig: { arn: String(deadLetter.Arn) } } : {}),
          };
        }),
      };
    });
  }
  return out;
}
