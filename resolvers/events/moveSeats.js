import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

// Moves seats from one event to another in one DynamoDB transaction: both events change, or
// neither does (no seats are lost or made up when one side is refused).
export function request(ctx) {
  const { from, to, seats } = ctx.args;
  if (seats < 1) util.error('Move at least one seat.', 'BadRequest');
  if (from === to) util.error('Pick two different events.', 'BadRequest');
  return ddb.transactWrite({
    items: [
      {
        updateItem: {
          table: 'events',
          key: { id: from },
          update: { seats: ddb.operations.decrement(seats), version: ddb.operations.increment(1) },
          condition: { seats: { ge: seats } },
        },
      },
      {
        updateItem: {
          table: 'events',
          key: { id: to },
          update: { seats: ddb.operations.increment(seats), version: ddb.operations.increment(1) },
          condition: { id: { attributeExists: true } },
        },
      },
    ],
  });
}

export function response(ctx) {
  if (ctx.error) {
    // cancellationReasons: one { type, message, item? } per item, in request order.
    const reasons = ctx.result?.cancellationReasons ?? [];
    const [fromReason, toReason] = reasons;
    let message = ctx.error.message;
    if (fromReason?.type === 'ConditionalCheckFailed') message = fromReason.item ? `Event ${ctx.args.from} has ${fromReason.item.seats} seats left.` : `Event ${ctx.args.from} does not exist.`;
    else if (toReason?.type === 'ConditionalCheckFailed') message = `Event ${ctx.args.to} does not exist.`;
    util.error(message, ctx.error.type, null, { cancellationReasons: reasons });
  }
  return { from: ctx.args.from, to: ctx.args.to, seats: ctx.args.seats };
}
