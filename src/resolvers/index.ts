export { ResolverRuntime, type ResolverRuntimeOptions } from './resolverRuntime.js';
export { createRequestContext, resolverHeaders, resolverHeadersOfNodeRequest, type RequestContext } from './requestContext.js';
export { lintAppSyncJs, formatLintFinding, type LintFinding } from './appsync-js/lint.js';
export { Sandbox, type HandlerOutcome, type LogLine, type RunSummary, type SandboxLimits } from './isolation/sandbox.js';
export { rememberCheckedCompile } from './appsync-js/checkedCompiles.js';
export { compileAndLintText } from './appsync-js/compileText.js';
export { CodeSyntaxError, compileResolverText, locateFault, MAX_CODE_LENGTH, type CompiledCode } from './appsync-js/compile.js';
export { templateSyntaxError, type TemplateSyntaxError } from './guest/vtl/parseTemplate.js';
export { MAX_TEMPLATE_CHARS } from './vtl/loadTemplates.js';
