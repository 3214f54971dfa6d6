/**
 * The program of a sandbox process: one `node:vm` context holding the resolver prelude and every
 * compiled module, its intrinsics frozen by ses `lockdown()`. It runs the calls the gateway sends
 * (src/resolvers/isolation/pool.ts), one at a time, and answers each.
 *
 * Limits come from the platform, not from this code: the gateway kills this process when a call
 * overruns its time limit, and V8's heap limit (`--max-old-space-size`) ends it when resolver code
 * allocates without bound. Either way only this process dies; the gateway starts another.
 *
 * Bundled by esbuild into one CommonJS script (dist/ inlines it); it imports nothing of the
 * gateway but the prelude's host interface and the protocol types.
 */
import { randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import vm from 'node:vm';
import type { SandboxHost } from '../guest/host.js';
import {
  CALLS_FD,
  decodeCall,
  encodeReply,
  FIELD,
  RECORD,
  RecordReader,
  type Call,
  type ChildMessage,
  type InitMessage,
  type LogLine,
  type RegisterMessage,
  type Registration,
  type RegistrationResult,
  type RunParts,
} from './protocol.js';

interface Trampoline {
  sealGlobals(): string;
  setResultLimit(chars: number): void;
  register(factory: unknown, id: number, namesJson?: string): number;
  registerVtl(request: string, response: string | null, id: number, requestAst?: string, responseAst?: string): number;
  exportsOf(id: number): string;
  openRun(id: number, baseJson: string): void;
  openRunParts(id: number, parts: RunParts): void;
  closeRun(id: number): string;
  stashOf(id: number): string;
  invoke(runId: number, moduleId: number, handler: string, phase: string, stepJson: string): string;
  invokeUnitPassThrough(runId: number, moduleId: number, requestPhase: string, responsePhase: string): string;
  invokePipelinePassThrough(runId: number, beforeId: number, functionIds: number[], operation: string): string;
}

/**
 * Globals resolver code must not have (docs/resolvers.md#the-language-subset lists none of them): shared memory and
 * `Atomics.wait` could block the process outside any limit, and ArrayBuffers live outside the V8
 * heap, where `--max-old-space-size` does not count them. ses's own globals go too.
 */
const REMOVED_GLOBALS = [
  'lockdown',
  'harden',
  'Compartment',
  'assert',
  'repairIntrinsics',
  'getStackString',
  'SharedArrayBuffer',
  'Atomics',
  'WebAssembly',
  'ArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'FinalizationRegistry',
  'WeakRef',
];

/**
 * After this many ms of one batch, the answers so far go out at once, so the gateway's estimate of
 * when the running call started stays within this of the truth. Not less: one request's sibling
 * runs should come back in one message (Lambda BatchInvoke gathers what arrives in one turn).
 */
const FLUSH_AFTER_MS = 20;

const send = (message: ChildMessage): void => {
  process.send!(message);
};

/** The calls pipe: call records in, answer records out (protocol.ts). */
const calls = new Socket({ fd: CALLS_FD, readable: true, writable: true });

let context: vm.Context | undefined;
let trampoline: Trampoline | undefined;
/** The sealed global names, in the trampoline's order (a module's factory takes those its code names, then `globalThis`). */
let globalNames: string[] = [];
let limits = { maxResultChars: 0, maxLogChars: 0 };
/** Console lines of the call that runs now. */
let logs: LogLine[] | undefined;
/** Runs a script in the context: with microtaskMode 'afterEvaluate' it also drains the promise
 * jobs resolver code queued, so they run inside the call they belong to (and its time limit). */
let drainMicrotasks: () => void = () => undefined;

function init(message: InitMessage): void {
  limits = { maxResultChars: message.maxResultChars, maxLogChars: message.maxLogChars };
  context = vm.createContext(Object.create(null), {
    name: 'appsync-resolvers',
    codeGeneration: { strings: false, wasm: false },
    microtaskMode: 'afterEvaluate',
  });
  new vm.Script(message.prelude, { filename: 'appsync-gateway:prelude' }).runInContext(context);
  const host: SandboxHost = {
    randomHex: (n) => randomBytes(Math.max(0, Math.min(1024, Math.floor(Number(n)) || 0))).toString('hex'),
    log: (level, text) => {
      const line =
        text.length > limits.maxLogChars
          ? `${text.slice(0, limits.maxLogChars)}… (cut: the line was ${text.length} characters, at most ${limits.maxLogChars} are kept)`
          : text;
      (logs ??= []).push([level, line]);
    },
  };
  (context as { __appsyncBootstrap: (host: SandboxHost) => void }).__appsyncBootstrap(host);
  new vm.Script(message.lockdown, { filename: 'appsync-gateway:lockdown' }).runInContext(context);
  // errorTaming 'unsafe' keeps V8 stacks (fault locations come from them); the start compartment
  // keeps Date.now and Math.random, which resolver code may use.
  vm.runInContext(
    `lockdown({ errorTaming: 'unsafe', consoleTaming: 'unsafe', overrideTaming: 'moderate',
                stackFiltering: 'verbose', evalTaming: 'no-eval', localeTaming: 'unsafe' });
     for (const name of ${JSON.stringify(REMOVED_GLOBALS)}) delete globalThis[name];
     delete globalThis.__appsyncBootstrap;`,
    context,
  );
  trampoline = (context as { __appsyncTrampoline: Trampoline }).__appsyncTrampoline;
  vm.runInContext('delete globalThis.__appsyncTrampoline', context);
  globalNames = JSON.parse(trampoline.sealGlobals()) as string[];
  trampoline.setResultLimit(limits.maxResultChars);
  const drain = new vm.Script('0', { filename: 'appsync-gateway:drain' });
  const ctx = context;
  drainMicrotasks = () => drain.runInContext(ctx);
  send({ t: 'ready' });
}

/** Registers each module in turn; answers go out together (flushed as calls' answers are). */
function registerAll(message: RegisterMessage): void {
  let results: RegistrationResult[] = [];
  let flushedAt = Date.now();
  for (const registration of message.list) {
    results.push(register(registration));
    const now = Date.now();
    if (now - flushedAt >= FLUSH_AFTER_MS) {
      send({ t: 'regs', results });
      results = [];
      flushedAt = now;
    }
  }
  if (results.length > 0) send({ t: 'regs', results });
}

function register(registration: Registration): RegistrationResult {
  try {
    const { id } = registration;
    if (registration.vtl) {
      // A VTL resolver: the prelude keeps its templates, parsed there unless the gateway sent their trees (src/resolvers/guest/vtl/).
      const { request, response, requestAst, responseAst } = registration.vtl;
      trampoline!.registerVtl(request, response, id, requestAst, responseAst);
    } else {
      // The module's code starts on the script's second line; lineOffset keeps stack lines those
      // of the compiled code, which its source map translates.
      const names = namedGlobals(registration.code);
      const wrapped = `(function (${[...names, 'globalThis'].join(', ')}) { "use strict";\n${registration.code}\nreturn __m; })`;
      let factory: unknown;
      try {
        factory = new vm.Script(wrapped, { filename: registration.filename, lineOffset: -1 }).runInContext(context!);
      } catch (error) {
        // Code that does not compile still takes its id (an empty module).
        trampoline!.register(vm.runInContext('(function () { return {}; })', context!), id);
        throw error;
      }
      trampoline!.register(factory, id, JSON.stringify(names));
    }
    const exports = JSON.parse(trampoline!.exportsOf(id)) as string[];
    drainMicrotasks();
    return { id: registration.id, exports };
  } catch (error) {
    return { id: registration.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/**
 * The global names a module's code can refer to: those its text holds. Code can name a binding
 * only by writing its name (strict code has no `with`, and `eval` and `Function` are off), so a
 * global it does not hold is not bound for it, which saves passing every global to every
 * evaluation (~0.2 µs a handler call). A `\u` escape can spell a name without its letters: such
 * code gets them all.
 */
function namedGlobals(code: string): string[] {
  if (code.includes('\\u')) return globalNames;
  return globalNames.filter((name) => code.includes(name));
}

/** One call's answer text, through the trampoline. */
function run(call: Call): string {
  const t = trampoline!;
  // A run's first call opens it (its parts travel in the same record).
  if (call.op !== 'openJson' && call.open) t.openRunParts(call.run, call.open);
  switch (call.op) {
    case 'openJson':
      t.openRun(call.run, call.base);
      return '';
    case 'invoke': {
      const text = capped(t.invoke(call.run, call.mod, call.handler, call.phase, call.step), call.handler);
      return call.close ? `${text}\n${t.closeRun(call.run)}` : text;
    }
    case 'unit': {
      const opened = t.invokeUnitPassThrough(call.run, call.mod, call.request, call.response);
      const text = capped(opened.slice(1), opened.charCodeAt(0) === 83 ? 'response' : 'request');
      return `${opened[0]}${text}\n${t.closeRun(call.run)}`;
    }
    case 'pipeline': {
      const answer = t.invokePipelinePassThrough(call.run, call.mod, call.fns, call.operation);
      const space = answer.indexOf(' ');
      const text = capped(answer.slice(space + 1), answer.charCodeAt(0) === 83 ? 'response' : 'request');
      return `${answer.slice(0, space + 1)}${text}\n${t.closeRun(call.run)}`;
    }
    case 'close':
      return t.closeRun(call.run);
    case 'stash':
      return t.stashOf(call.run);
  }
}

const OK_PREFIX = '{"k":"ok","v":';

/** A handler outcome longer than the limit becomes a fault that says so. */
function capped(text: string, handler: string): string {
  if (text.length <= limits.maxResultChars) return text;
  // The value's own length: without the outcome's `{"k":"ok","v":…}` around it.
  const length = text.startsWith(OK_PREFIX) ? text.length - OK_PREFIX.length - 1 : text.length;
  return JSON.stringify({
    k: 'fault',
    name: 'ResultTooLarge',
    message: `the ${handler} handler's result is ${length} characters of JSON; at most ${limits.maxResultChars} are allowed`,
    stack: '',
  });
}

/** Cuts the calls pipe into call records. */
const callRecords = new RecordReader();
/** The answers to the calls of the chunk being run, written together when it ends. */
let replies = '';
/** When `replies` was last written (a long chunk writes every FLUSH_AFTER_MS). */
let flushedAt = 0;

/** Runs every call whose record is complete, in order; their answers go out in one write. */
function onCalls(chunk: string): void {
  replies = '';
  flushedAt = Date.now();
  callRecords.read(chunk, runRecord);
  logs = undefined;
  if (replies !== '') calls.write(replies);
}

function runRecord(record: string): void {
  const call = decodeCall(record);
  logs = undefined;
  let text: string;
  try {
    text = run(call);
    // Opening a run parses the gateway's JSON and runs no resolver code, so it queues no
    // promise jobs: the drain (a script run, ~1 µs) is for calls that ran resolver code.
    if (call.op !== 'openJson') drainMicrotasks();
  } catch (error) {
    // The trampoline answers every resolver failure itself; reaching here means the call broke
    // the trampoline (for example a stack overflow while reporting an error).
    const err = error as { name?: unknown; message?: unknown };
    text = JSON.stringify({ k: 'fault', name: String(err?.name ?? 'Error'), message: String(err?.message ?? error), stack: '' });
    if (call.op === 'unit') text = `Q${text}\n`;
    else if (call.op === 'pipeline') text = `Q-1 ${text}\n`;
  }
  // The trampoline answers JSON texts (control characters escaped). A separator in one would
  // forge the framing of the answers after it: the process stops instead (the gateway replaces it).
  if (text.includes(RECORD) || text.includes(FIELD)) throw new Error(`the answer to call ${call.seq} holds a record separator`);
  if (call.seq !== 0) replies += encodeReply(call.seq, text, logs);
  else if (logs) replies += encodeReply(0, '', logs);
  const now = Date.now();
  if (now - flushedAt >= FLUSH_AFTER_MS && replies !== '') {
    calls.write(replies);
    replies = '';
    flushedAt = now;
  }
}

calls.setEncoding('utf8');
calls.on('data', (chunk: string) => {
  try {
    onCalls(chunk);
  } catch (error) {
    send({ t: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
// The gateway is gone, or its end of the pipe failed: nothing is left to answer.
calls.on('error', () => process.exit(0));
calls.on('end', () => process.exit(0));

process.on('message', (message: InitMessage | RegisterMessage) => {
  try {
    if (message.t === 'init') init(message);
    else if (message.t === 'regs') registerAll(message);
  } catch (error) {
    send({ t: 'fatal', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
});
// The gateway is gone (or closed this sandbox): nothing is left to answer.
process.on('disconnect', () => process.exit(0));
