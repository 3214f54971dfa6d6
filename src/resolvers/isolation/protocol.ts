/**
 * Messages between the gateway and a sandbox process (src/resolvers/isolation/child.ts), sent
 * over Node's IPC channel as JSON. Calls travel in batches (one message per event-loop turn and
 * process), so a busy gateway pays one IPC write for many resolver calls.
 */

/** The first message a sandbox process gets. */
export interface InitMessage {
  t: 'init';
  /** The bundled prelude (src/resolvers/guest/prelude.ts). */
  prelude: string;
  /** ses's lockdown script: freezes the context's intrinsics. */
  lockdown: string;
  /** Longest JSON text a handler may return, in characters. */
  maxResultChars: number;
  /** Longest console line kept, in characters; longer lines are cut and say so. */
  maxLogChars: number;
}

/** Registers compiled modules (sent together when several are registered in one turn). */
export interface RegisterMessage {
  t: 'regs';
  list: Registration[];
}

/** One module to register under `id` (ids are the gateway's, the same in every process). */
export interface Registration {
  id: number;
  code: string;
  filename: string;
  /** A VTL resolver or function instead of `code`: its template texts (`response` null: the default one). */
  vtl?: VtlTemplates;
}

/** The mapping templates of one VTL resolver or function. */
export interface VtlTemplates {
  request: string;
  response: string | null;
  /**
   * The templates already parsed, as the JSON of their syntax trees (src/resolvers/vtl/templateCache.ts):
   * a sandbox process reads these instead of parsing the text again.
   */
  requestAst?: string;
  responseAst?: string;
}

/**
 * One call. `seq` is the gateway's number for it (0 = no answer wanted); `label` names the
 * resolver for console lines; `close` on `invoke` also ends the run (answer: outcome, a newline,
 * the run's summary; `unit` and `pipeline` always end the run). The other members depend on `op`.
 */
export type Call =
  | { seq: number; op: 'open'; run: number; parts: RunParts }
  | { seq: number; op: 'openJson'; run: number; base: string }
  | { seq: number; op: 'invoke'; run: number; mod: number; handler: string; phase: string; step: string; label: string; close?: boolean }
  | { seq: number; op: 'unit'; run: number; mod: number; request: string; response: string; label: string }
  | { seq: number; op: 'pipeline'; run: number; mod: number; fns: number[]; operation: string; label: string }
  | { seq: number; op: 'close'; run: number }
  | { seq: number; op: 'stash'; run: number };

/**
 * A run's base context as JSON texts per member (undefined: JSON.stringify left the key out, and
 * the key is then absent from the message) and the strings that go in as they are.
 */
export interface RunParts {
  argumentsJson: string | undefined;
  identityJson: string | undefined;
  sourceJson: string | undefined;
  headersJson: string | undefined;
  fieldName: string;
  parentTypeName: string;
  variablesJson: string | undefined;
  selectionSetListJson: string;
  selectionSetGraphQL: string;
  envJson: string | undefined;
  authMode: string;
  operation: string;
}

/** A console line written by resolver code during a call. */
export type LogLine = [level: 'log' | 'error' | 'warn' | 'info' | 'debug', message: string];

/** The answer to one call: its text (the trampoline's answer) and the console lines it wrote. */
export type Reply = [seq: number, text: string, logs?: LogLine[]];

/** A registration's answer: the module's exported function names, or why it failed. */
export interface RegistrationResult {
  id: number;
  exports?: string[];
  error?: string;
}

/** What a sandbox process sends. */
export type ChildMessage = { t: 'ready' } | { t: 'regs'; results: RegistrationResult[] } | { t: 'replies'; replies: Reply[] } | { t: 'fatal'; message: string };
