// AppSync Events handler of the example's `shout` namespace (docs/events.md#handlers): published
// texts go out in capitals; an event without text fails; subscribing to /shout/private/… needs a
// signed-in caller (the Lambda authorizer), not the API key.
import { util } from '@aws-appsync/utils';

export function onPublish(ctx) {
  return ctx.events.map(({ id, payload }) => {
    if (typeof payload.text !== 'string') return { id, error: 'an event needs a text' };
    return { id, payload: { text: payload.text.toUpperCase(), channel: ctx.info.channel.path } };
  });
}

export function onSubscribe(ctx) {
  if (ctx.info.channel.segments[1] === 'private' && !ctx.identity) util.unauthorized();
}
