export { ResolverRuntime, type ResolverRuntimeOptions } from './resolverRuntime.js';
export { createRequestContext, resolverHeaders, type RequestContext } from './requestContext.js';
export { lintAppSyncJs, formatLintFinding, type LintFinding } from './appsync-js/lint.js';
