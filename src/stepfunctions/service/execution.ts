/**
 * One execution as the service keeps it, and the plain values made from it. Standard executions
 * only: Express runs are not kept, as on AWS (they cannot be described).
 */
import type { Checkpoint, StateMachineType } from '../engine/types.js';
import type { ExecutionStatus } from '../store/types.js';
import { invalidExecutionInput } from './errors.js';
import type { SlabText } from './historySlabs.js';

export interface Execution {
  arn: string;
  stateMachineArn: string;
  stateMachineName: string;
  name: string;
  type: StateMachineType;
  /** Input as JSON text. */
  input: string;
  startDate: number;
  stopDate?: number;
  status: ExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  revisionId: string;
  /**
   * History as JSON texts of its events (written to the store as they are); joined into
   * `historyText` when the execution closes. Read with `ExecutionTable.history()`.
   */
  eventTexts: string[];
  /** How many of `eventTexts` the store has (the rest go out with the next write tick). */
  flushed: number;
  /** The latest checkpoint is not in the store yet. */
  checkpointDirty?: boolean;
  /** A closed execution's history: JSON array text, UTF-8 in a shared off-heap slab (see `HistorySlabs`). */
  historyText?: SlabText;
  /** Type of the last event recorded. */
  lastEventType?: string;
  /** The output text of the engine's ExecutionSucceeded event (the closing record reuses it). */
  outputText?: string;
  lastEventId: number;
  checkpoint?: Checkpoint;
  controller?: AbortController;
  /** Called when the execution ends (`.sync` callers waiting with `whenDone`). */
  onDone?: Array<() => void>;
  /** Nested executions started since checkpoint `childEpoch`, per state and Map item (see `TaskInvoker`). */
  childStarts?: Map<string, number>;
  childEpoch?: number;
  /** The version or alias ARN it was started through, if any. */
  versionArn?: string;
  aliasArn?: string;
  /** RedriveExecution: times redriven, when last (epoch ms), and where a redrive would continue. */
  redriveCount?: number;
  redriveDate?: number;
  redriveFrom?: Checkpoint;
}

/** A RUNNING execution with no history yet. */
export function newExecution(
  arn: string,
  smArn: string,
  smName: string,
  name: string,
  type: StateMachineType,
  input: string,
  startDate: number,
  revisionId: string,
): Execution {
  return {
    arn,
    stateMachineArn: smArn,
    stateMachineName: smName,
    name,
    type,
    input,
    startDate,
    status: 'RUNNING',
    revisionId,
    eventTexts: [],
    flushed: 0,
    lastEventId: 0,
  };
}

/** An execution's input text parsed; InvalidExecutionInput when it is not JSON. */
export function parseExecutionInput(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalidExecutionInput((error as Error).message);
  }
}

/** DescribeExecution's fields (times in epoch ms). */
export function describe(exec: Execution) {
  return {
    executionArn: exec.arn,
    stateMachineArn: exec.stateMachineArn,
    name: exec.name,
    status: exec.status,
    startDate: exec.startDate,
    stopDate: exec.stopDate,
    input: exec.input,
    output: exec.output,
    error: exec.error,
    cause: exec.cause,
  };
}
