// Pipeline "before" and "after" handlers of Mutation.announce.
export function request(ctx) {
  ctx.stash.receivedAt = util.time.nowISO8601();
  return {};
}

export function response(ctx) {
  return ctx.prev.result;
}
