/**
 * Messages between the gateway and a sandbox process (src/resolvers/isolation/child.ts). Start-up
 * and module registrations go over Node's IPC channel as JSON; resolver calls and their answers go
 * over a pipe of their own as records of text fields (`encodeCall`, `encodeReply`): the JSON texts
 * a call carries (arguments, headers, a handler's step) travel as they are, not escaped inside
 * another JSON document and parsed twice. Calls travel in batches (one write per event-loop turn
 * and process), so a busy gateway pays one write for many resolver calls.
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
 * the run's summary; `unit` and `pipeline` always end the run). `open` on a run's first call opens
 * the run first, in the same record. The other members
 * depend on `op`.
 */
export type Call =
  | { seq: number; op: 'openJson'; run: number; base: string }
  | {
      seq: number;
      op: 'invoke';
      run: number;
      open?: RunParts;
      mod: number;
      handler: string;
      phase: string;
      step: string;
      label: string;
      close?: boolean;
    }
  | { seq: number; op: 'unit'; run: number; open?: RunParts; mod: number; request: string; response: string; label: string }
  | { seq: number; op: 'pipeline'; run: number; open?: RunParts; mod: number; fns: number[]; operation: string; label: string }
  | { seq: number; op: 'close'; run: number; open?: RunParts }
  | { seq: number; op: 'stash'; run: number; open?: RunParts };

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
  /** The run's first stash as JSON, carried by a hand-over after a data source call (undefined: an empty stash). */
  stashJson?: string;
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

/** What a sandbox process sends on the IPC channel (answers to calls go on the calls pipe). */
export type ChildMessage = { t: 'ready' } | { t: 'regs'; results: RegistrationResult[] } | { t: 'fatal'; message: string };

/**
 * The calls pipe's file descriptor in a sandbox process (its stdio index): calls go in, answers
 * come out.
 */
export const CALLS_FD = 4;

// Records on the calls pipe. JSON.stringify escapes every character below U+0020, so neither
// separator can occur in a JSON text; every other string goes through `field`.
/** Ends a record (ASCII record separator). */
export const RECORD = '\x1e';
/** Separates a record's fields (ASCII unit separator). */
export const FIELD = '\x1f';

const NEEDS_QUOTING = /^"|[\x00-\x1f]/;

/** A string field: as it is, or as JSON text when it holds a control character or starts with a quote. */
function field(text: string): string {
  return NEEDS_QUOTING.test(text) ? JSON.stringify(text) : text;
}

function unfield(text: string): string {
  return text.charCodeAt(0) === 34 /* " */ ? (JSON.parse(text) as string) : text;
}

/** A JSON text as JSON.stringify wrote it ('' for undefined: JSON.stringify wrote nothing). */
function json(text: string | undefined): string {
  return text ?? '';
}

function unjson(text: string): string | undefined {
  return text === '' ? undefined : text;
}

/** A run's parts as the fields of a record (13 fields, no separator at either end). */
function partsFields(p: RunParts): string {
  const F = FIELD;
  return (
    `${json(p.argumentsJson)}${F}${json(p.identityJson)}${F}${json(p.sourceJson)}${F}${json(p.headersJson)}` +
    `${F}${field(p.fieldName)}${F}${field(p.parentTypeName)}${F}${json(p.variablesJson)}${F}${p.selectionSetListJson}` +
    `${F}${field(p.selectionSetGraphQL)}${F}${json(p.envJson)}${F}${field(p.authMode)}${F}${field(p.operation)}${F}${json(p.stashJson)}`
  );
}

/** How many fields `partsFields` writes. */
const PARTS_FIELDS = 13;

function partsOf(f: string[], at: number): RunParts {
  return {
    argumentsJson: unjson(f[at]!),
    identityJson: unjson(f[at + 1]!),
    sourceJson: unjson(f[at + 2]!),
    headersJson: unjson(f[at + 3]!),
    fieldName: unfield(f[at + 4]!),
    parentTypeName: unfield(f[at + 5]!),
    variablesJson: unjson(f[at + 6]!),
    selectionSetListJson: f[at + 7]!,
    selectionSetGraphQL: unfield(f[at + 8]!),
    envJson: unjson(f[at + 9]!),
    authMode: unfield(f[at + 10]!),
    operation: unfield(f[at + 11]!),
    stashJson: unjson(f[at + 12]!),
  };
}

/**
 * One call as a record (its `label` stays with the gateway). A call that opens its run is the
 * op's letter after `o`, with the run's parts between the run's number and the op's own fields.
 */
export function encodeCall(call: Call): string {
  const F = FIELD;
  if (call.op === 'openJson') return `O${F}${call.seq}${F}${call.run}${F}${call.base}${RECORD}`;
  const head = call.open
    ? `o${OP_LETTER[call.op]}${F}${call.seq}${F}${call.run}${F}${partsFields(call.open)}`
    : `${OP_LETTER[call.op]}${F}${call.seq}${F}${call.run}`;
  switch (call.op) {
    case 'invoke':
      return `${head}${F}${call.mod}${F}${field(call.handler)}${F}${field(call.phase)}${F}${call.step}${F}${call.close ? 1 : ''}${RECORD}`;
    case 'unit':
      return `${head}${F}${call.mod}${F}${field(call.request)}${F}${field(call.response)}${RECORD}`;
    case 'pipeline':
      return `${head}${F}${call.mod}${F}${call.fns.join(',')}${F}${field(call.operation)}${RECORD}`;
    case 'close':
    case 'stash':
      return `${head}${RECORD}`;
  }
}

const OP_LETTER = { invoke: 'i', unit: 'u', pipeline: 'p', close: 'c', stash: 's' } as const;

/**
 * Cuts what a pipe delivers into whole records: a record cut between two reads waits for its end.
 * Both ends of the calls pipe read with one (calls in the sandbox process, answers in the gateway).
 */
export class RecordReader {
  /** The start of a record whose end has not arrived yet. */
  #rest = '';

  /** Hands `onRecord` each record `chunk` completes (without its separator), in order. */
  read(chunk: string, onRecord: (record: string) => void): void {
    const text = this.#rest === '' ? chunk : this.#rest + chunk;
    const last = text.lastIndexOf(RECORD);
    if (last < 0) {
      this.#rest = text;
      return;
    }
    this.#rest = last === text.length - 1 ? '' : text.slice(last + 1);
    for (let start = 0; start < last;) {
      const end = text.indexOf(RECORD, start);
      onRecord(text.slice(start, end));
      start = end + 1;
    }
  }
}

/**
 * The fields of a record. By hand rather than `split`: a split is a call into V8's runtime, which
 * took most of a call's decoding time in the sandbox process's profile.
 */
function fieldsOf(record: string): string[] {
  const fields: string[] = [];
  let start = 0;
  for (let end = record.indexOf(FIELD); end >= 0; end = record.indexOf(FIELD, start)) {
    fields.push(record.slice(start, end));
    start = end + 1;
  }
  fields.push(record.slice(start));
  return fields;
}

/** A call from its record (without the record separator); `label` comes back empty. */
export function decodeCall(record: string): Call {
  const f = fieldsOf(record);
  const seq = Number(f[1]);
  const run = Number(f[2]);
  let op = f[0]!;
  if (op === 'O') return { seq, op: 'openJson', run, base: f[3]! };
  // `o` then the op's letter: the call opens its run, whose parts come first.
  let at = 3;
  let open: RunParts | undefined;
  if (op.length === 2 && op.charCodeAt(0) === 111 /* o */) {
    open = partsOf(f, 3);
    at += PARTS_FIELDS;
    op = op[1]!;
  }
  let call: Call;
  switch (op) {
    case 'i':
      call = {
        seq,
        op: 'invoke',
        run,
        mod: Number(f[at]),
        handler: unfield(f[at + 1]!),
        phase: unfield(f[at + 2]!),
        step: f[at + 3]!,
        label: '',
        close: f[at + 4] === '1',
      };
      break;
    case 'u':
      call = { seq, op: 'unit', run, mod: Number(f[at]), request: unfield(f[at + 1]!), response: unfield(f[at + 2]!), label: '' };
      break;
    case 'p':
      call = {
        seq,
        op: 'pipeline',
        run,
        mod: Number(f[at]),
        fns: f[at + 1] === '' ? [] : f[at + 1]!.split(',').map(Number),
        operation: unfield(f[at + 2]!),
        label: '',
      };
      break;
    case 'c':
      call = { seq, op: 'close', run };
      break;
    case 's':
      call = { seq, op: 'stash', run };
      break;
    default:
      throw new Error(`resolver sandbox: unknown call record ${JSON.stringify(record.slice(0, 40))}`);
  }
  if (open) call.open = open;
  return call;
}

/**
 * An answer as a record. `text` is what the prelude's trampoline answered: JSON texts joined by a
 * newline and prefixed by a letter or a position, never a control character besides that newline.
 */
export function encodeReply(seq: number, text: string, logs: LogLine[] | undefined): string {
  return logs ? `${seq}${FIELD}${text}${FIELD}${JSON.stringify(logs)}${RECORD}` : `${seq}${FIELD}${text}${RECORD}`;
}

/** An answer from its record (without the record separator). */
export function decodeReply(record: string): Reply {
  const first = record.indexOf(FIELD);
  const second = record.indexOf(FIELD, first + 1);
  const seq = Number(record.slice(0, first));
  if (second < 0) return [seq, record.slice(first + 1)];
  return [seq, record.slice(first + 1, second), JSON.parse(record.slice(second + 1)) as LogLine[]];
}
