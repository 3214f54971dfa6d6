import { util } from '@aws-appsync/utils';

export function request() {
  return { method: 'GET', resourcePath: '/health', params: { headers: { accept: 'application/json' } } };
}

export function response(ctx) {
  if (ctx.error) util.error(ctx.error.message, ctx.error.type);
  if (ctx.result.statusCode !== 200) util.error(`health answered ${ctx.result.statusCode}`, 'HealthCheckFailed');
  return JSON.parse(ctx.result.body);
}
