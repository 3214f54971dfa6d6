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
import type { DataSource, DataSourceResult, Logger } from '../datasources/types.js';
import { AppSyncError, CodeLoadError } from '../errors.js';
import {
  compileAndLintText,
  formatLintFinding,
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
  if (ctx.result !== undefined) out.result = ctx.result;
  if (ctx.error !== undefined) out.error = ctx.error;
  return out;
}
function __eventsHandler(name, fallback) {
  return function (ctx) {
    var h = __user[name];
    if (h === undefined) return fallback(ctx);
    if (typeof h !== 'function') util.error(name + ' as { request, response } needs handlerConfigs.' + name + '.integration.dataSourceName', 'NotSupported');
    return h(__eventsCtx(ctx));
  };
}
function __eventsPart(name, part) {
  return function (ctx) {
    var h = __user[name];
    if (!h || typeof h[part] !== 'function') util.error(name + ' has no ' + part + ' function', 'Code');
    return h[part](__eventsCtx(ctx));
  };
}
function __eventsKind(name) {
  var h = __user[name];
  return h === undefined ? 'none' : typeof h === 'function' ? 'function' : 'object';
}
__m = {
  onPublish: __eventsHandler('onPublish', function (ctx) { return ctx.arguments.events; }),
  onSubscribe: __eventsHandler('onSubscribe', function () { return null; }),
  onPublishRequest: __eventsPart('onPublish', 'request'),
  onPublishResponse: __eventsPart('onPublish', 'response'),
  onSubscribeRequest: __eventsPart('onSubscribe', 'request'),
  onSubscribeResponse: __eventsPart('onSubscribe', 'response'),
  kinds: function () { return { onPublish: __eventsKind('onPublish'), onSubscribe: __eventsKind('onSubscribe') }; }
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
  options: {
    logger: Logger;
    strict?: boolean;
    env: Record<string, string>;
    /** The config's folder: its compile cache keeps the compiled handlers (docs/startup.md). */
    configDir: string;
    /** The data source a `{ request, response }` handler calls (its handlerConfigs integration), if any. */
    dataSourceFor?(handler: 'onPublish' | 'onSubscribe'): DataSource | undefined;
  },
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
  const { compiled, findings } = await compileAndLintText(options.configDir, file, source);
  if (findings.length > 0) {
    if (options.strict) throw new CodeLoadError(file, findings.map(formatLintFinding).join('\n'), findings[0]!.line);
    for (const finding of findings) options.logger.warn(formatLintFinding(finding));
  }
  const { id } = await sandbox.register(`${compiled.code}${EVENTS_SHIM}`, file);
  const exported = new Set(moduleExportNames(compiled.code));
  const envJson = JSON.stringify(options.env);
  const label = (handler: string) => `${namespace.name} ${handler}`;

  const open = (handler: string, channelPath: string, args: unknown, auth: AuthContext, headers: Record<string, string>) =>
    sandbox.openRunParts({
      argumentsJson: JSON.stringify(args),
      identityJson: JSON.stringify(auth.identity),
      sourceJson: 'null',
      headersJson: JSON.stringify(headers),
      // util.unauthorized() names the field and type it refuses: here, the channel.
      fieldName: channelPath,
      parentTypeName: 'Channel',
      variablesJson: '{}',
      selectionSetListJson: '[]',
      selectionSetGraphQL: '',
      envJson,
      authMode: auth.mode,
      operation: handler.startsWith('onPublish') ? 'publish' : 'subscribe',
    });
  // The sandbox's handler names are typed for resolvers; any exported name is called the same way.
  const once = async (handler: string, channelPath: string, args: unknown, auth: AuthContext, headers: Record<string, string>) => {
    const run = open(handler, channelPath, args, auth, headers);
    const outcome = await sandbox.invokeAndClose(run, id, handler as 'request', `events:${handler}`, '{"prev":null}', label(handler));
    await sandbox.closeRun(run);
    return outcome;
  };
  /** `{ request, response }` on a data source: request → the data source → response, in one run (one stash). */
  const viaDataSource = async (
    handler: 'onPublish' | 'onSubscribe',
    ds: DataSource,
    channel: Channel,
    args: unknown,
    auth: AuthContext,
    headers: Record<string, string>,
  ) => {
    const run = open(handler, channel.path, args, auth, headers);
    const request = await sandbox.invoke(run, id, `${handler}Request` as 'request', `events:${handler}`, '{"prev":null}', label(`${handler}.request`));
    if (request.k !== 'ok') {
      await sandbox.closeRun(run);
      // runtime.earlyReturn(value) skips the data source and the response handler, as in resolvers.
      return request.k === 'early' ? ({ k: 'ok', v: request.v } as HandlerOutcome) : request;
    }
    let answer: DataSourceResult;
    try {
      answer = await ds.invoke(request.v, {
        resolverName: `${namespace.name}.${handler}`,
        fieldName: handler,
        parentTypeName: 'Channel',
        requestScope: new Map(),
        resolverContext: { info: (args as { info: unknown }).info },
      });
    } catch (error) {
      if (!AppSyncError.is(error)) throw error;
      answer = { error: { message: error.message, type: error.errorType } };
    }
    const step = JSON.stringify({ prev: null, hasResult: true, result: answer.result ?? null, ...(answer.error ? { error: answer.error } : {}) });
    const response = await sandbox.invokeAndClose(run, id, `${handler}Response` as 'response', `events:${handler}`, step, label(`${handler}.response`));
    await sandbox.closeRun(run);
    return response;
  };
  const call = async (handler: 'onPublish' | 'onSubscribe', channel: Channel, args: unknown, auth: AuthContext, headers: Record<string, string>) => {
    const ds = kinds[handler] === 'object' ? options.dataSourceFor?.(handler) : undefined;
    return ds ? viaDataSource(handler, ds, channel, args, auth, headers) : once(handler, channel.path, args, auth, headers);
  };
  // Whether each handler is a function or a { request, response } object, asked once.
  const kindsOutcome = await once('kinds', '/', {}, { mode: 'API_KEY', identity: null }, {});
  const kinds = (kindsOutcome.k === 'ok' ? kindsOutcome.v : {}) as Record<'onPublish' | 'onSubscribe', 'none' | 'function' | 'object'>;
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
