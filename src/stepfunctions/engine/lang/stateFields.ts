/**
 * Which fields each state type accepts, and which belong to only one query language
 * (Amazon States Language specification, "State Types" and "JSONata"/"JSONPath" field tables).
 */

export const STATE_TYPES = ['Task', 'Pass', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'] as const;

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const FLOW = ['Next', 'End'];
const IO = ['InputPath', 'OutputPath'];
const RESULT = ['ResultPath', 'ResultSelector'];
const ERRORS = ['Retry', 'Catch'];

/** The fields each state type accepts (either query language). */
export const ALLOWED_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  Pass: new Set([...COMMON, ...FLOW, ...IO, 'Parameters', 'ResultPath', 'Result', 'Assign', 'Output']),
  Task: new Set([
    ...COMMON,
    ...FLOW,
    ...IO,
    ...RESULT,
    ...ERRORS,
    'Resource',
    'Parameters',
    'Arguments',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Credentials',
    'Assign',
    'Output',
  ]),
  Choice: new Set([...COMMON, ...IO, 'Choices', 'Default', 'Assign', 'Output']),
  Wait: new Set([...COMMON, ...FLOW, ...IO, 'Seconds', 'Timestamp', 'SecondsPath', 'TimestampPath', 'Assign', 'Output']),
  Succeed: new Set([...COMMON, ...IO, 'Output']),
  Fail: new Set([...COMMON, 'Error', 'Cause', 'ErrorPath', 'CausePath']),
  Parallel: new Set([...COMMON, ...FLOW, ...IO, ...RESULT, ...ERRORS, 'Branches', 'Parameters', 'Arguments', 'Assign', 'Output']),
  Map: new Set([
    ...COMMON,
    ...FLOW,
    ...IO,
    ...RESULT,
    ...ERRORS,
    'ItemProcessor',
    'Iterator',
    'ItemsPath',
    'Items',
    'ItemSelector',
    'Parameters',
    'ItemReader',
    'ItemBatcher',
    'ResultWriter',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'ToleratedFailurePercentage',
    'ToleratedFailurePercentagePath',
    'ToleratedFailureCount',
    'ToleratedFailureCountPath',
    'Label',
    'Assign',
    'Output',
  ]),
};

/** Fields only JSONPath states accept. */
export const JSONPATH_ONLY_FIELDS = [
  'InputPath',
  'OutputPath',
  'ResultPath',
  'ResultSelector',
  'Parameters',
  'Result',
  'ItemsPath',
  'MaxConcurrencyPath',
  'ErrorPath',
  'CausePath',
  'SecondsPath',
  'TimestampPath',
  'TimeoutSecondsPath',
  'HeartbeatSecondsPath',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCountPath',
];

/** Fields only JSONata states accept. */
export const JSONATA_ONLY_FIELDS = ['Output', 'Arguments', 'Items'];

/** Top-level fields of a definition (and of a Parallel branch / Map processor). */
export const TOP_LEVEL_FIELDS = new Set(['Comment', 'StartAt', 'States', 'Version', 'TimeoutSeconds', 'QueryLanguage']);
export const SUB_WORKFLOW_FIELDS = new Set(['Comment', 'StartAt', 'States', 'ProcessorConfig']);

/** Fields of a JSONata state whose `{% %}` strings AWS parses (payload-like or numeric fields). */
export const JSONATA_FIELDS = [
  'Output',
  'Assign',
  'Arguments',
  'Items',
  'ItemSelector',
  'Seconds',
  'Timestamp',
  'TimeoutSeconds',
  'HeartbeatSeconds',
  'MaxConcurrency',
  'ToleratedFailurePercentage',
  'ToleratedFailureCount',
  'Error',
  'Cause',
  'ItemBatcher',
  'ItemReader',
  'ResultWriter',
];
