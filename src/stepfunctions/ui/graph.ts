/**
 * The pure half of the Step Functions page: an Amazon States Language definition becomes an ELK
 * graph (JSON for the `elkjs` layered layout), and an execution's history becomes a status plus
 * input/output/error per state. No DOM and no I/O here, so the browser client and the unit tests
 * share it unchanged.
 */

/** A node in ELK's JSON graph format (the subset we produce; ELK adds `x`/`y`/`width`/`height`). */
export interface ElkNodeJson {
  id: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  labels?: ElkLabelJson[];
  layoutOptions?: Record<string, string>;
  children?: ElkNodeJson[];
  edges?: ElkEdgeJson[];
}

export interface ElkLabelJson {
  text: string;
  width?: number;
  height?: number;
  x?: number;
  y?: number;
}

export interface ElkEdgeJson {
  id: string;
  sources: string[];
  targets: string[];
  labels?: ElkLabelJson[];
  /** Set by ELK: the node whose coordinate system the sections use. */
  container?: string;
  sections?: Array<{ startPoint: Point; endPoint: Point; bendPoints?: Point[] }>;
}

export interface Point {
  x: number;
  y: number;
}

/** What a graph node stands for. */
export type GraphNodeKind = 'state' | 'branch' | 'start' | 'end';

/** Everything the renderer needs to know about a node beyond its geometry. */
export interface GraphNodeInfo {
  id: string;
  kind: GraphNodeKind;
  /** The state's name (`data-state-name`); for a branch, `Branch 1`, ...; `Start`/`End` for the markers. */
  name: string;
  /** The ASL `Type` of a state (`Task`, `Parallel`, ...). */
  type?: string;
  /** The node that contains this one (a Parallel branch, a Map state), if any. */
  parentId?: string;
  /** Whether the node holds other nodes (Parallel, Map, branches). */
  compound: boolean;
  /** The state's own ASL, for the side panel. */
  definition?: Record<string, unknown>;
}

/** Why an edge exists. `catch` edges are drawn dashed. */
export type GraphEdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'start' | 'end';

export interface GraphEdgeInfo {
  id: string;
  source: string;
  target: string;
  kind: GraphEdgeKind;
  label?: string;
}

/** An ASL definition turned into an ELK graph plus the metadata to draw it. */
export interface StateMachineGraph {
  elk: ElkNodeJson;
  nodes: Map<string, GraphNodeInfo>;
  edges: GraphEdgeInfo[];
  /** ELK node id of each state name (names are unique within a state machine in ASL). */
  idOfState: Map<string, string>;
}

export interface GraphOptions {
  /** Width in pixels of a label's text; the browser passes a canvas measurement. */
  measureText?(text: string): number;
}

const NODE_HEIGHT = 36;
const LABEL_HEIGHT = 16;
/** Room above a compound node's children for its title. */
const COMPOUND_PADDING = '[top=34,left=14,bottom=14,right=14]';

const ROOT_LAYOUT: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'DOWN',
  // One layout over the whole hierarchy so edges may leave compound nodes (Catch from a Parallel).
  'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
  'elk.layered.spacing.nodeNodeBetweenLayers': '36',
  'elk.spacing.nodeNode': '28',
  'elk.spacing.edgeLabel': '4',
  'elk.edgeRouting': 'ORTHOGONAL',
  'elk.edgeLabels.inline': 'false',
  'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
  'elk.padding': '[top=16,left=16,bottom=16,right=16]',
};

/** ~7 px per character at the page's 13 px sans-serif: used when no measurement is given. */
const estimateTextWidth = (text: string) => Math.ceil(text.length * 7.2);

/** A human-sized excerpt: graphs with 200-character labels are unreadable. */
function shorten(text: string, max = 36): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses the `definition` string DescribeStateMachine returns. Throws an Error whose message says
 * what is wrong, for the page to show.
 */
export function parseDefinition(text: string): { StartAt: string; States: Record<string, Record<string, unknown>> } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`the definition is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(parsed) || typeof parsed.StartAt !== 'string' || !isObject(parsed.States)) {
    throw new Error('the definition has no StartAt and States');
  }
  return parsed as { StartAt: string; States: Record<string, Record<string, unknown>> };
}

/** A short text for a Choice rule's edge: `$.n > 3`, `And (2 rules)`, a JSONata `Condition`. */
export function choiceRuleLabel(rule: Record<string, unknown>): string {
  if (typeof rule.Condition === 'string') return shorten(rule.Condition.replace(/^\{%\s*|\s*%\}$/g, ''), 28);
  for (const combinator of ['And', 'Or']) {
    const list = rule[combinator];
    if (Array.isArray(list)) return `${combinator} (${list.length} rules)`;
  }
  if (isObject(rule.Not)) return `Not ${choiceRuleLabel(rule.Not)}`;
  const operator = Object.keys(rule).find((key) => key !== 'Variable' && key !== 'Next' && key !== 'Assign' && key !== 'Output' && key !== 'Comment');
  if (!operator) return 'rule';
  const value = rule[operator];
  const shown = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
  return shorten(`${typeof rule.Variable === 'string' ? rule.Variable : '?'} ${operator} ${shown}`, 28);
}

/**
 * Turns a definition (object or JSON text) into an ELK graph laid out top-down: a Start and an
 * End marker, one node per state, Parallel branches and Map processors as nested (compound)
 * nodes, and edges for `Next`, Choice rules and `Default`, `Catch` (kind `catch`) and `End`.
 */
export function definitionToGraph(definitionInput: unknown, options: GraphOptions = {}): StateMachineGraph {
  const definition = typeof definitionInput === 'string' ? parseDefinition(definitionInput) : definitionInput;
  if (!isObject(definition) || typeof definition.StartAt !== 'string' || !isObject(definition.States)) {
    throw new Error('the definition has no StartAt and States');
  }
  const measure = options.measureText ?? estimateTextWidth;
  const nodes = new Map<string, GraphNodeInfo>();
  const edges: GraphEdgeInfo[] = [];
  const idOfState = new Map<string, string>();
  /** ELK node by id, to place each edge in its container's `edges`. */
  const elkById = new Map<string, ElkNodeJson>();
  const label = (text: string): ElkLabelJson => ({ text, width: measure(text) + 6, height: LABEL_HEIGHT });

  const root: ElkNodeJson = { id: 'root', layoutOptions: { ...ROOT_LAYOUT }, children: [], edges: [] };
  elkById.set(root.id, root);

  const addNode = (info: GraphNodeInfo, elk: ElkNodeJson, parent: ElkNodeJson) => {
    nodes.set(info.id, info);
    elkById.set(elk.id, elk);
    parent.children!.push(elk);
  };

  /** Lays the states of one scope (the machine, a branch, a Map processor) into `parent`. */
  const addScope = (scope: Record<string, unknown>, parent: ElkNodeJson, parentId: string | undefined, prefix: string): Array<[string, string]> => {
    const states = isObject(scope.States) ? scope.States : {};
    const localIds = new Map<string, string>();
    for (const name of Object.keys(states)) localIds.set(name, `${prefix}${name}`);
    const pending: Array<[string, string]> = [];
    const link = (source: string, targetName: unknown, kind: GraphEdgeKind, text?: string) => {
      if (typeof targetName !== 'string') return;
      const target = localIds.get(targetName);
      // A transition to a state that does not exist is a validation error; draw nothing for it.
      if (!target) return;
      edges.push({ id: `e${edges.length}`, source, target, kind, label: text });
    };
    const terminals: Array<[string, string]> = [];
    for (const [name, raw] of Object.entries(states)) {
      const state = isObject(raw) ? raw : {};
      const id = localIds.get(name)!;
      const type = typeof state.Type === 'string' ? state.Type : 'Unknown';
      if (!idOfState.has(name)) idOfState.set(name, id);
      const title = `${name}`;
      const subtitle = type;
      const width = Math.max(110, measure(title) + 36, measure(subtitle) + 36);
      if (type === 'Parallel' || type === 'Map') {
        const elk: ElkNodeJson = { id, labels: [label(title)], layoutOptions: { 'elk.padding': COMPOUND_PADDING }, children: [], edges: [] };
        addNode({ id, kind: 'state', name, type, parentId, compound: true, definition: state }, elk, parent);
        if (type === 'Parallel') {
          const branches = Array.isArray(state.Branches) ? state.Branches : [];
          branches.forEach((branch, index) => {
            const branchId = `${id}/branch${index + 1}`;
            const branchElk: ElkNodeJson = { id: branchId, labels: [label(`Branch ${index + 1}`)], layoutOptions: { 'elk.padding': COMPOUND_PADDING }, children: [], edges: [] };
            addNode({ id: branchId, kind: 'branch', name: `Branch ${index + 1}`, parentId: id, compound: true }, branchElk, elk);
            if (isObject(branch)) addScope(branch, branchElk, branchId, `${branchId}/`);
          });
        } else {
          const processor = isObject(state.ItemProcessor) ? state.ItemProcessor : isObject(state.Iterator) ? state.Iterator : undefined;
          if (processor) addScope(processor, elk, id, `${id}/`);
        }
        // Gateway choice: an empty compound node still needs a size ELK can honour.
        if (elk.children!.length === 0) {
          elk.width = width;
          elk.height = NODE_HEIGHT;
        }
      } else {
        addNode({ id, kind: 'state', name, type, parentId, compound: false, definition: state }, { id, width, height: NODE_HEIGHT + 8, labels: [{ text: title }] }, parent);
      }
      if (type === 'Choice') {
        const choices = Array.isArray(state.Choices) ? state.Choices : [];
        for (const rule of choices) if (isObject(rule)) link(id, rule.Next, 'choice', choiceRuleLabel(rule));
        link(id, state.Default, 'default', 'Default');
      } else {
        link(id, state.Next, 'next');
      }
      if (Array.isArray(state.Catch)) {
        for (const catcher of state.Catch) {
          if (!isObject(catcher)) continue;
          const errors = Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals.join(', ') : '';
          link(id, catcher.Next, 'catch', shorten(`Catch ${errors}`, 32));
        }
      }
      if (state.End === true || type === 'Succeed' || type === 'Fail') terminals.push([name, id]);
    }
    const start = typeof scope.StartAt === 'string' ? localIds.get(scope.StartAt) : undefined;
    if (start) pending.push(['start', start]);
    for (const [, id] of terminals) pending.push(['end', id]);
    return pending;
  };

  const startId = '__start__';
  const endId = '__end__';
  addNode({ id: startId, kind: 'start', name: 'Start', compound: false }, { id: startId, width: 64, height: 28 }, root);
  const pending = addScope(definition, root, undefined, 'state:');
  addNode({ id: endId, kind: 'end', name: 'End', compound: false }, { id: endId, width: 64, height: 28 }, root);
  for (const [which, id] of pending) {
    if (which === 'start') edges.push({ id: `e${edges.length}`, source: startId, target: id, kind: 'start' });
    else edges.push({ id: `e${edges.length}`, source: id, target: endId, kind: 'end' });
  }

  // ELK wants each edge in the nearest node that contains both ends.
  const ancestors = (id: string): string[] => {
    const chain: string[] = [];
    for (let at = nodes.get(id)?.parentId; at; at = nodes.get(at)?.parentId) chain.push(at);
    chain.push('root');
    return chain;
  };
  for (const edge of edges) {
    const fromSource = ancestors(edge.source);
    const targetChain = new Set(ancestors(edge.target));
    const container = fromSource.find((id) => targetChain.has(id)) ?? 'root';
    const elkEdge: ElkEdgeJson = { id: edge.id, sources: [edge.source], targets: [edge.target] };
    if (edge.label) elkEdge.labels = [label(edge.label)];
    elkById.get(container)!.edges!.push(elkEdge);
  }
  return { elk: root, nodes, edges, idOfState };
}

/** A state's colour on the graph. */
export type StateStatus = 'not-started' | 'in-progress' | 'succeeded' | 'failed' | 'caught' | 'cancelled';

/** One history event as the JSON API returns it (timestamps as epoch seconds). */
export interface HistoryEventJson {
  id: number;
  previousEventId?: number;
  type: string;
  timestamp?: number | string;
  [details: string]: unknown;
}

/** What one state did in the selected execution. The I/O is AWS's JSON text, as in the history. */
export interface StateProgress {
  name: string;
  status: StateStatus;
  /** How many times the state was entered (Map iterations and loops enter states repeatedly). */
  entered: number;
  /** Of the latest entry: when it was entered and left (epoch ms). */
  enteredAt?: number;
  exitedAt?: number;
  /** Of the latest entry. */
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  /** Every entry, oldest first (one per Map iteration, loop turn, ...). */
  entries: StateEntry[];
}

/** One entry of a state: what happened between its `…StateEntered` and its end. */
export interface StateEntry {
  status: StateStatus;
  /** The Map iteration(s) it ran in: `"2"`, or `"0/3"` inside nested Maps. */
  iteration?: string;
  enteredAt?: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';

export interface ExecutionProgress {
  /** From the history's `Execution*` events; `RUNNING` until one of them ends it. */
  status: ExecutionStatus;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
  states: Map<string, StateProgress>;
}

/** One entry of a state (a `…StateEntered` event) and what followed it. */
interface Run {
  name: string;
  kind: string;
  parent?: Run;
  status: StateStatus;
  /** A failure was recorded and nothing since said the state went on (retry) or ended (exit). */
  failed: boolean;
  iteration?: string;
  enteredAt?: number;
  exitedAt?: number;
  input?: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** A history timestamp (epoch seconds on the JSON 1.0 wire, or an ISO string) in epoch ms. */
function epochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Math.round(value * 1000);
  if (typeof value === 'string') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  return undefined;
}

/** The Fail states of a definition (every scope) by name, with their static `Error`/`Cause`. */
function failStatesOf(definition: unknown): Map<string, { Error?: unknown; Cause?: unknown }> {
  const found = new Map<string, { Error?: unknown; Cause?: unknown }>();
  let parsed = definition;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed);
    } catch {
      return found;
    }
  }
  const visit = (scope: unknown) => {
    if (!isObject(scope) || !isObject(scope.States)) return;
    for (const [name, state] of Object.entries(scope.States)) {
      if (!isObject(state)) continue;
      if (state.Type === 'Fail') found.set(name, { Error: state.Error, Cause: state.Cause });
      if (Array.isArray(state.Branches)) state.Branches.forEach(visit);
      visit(state.ItemProcessor ?? state.Iterator);
    }
  };
  visit(parsed);
  return found;
}

/** `TaskStateEntered` → `Task`; the family of other events by their prefix. */
function familyOf(type: string): string {
  if (/^(Task|LambdaFunction|Activity)/.test(type)) return 'Task';
  if (type.startsWith('Map')) return 'Map';
  const match = /^(Parallel|Wait|Choice|Pass|Succeed|Fail|Execution|Evaluation)/.exec(type);
  return match ? match[1] : '';
}

/** `TaskFailed` → `taskFailedEventDetails`: AWS names each event's details after its type. */
function detailsOf(event: HistoryEventJson): Record<string, unknown> | undefined {
  const key = `${event.type[0].toLowerCase()}${event.type.slice(1)}EventDetails`;
  const details = event[key];
  if (isObject(details)) return details;
  for (const [name, value] of Object.entries(event)) if (name.endsWith('EventDetails') && isObject(value)) return value;
  return undefined;
}

const isFailure = (type: string) => /(Failed|TimedOut)$/.test(type) && !type.startsWith('Execution') && !type.startsWith('MapIteration');
const isAbort = (type: string) => type.endsWith('Aborted') && !type.startsWith('Execution') && !type.startsWith('MapIteration');

/**
 * Folds an execution's history (all pages, ascending) into a status and the latest I/O per state.
 * Events are tied to a state by walking `previousEventId` (Parallel branches and Map iterations
 * interleave): `…StateEntered`/`…StateExited` name their state; task, Parallel and Map events
 * belong to the nearest enclosing entry of their kind; execution events to the state before them.
 * A state whose failure was followed by its exit or by another state (a `Catch`) is `caught`; one
 * still running when the execution ended is `cancelled`.
 */
export function executionProgress(events: readonly HistoryEventJson[], definition?: unknown): ExecutionProgress {
  const progress: ExecutionProgress = { status: 'RUNNING', states: new Map() };
  const failStates = failStatesOf(definition);
  const runs: Run[] = [];
  const ownerOf = new Map<number, Run | undefined>();
  const typeOf = new Map<number, string>();
  /** `index` of each MapIterationStarted event, by event id. */
  const iterationOf = new Map<number, number>();

  const fail = (run: Run, error: unknown, cause: unknown) => {
    run.failed = true;
    run.status = 'failed';
    if (typeof error === 'string') run.error = error;
    if (typeof cause === 'string') run.cause = cause;
    // A Parallel/Map failing carries no details on AWS: its error is the failed child's.
    for (let parent = run.parent; parent; parent = parent.parent) {
      if (parent.error === undefined && parent.status === 'in-progress') {
        parent.error = run.error;
        parent.cause = run.cause;
      }
    }
  };
  const settle = (run: Run | undefined) => {
    if (run && run.failed && run.status === 'failed') run.status = 'caught';
  };
  /**
   * The entry a Task/Parallel/Map/Wait event belongs to. A Parallel or Map that already ended is
   * skipped: an outer Parallel's `ParallelStateFailed` follows the inner one's.
   */
  const enclosing = (run: Run | undefined, kind: string): Run | undefined => {
    const activeOnly = kind === 'Parallel' || kind === 'Map';
    for (let at = run; at; at = at.parent) if (at.kind === kind && (!activeOnly || at.status === 'in-progress')) return at;
    return undefined;
  };

  for (const event of events) {
    const type = String(event.type);
    const details = detailsOf(event);
    const previous = event.previousEventId ? ownerOf.get(event.previousEventId) : undefined;
    const previousType = event.previousEventId ? typeOf.get(event.previousEventId) : undefined;
    typeOf.set(event.id, type);
    if (type === 'MapIterationStarted' && typeof details?.index === 'number') iterationOf.set(event.id, details.index);
    if (type.endsWith('StateEntered')) {
      const name = typeof details?.name === 'string' ? details.name : '?';
      // The first state of a branch or iteration follows its container's `…Started` event (or
      // any event of a Parallel/Map still running: a container never runs beside its successor).
      const opensScope =
        (previousType !== undefined && /^(ParallelStateStarted|MapStateStarted|MapIterationStarted)$/.test(previousType)) ||
        (previous !== undefined && (previous.kind === 'Parallel' || previous.kind === 'Map') && previous.status === 'in-progress');
      const parent = opensScope ? previous : previous?.parent;
      if (!opensScope && previous && previous.name !== name) settle(previous);
      const run: Run = { name, kind: type.slice(0, -'StateEntered'.length), parent, status: 'in-progress', failed: false };
      // Which Map iteration: opened by a MapIterationStarted, else the same as the state before
      // (a sibling) or as the container (a Parallel branch inside an iteration).
      const index = previousType === 'MapIterationStarted' && event.previousEventId ? iterationOf.get(event.previousEventId) : undefined;
      if (index !== undefined) run.iteration = parent?.iteration !== undefined ? `${parent.iteration}/${index}` : String(index);
      else run.iteration = opensScope ? parent?.iteration : (previous?.iteration ?? parent?.iteration);
      if (typeof details?.input === 'string') run.input = details.input;
      run.enteredAt = epochMs(event.timestamp);
      runs.push(run);
      ownerOf.set(event.id, run);
      if (type === 'FailStateEntered') {
        // A Fail state inside a Parallel or Map records no error event: its static Error/Cause say it.
        const declared = failStates.get(name);
        fail(run, declared?.Error, declared?.Cause);
      }
      continue;
    }
    if (type.endsWith('StateExited')) {
      const name = typeof details?.name === 'string' ? details.name : undefined;
      let run = previous;
      while (run && name !== undefined && run.name !== name) run = run.parent;
      run ??= previous;
      if (run) {
        if (typeof details?.output === 'string') run.output = details.output;
        run.status = run.failed ? 'caught' : 'succeeded';
        run.exitedAt = epochMs(event.timestamp);
      }
      ownerOf.set(event.id, run);
      continue;
    }
    const family = familyOf(type);
    if (family === 'Execution') {
      ownerOf.set(event.id, previous);
      if (type === 'ExecutionStarted' && typeof details?.input === 'string') progress.input = details.input;
      if (type === 'ExecutionSucceeded') {
        progress.status = 'SUCCEEDED';
        if (typeof details?.output === 'string') progress.output = details.output;
      }
      if (type === 'ExecutionFailed' || type === 'ExecutionTimedOut' || type === 'ExecutionAborted') {
        progress.status = type === 'ExecutionFailed' ? 'FAILED' : type === 'ExecutionTimedOut' ? 'TIMED_OUT' : 'ABORTED';
        if (typeof details?.error === 'string') progress.error = details.error;
        if (typeof details?.cause === 'string') progress.cause = details.cause;
        // The state that was running when the execution failed is the one that failed it.
        if (type !== 'ExecutionAborted' && previous && previous.status === 'in-progress') fail(previous, details?.error, details?.cause);
        if (previous && previous.status === 'failed') {
          previous.error ??= typeof details?.error === 'string' ? details.error : undefined;
          previous.cause ??= typeof details?.cause === 'string' ? details.cause : undefined;
        }
      }
      continue;
    }
    const owner = (family === 'Task' || family === 'Parallel' || family === 'Map' || family === 'Wait' ? enclosing(previous, family) : undefined) ?? previous;
    ownerOf.set(event.id, owner);
    if (!owner) continue;
    if (isFailure(type)) fail(owner, details?.error, details?.cause);
    // An abort after the state's own failure (a sibling iteration failed the Map) keeps `failed`.
    else if (isAbort(type)) {
      if (owner.status === 'in-progress') owner.status = 'cancelled';
    }
    else if (owner.failed && owner.status === 'failed' && family === 'Task' && /(Scheduled|Started|Submitted)$/.test(type)) {
      // Retried: the failure was not the end of the state.
      owner.failed = false;
      owner.status = 'in-progress';
      owner.error = undefined;
      owner.cause = undefined;
    }
  }

  const ended = progress.status !== 'RUNNING';
  const rank: Record<StateStatus, number> = { 'in-progress': 5, failed: 4, cancelled: 3, caught: 2, succeeded: 1, 'not-started': 0 };
  for (const run of runs) {
    if (ended && run.status === 'in-progress') run.status = progress.status === 'SUCCEEDED' ? 'succeeded' : 'cancelled';
    const seen = progress.states.get(run.name);
    const entry: StateProgress = seen ?? { name: run.name, status: run.status, entered: 0, entries: [] };
    entry.entries.push({
      status: run.status,
      iteration: run.iteration,
      enteredAt: run.enteredAt,
      exitedAt: run.exitedAt,
      input: run.input,
      output: run.output,
      error: run.error,
      cause: run.cause,
    });
    entry.entered += 1;
    if (rank[run.status] >= rank[entry.status]) entry.status = run.status;
    // The latest entry's data wins; an earlier entry's error stays visible if the latest has none.
    entry.enteredAt = run.enteredAt;
    entry.exitedAt = run.exitedAt;
    if (run.input !== undefined) entry.input = run.input;
    if (run.output !== undefined) entry.output = run.output;
    if (run.error !== undefined) entry.error = run.error;
    if (run.cause !== undefined) entry.cause = run.cause;
    progress.states.set(run.name, entry);
  }
  return progress;
}

/** Pretty-prints JSON text from the history (`"{\"a\":1}"`); text that is not JSON is returned as is. */
export function formatJsonText(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** The error name of a JSON 1.0 error body (`com.amazonaws.states#ExecutionDoesNotExist` → `ExecutionDoesNotExist`). */
export function apiErrorName(body: unknown, status: number): string {
  const raw = isObject(body) ? (body.__type ?? body.code ?? body.Code) : undefined;
  if (typeof raw === 'string' && raw) return raw.slice(raw.lastIndexOf('#') + 1).split(':')[0];
  return `HTTP ${status}`;
}

/** The message of a JSON 1.0 error body (AWS spells it `message` or `Message`). */
export function apiErrorMessage(body: unknown, fallback: string): string {
  if (isObject(body)) {
    const message = body.message ?? body.Message;
    if (typeof message === 'string') return message;
  }
  return fallback;
}
