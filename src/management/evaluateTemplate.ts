/**
 * EvaluateMappingTemplate (`POST /v1/dataplane-evaluatetemplate`, docs/management-api.md#evaluatemappingtemplate):
 * renders one VTL mapping template against a context given as JSON, on the VTL runtime that serves
 * GraphQL requests: the same parser check, the same sandbox with its prelude, `$util`, `$extensions`
 * and limits. The template is registered like a VTL resolver's request template and rendered by its
 * raw-render handler, which hands back the evaluated text instead of reading it as JSON.
 *
 * One sandbox process serves every evaluation of a gateway; it starts on the first call and holds
 * each distinct template once (by content), as EvaluateCode does for code.
 */
import type { Logger } from '../datasources/types.js';
import { MAX_TEMPLATE_CHARS, templateSyntaxError, type Sandbox, type HandlerOutcome, type LogLine, type SandboxLimits } from '../resolvers/index.js';
import { lostWithProcess, runInput } from './evaluateCode.js';
import { EvaluationSandbox } from './evaluationSandbox.js';
import { ManagementApiError } from './restJson.js';

/** The name the evaluated template has in messages. */
const TEMPLATE_NAME = 'template.vtl';
/** API reference, EvaluateMappingTemplate: `context` is 2 to 28,000 characters, `template` 2 to 65,536. */
const MAX_CONTEXT_CHARS = 28_000;
const MIN_CHARS = 2;
const MAX_TEMPLATES = 500;

const LEVELS: Record<LogLine[0], string> = { log: 'INFO', info: 'INFO', debug: 'DEBUG', warn: 'WARN', error: 'ERROR' };

/** The EvaluateMappingTemplate answer (API reference: EvaluateMappingTemplateResponse). */
export interface EvaluateMappingTemplateResponse {
  /**
   * The evaluated template's text; the JSON text of the value for `#return(value)`. Absent when it
   * failed. Gateway choice: text that is not JSON is answered as it is, not refused.
   */
  evaluationResult?: string;
  error?: { message: string };
  /** `$util.log.*` lines, `LEVEL - message`. */
  logs: string[];
  /** The run's stash after the template, as JSON text. */
  stash: string;
  /** Errors `$util.appendError` added, as JSON text of a list. */
  outErrors: string;
}

export interface TemplateEvaluatorOptions {
  logger: Logger;
  /** Limits of the evaluation sandbox; read when it starts. */
  limits(): SandboxLimits;
  /** How many distinct templates one sandbox holds before a fresh one replaces it. @default 500 */
  maxTemplates?: number;
}

/** A registered template, or the parse error that keeps it from rendering. */
type Prepared = { ok: true; id: number } | { ok: false; message: string };

export class TemplateEvaluator {
  readonly #evaluations: EvaluationSandbox<Prepared>;

  constructor(options: TemplateEvaluatorOptions) {
    this.#evaluations = new EvaluationSandbox<Prepared>({
      logger: options.logger,
      label: 'EvaluateMappingTemplate',
      limits: options.limits,
      maxEntries: options.maxTemplates ?? MAX_TEMPLATES,
      register,
    });
  }

  /** Checks the request's members as the API reference states them; throws a BadRequestException naming the one at fault. */
  static parseRequest(body: unknown): { template: string; contextValue: Record<string, unknown> } {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw ManagementApiError.badRequest('The request body must be a JSON object.');
    const { template, context } = body as Record<string, unknown>;
    if (typeof template !== 'string' || template.length < MIN_CHARS)
      throw ManagementApiError.badRequest('template is required: the VTL mapping template to evaluate (at least 2 characters).');
    if (template.length > MAX_TEMPLATE_CHARS)
      throw ManagementApiError.badRequest(`template is ${template.length} characters; at most ${MAX_TEMPLATE_CHARS} are allowed.`);
    if (typeof context !== 'string' || context.length < MIN_CHARS)
      throw ManagementApiError.badRequest('context is required: the resolver context as a JSON string (at least 2 characters).');
    if (context.length > MAX_CONTEXT_CHARS)
      throw ManagementApiError.badRequest(`context is ${context.length} characters; at most ${MAX_CONTEXT_CHARS} are allowed.`);
    let contextValue: unknown;
    try {
      contextValue = JSON.parse(context);
    } catch (error) {
      throw ManagementApiError.badRequest(`context is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof contextValue !== 'object' || contextValue === null || Array.isArray(contextValue))
      throw ManagementApiError.badRequest('context must be a JSON object.');
    return { template, contextValue: contextValue as Record<string, unknown> };
  }

  /**
   * Renders `template` with `context`. Gateway choice: the template runs as a response template
   * (its `$extensions` phase) when the context has a `result`, else as a request template.
   */
  async evaluate(template: string, context: Record<string, unknown>): Promise<EvaluateMappingTemplateResponse> {
    const { sandbox, prepared } = await this.#evaluations.prepare(template);
    const { base, step, operation } = runInput(context);
    if (!prepared.ok) return { error: { message: prepared.message }, logs: [], stash: JSON.stringify(base.stash ?? {}), outErrors: '[]' };
    const phase = `${operation}:${step.hasResult ? 'response' : 'request'}`;
    const logs: LogLine[] = [];
    const run = sandbox.openRun(JSON.stringify(base));
    const outcome = await sandbox.invokeAndClose(run, prepared.id, 'render', phase, JSON.stringify(step), 'EvaluateMappingTemplate', logs);
    const summary = await sandbox.closeRun(run);
    const answer: EvaluateMappingTemplateResponse = {
      logs: logs.map(([level, message]) => `${LEVELS[level]} - ${message}`),
      stash: JSON.stringify(lostWithProcess(outcome) ? (base.stash ?? {}) : summary.stash),
      outErrors: JSON.stringify(summary.errors),
    };
    if (outcome.k === 'ok') {
      const rendered = outcome.v as { text?: string; returned?: unknown };
      answer.evaluationResult = typeof rendered.text === 'string' ? rendered.text : JSON.stringify(rendered.returned ?? null);
    } else answer.error = { message: failureOf(outcome) };
    return answer;
  }

  /** Stops the evaluation sandbox (with the gateway). */
  close(): Promise<void> {
    return this.#evaluations.close();
  }
}

async function register(sandbox: Sandbox, template: string): Promise<Prepared> {
  // The parse check every VTL resolver gets at load (docs/resolvers.md#vtl-mapping-templates).
  const syntax = templateSyntaxError(template);
  if (syntax) return { ok: false, message: `${TEMPLATE_NAME}:${syntax.line}:${syntax.column}: ${syntax.reason}` };
  const { id } = await sandbox.registerVtl({ request: template, response: null }, TEMPLATE_NAME);
  return { ok: true, id };
}

/** The error message an outcome other than `ok` stands for, as a resolver's field error would say it. */
function failureOf(outcome: Exclude<HandlerOutcome, { k: 'ok' }>): string {
  switch (outcome.k) {
    case 'error':
      return outcome.e.message;
    case 'early':
      return `${TEMPLATE_NAME}: unexpected early return`;
    case 'timeout':
      // The sandbox names the handler it called; to the caller it is the template.
      return `${TEMPLATE_NAME}: ${outcome.message.replace('the render handler', 'the template')}`;
    case 'fault':
      return `${TEMPLATE_NAME}: ${outcome.name}: ${outcome.message}`;
  }
}
