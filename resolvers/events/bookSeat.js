import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  return ddb.update({
    key: { id: ctx.args.id },
    update: { seats: ddb.operations.decrement(1), version: ddb.operations.increment(1) },
    condition: { seats: { gt: 0 } },
  });
}

export function response(ctx) {
  if (ctx.error) {
    const full = ctx.error.type === 'DynamoDB:ConditionalCheckFailedException';
    util.error(full ? 'This event is fully booked.' : ctx.error.message, ctx.error.type, ctx.result);
  }
  return ctx.result;
}
