/**
 * The pure half of the Step Functions page: an Amazon States Language definition becomes an ELK
 * graph (JSON for the `elkjs` layered layout); with `progress.ts` (re-exported here), an
 * execution's history becomes a status plus input/output/error per state. No DOM and no I/O, so
 * the browser client and the unit tests share it unchanged.
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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

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
  const shown = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
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
            const branchElk: ElkNodeJson = {
              id: branchId,
              labels: [label(`Branch ${index + 1}`)],
              layoutOptions: { 'elk.padding': COMPOUND_PADDING },
              children: [],
              edges: [],
            };
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
        addNode(
          { id, kind: 'state', name, type, parentId, compound: false, definition: state },
          { id, width, height: NODE_HEIGHT + 8, labels: [{ text: title }] },
          parent,
        );
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

// The history half lives in progress.ts; re-exported so `graph.ts` stays the page's one pure door.
export * from './progress.js';
