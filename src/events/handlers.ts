/**
 * Namespace handlers (docs/events.md#handlers): a namespace's `code` exports `onPublish(ctx)` and/or
 * `onSubscribe(ctx)` in APPSYNC_JS. The file is compiled and linted like resolver code and runs in
 * the API's resolver sandbox (src/resolvers/isolation/) under the same limits; only JSON text
 * crosses.
 *
 * The sandbox calls a handler with a resolver's context, so a few lines appended to the compiled
 * module (written here by hand: nothing else knows the Events context) turn that context into the
 * Events one: `ctx.events`, `ctx.info.channel { path, segments }`, `ctx.info.channelNamespace
 * { name }`, `ctx.info.operation`, `ctx.identity`, `ctx.request`, `ctx.stash`.
 */
import { readFile } from 'node:fs/promises';
import type { NormalizedEventNamespace } from '../config/types.js';
import type { Logger } from '../datasources/types.js';
import { CodeLoadError } from '../errors.js';
import {
  compileResolverText,
  formatLintFinding,
  lintAppSyncJs,
  locateFault,
  MAX_CODE_LENGTH,
  type CompiledCode,
  type HandlerOutcome,
  type Sandbox,
} from '../resolvers/index.js';
import type { AuthContext } from '../auth/index.js';
import type { Channel } from './channels.js';

/** Runs a module's handlers as Events handlers (appended after the compiled module, see the file comment). */
const EVENTS_SHIM = `
var __user = __m;
function __eventsCtx(ctx) {
  var a = ctx.arguments;
  var out = { events: a.events, info: a.info, identity: ctx.identity, request: ctx.request, stash: ctx.stash };
  return out;
}
function __eventsHandler(name, fallback) {
  return function (ctx) {
    var h = __user[name];
    if (h === undefined) return fallback(ctx);
    if (typeof h !== 'function') util.error(name + ' with a data source (request/response) is not supported by appsync-gateway yet', 'NotSupported');
    return h(__eventsCtx(ctx));
  };
}
__m = {
  onPublish: __eventsHandler('onPublish', function (ctx) { return ctx.arguments.events; }),
  onSubscribe: __eventsHandler('onSubscribe', function () { return null; })
};
`;

/** One event as handlers see it: its id and its parsed payload. */
export interface HandlerEvent {
  id: string;
  payload: unknown;
}

/** What `onPublish` made of a publish: events to broadcast and events it failed. */
export type PublishOutcome =
  { ok: true; events: HandlerEvent[]; failed: Array<{ id: string; message: string }> } | { ok: false; errorType: string; message: string };

export type SubscribeOutcome = { ok: true } | { ok: false; errorType: string; message: string };

export interface NamespaceHandlers {
  /** Undefined when the namespace has no `onPublish`: events go out as published. */
  onPublish?(channel: Channel, events: HandlerEvent[], auth: AuthContext, headers: Record<string, string>): Promise<PublishOutcome>;
  onSubscribe?(channel: Channel, auth: AuthContext, headers: Record<string, string>): Promise<SubscribeOutcome>;
}

/** Compiles, lints and registers a namespace's code in `sandbox`; warnings (lint findings) go to the logger. */
export async function loadNamespaceHandlers(
  namespace: NormalizedEventNamespace,
  sandbox: Sandbox,
  options: { logger: Logger; strict?: boolean; env: Record<string, string> },
): Promise<NamespaceHandlers> {
  if (!namespace.code) return {};
  const file = namespace.code;
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new CodeLoadError(file, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (source.length > MAX_CODE_LENGTH) throw new CodeLoadError(file, `the code is ${source.length} characters; AppSync allows ${MAX_CODE_LENGTH}`);
  const compiled = await compileResolverText(file, source);
  const findings = await lintAppSyncJs(file, source);
  if (findings.length > 0) {
    if (options.strict) throw new CodeLoadError(file, findings.map(formatLintFinding).join('\n'), findings[0]!.line);
    for (const finding of findings) options.logger.warn(formatLintFinding(finding));
  }
  const { id } = await sandbox.register(`${compiled.code}${EVENTS_SHIM}`, file);
  const exported = new Set(moduleExportNames(compiled.code));
  const envJson = JSON.stringify(options.env);

  const call = async (handler: 'onPublish' | 'onSubscribe', channel: Channel, args: unknown, auth: AuthContext, headers: Record<string, string>) => {
    const run = sandbox.openRunParts({
      argumentsJson: JSON.stringify(args),
      identityJson: JSON.stringify(auth.identity),
      sourceJson: 'null',
      headersJson: JSON.stringify(headers),
      // util.unauthorized() names the field and type it refuses: here, the channel.
      fieldName: channel.path,
      parentTypeName: 'Channel',
      variablesJson: '{}',
      selectionSetListJson: '[]',
      selectionSetGraphQL: '',
      envJson,
      authMode: auth.mode,
      operation: handler === 'onPublish' ? 'publish' : 'subscribe',
    });
    // The sandbox's handler names are typed for resolvers; any exported name is called the same way.
    const outcome = await sandbox.invokeAndClose(run, id, handler as 'request', `events:${handler}`, '{"prev":null}', `${namespace.name} ${handler}`);
    await sandbox.closeRun(run);
    return outcome;
  };
  const info = (channel: Channel, operation: 'PUBLISH' | 'SUBSCRIBE') => ({
    channel: { path: channel.path, segments: channel.segments },
    channelNamespace: { name: namespace.name },
    operation,
  });

  const handlers: NamespaceHandlers = {};
  if (exported.has('onPublish')) {
    handlers.onPublish = async (channel, events, auth, headers) => {
      const outcome = await call('onPublish', channel, { events, info: info(channel, 'PUBLISH') }, auth, headers);
      const failure = failureOf(outcome, compiled);
      if (failure) return { ok: false, ...failure };
      return readPublished((outcome as { v: unknown }).v, events);
    };
  }
  if (exported.has('onSubscribe')) {
    handlers.onSubscribe = async (channel, auth, headers) => {
      const outcome = await call('onSubscribe', channel, { info: info(channel, 'SUBSCRIBE') }, auth, headers);
      const failure = failureOf(outcome, compiled);
      return failure ? { ok: false, ...failure } : { ok: true };
    };
  }
  return handlers;
}

/** The names in the compiled module's `var __m = { "name": local, … }` (compile.ts writes it last). */
function moduleExportNames(code: string): string[] {
  const match = /var __m = \{([^}]*)\};\s*$/.exec(code);
  if (!match) return [];
  return [...match[1]!.matchAll(/"([^"]+)":/g)].map((m) => m[1]!);
}

/** An outcome that is not a value, as the error AWS would report for the whole operation. */
function failureOf(outcome: HandlerOutcome, compiled: CompiledCode): { errorType: string; message: string } | undefined {
  switch (outcome.k) {
    case 'ok':
      return undefined;
    case 'early':
      return { errorType: 'Code', message: 'runtime.earlyReturn is not available in Events handlers' };
    case 'error':
      return { errorType: outcome.e.errorType ?? 'Code', message: outcome.e.message };
    case 'timeout':
      return { errorType: 'Code', message: outcome.message };
    case 'fault': {
      const where = locateFault(compiled, outcome.stack);
      return { errorType: 'Code', message: `${compiled.file}${where ? `:${where}` : ''}: ${outcome.name}: ${outcome.message}` };
    }
  }
}

/**
 * `onPublish`'s return value (docs/events.md#handlers): a list of `{ id, payload }` to broadcast;
 * an entry with an `error` fails its event; events left out are dropped; `null` drops them all.
 */
function readPublished(value: unknown, published: HandlerEvent[]): PublishOutcome {
  if (value === null || value === undefined) return { ok: true, events: [], failed: [] };
  if (!Array.isArray(value)) return { ok: false, errorType: 'Code', message: 'onPublish must return a list of events ({ id, payload }) or null' };
  const known = new Set(published.map((e) => e.id));
  const events: HandlerEvent[] = [];
  const failed: Array<{ id: string; message: string }> = [];
  for (const entry of value) {
    if (!entry || typeof entry !== 'object') continue;
    const { id, payload, error } = entry as { id?: unknown; payload?: unknown; error?: unknown };
    // Gateway choice: an entry whose id names no published event is dropped (it has no place in the answer).
    if (typeof id !== 'string' || !known.has(id)) continue;
    if (error !== undefined && error !== null) failed.push({ id, message: typeof error === 'string' ? error : JSON.stringify(error) });
    else events.push({ id, payload: payload === undefined ? null : payload });
  }
  return { ok: true, events, failed };
}
