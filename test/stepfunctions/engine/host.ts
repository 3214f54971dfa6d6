/**
 * A small in-memory EngineHost for the engine's unit tests: records history, hands out task
 * tokens, keeps checkpoints, and runs time virtually (sleeps resolve in wake-up order once the
 * event loop is idle, advancing a fake clock) so Wait/Retry/timeouts cost no real time.
 */
import type { Checkpoint, EngineHost, HistoryEvent, RunOptions, StateMachineDefinition, TaskRequest } from '../../../src/stepfunctions/engine/types.js';
import { runExecution } from '../../../src/stepfunctions/engine/run.js';

export type TaskHandler = (request: TaskRequest, signal: AbortSignal) => unknown;

export interface TestHostOptions {
  /** Task handlers by resource ARN (or '*' for any). */
  tasks?: Record<string, TaskHandler>;
  history?: boolean;
  checkpoints?: boolean;
  start?: number;
  /** History already recorded before a restart (resume tests). */
  initialEvents?: HistoryEvent[];
  /** Called with each checkpoint (after it is stored). */
  onCheckpoint?: (cp: Checkpoint) => void;
}

export const START = Date.parse('2026-01-01T00:00:00.000Z');

export function createTestHost(options: TestHostOptions = {}) {
  const events: HistoryEvent[] = [...(options.initialEvents ?? [])];
  const checkpoints: Checkpoint[] = [];
  const requests: TaskRequest[] = [];
  const sleeps: number[] = [];
  let clock = options.start ?? START;
  let tokens = 0;
  const timers: { at: number; seq: number; resolve: () => void }[] = [];
  let seq = 0;
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(advance);
  };
  const advance = () => {
    scheduled = false;
    if (timers.length === 0) return;
    timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const t = timers.shift()!;
    if (t.at > clock) clock = t.at;
    t.resolve();
    if (timers.length > 0) schedule();
  };
  const host: EngineHost = {
    async invokeTask(request, signal) {
      requests.push(request);
      const handler = options.tasks?.[request.resource] ?? options.tasks?.['*'];
      if (!handler) throw new Error(`no test handler for ${request.resource}`);
      return handler(request, signal);
    },
    recordEvent(type, details, previousEventId) {
      const id = events.length + 1;
      events.push({ timestamp: new Date(clock), type, id, previousEventId, ...(details ?? {}) });
      return id;
    },
    newTaskToken: () => `token-${++tokens}`,
    now: () => clock,
    sleep(ms, signal) {
      sleeps.push(ms);
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const timer = { at: clock + ms, seq: seq++, resolve };
        timers.push(timer);
        signal.addEventListener(
          'abort',
          () => {
            const i = timers.indexOf(timer);
            if (i >= 0) timers.splice(i, 1);
            reject(signal.reason);
          },
          { once: true },
        );
        schedule();
      });
    },
  };
  if (options.history === false) {
    host.recordsHistory = false;
    host.recordEvent = () => 0;
  }
  if (options.checkpoints) {
    host.checkpoint = (cp) => {
      checkpoints.push(structuredClone(cp));
      options.onCheckpoint?.(cp);
    };
  }
  return {
    host,
    events,
    checkpoints,
    requests,
    sleeps,
    now: () => clock,
    /** Events without timestamps, for whole-shape comparisons. */
    plainEvents: () => events.map(({ timestamp: _t, ...rest }) => rest),
    types: () => events.map((e) => e.type),
  };
}

export const CONTEXT = {
  Execution: {
    Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:run1',
    Input: {},
    Name: 'run1',
    RoleArn: 'arn:aws:iam::123456789012:role/StepFunctions',
    StartTime: new Date(START).toISOString(),
    RedriveCount: 0,
  },
  StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:sm', Name: 'sm' },
};

/** Runs a definition on a test host. */
export async function run(definition: Record<string, unknown>, input: unknown = {}, hostOptions: TestHostOptions = {}, extra: Partial<RunOptions> = {}) {
  const t = createTestHost(hostOptions);
  const outcome = await runExecution({
    definition: definition as StateMachineDefinition,
    input,
    context: { ...CONTEXT, Execution: { ...CONTEXT.Execution, Input: input } },
    host: t.host,
    signal: extra.signal ?? new AbortController().signal,
    ...extra,
  });
  return { outcome, ...t };
}
