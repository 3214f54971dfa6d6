/**
 * Browser side: draws a laid-out ELK graph (see graph.ts) as SVG. Nodes are drawn flat in absolute
 * coordinates (containers first, then edges, then states) so that a click lands on one state only.
 * Each state's group carries `data-state-name`, `data-state-type` and `data-status`.
 */
import type { ElkEdgeJson, ElkNodeJson, GraphNodeInfo, StateMachineGraph, StateProgress, StateStatus } from './graph.js';

const SVG = 'http://www.w3.org/2000/svg';

export interface RenderedGraph {
  svg: SVGSVGElement;
  /** The group of each state, by state name. */
  states: Map<string, SVGGElement>;
  start?: SVGGElement;
  end?: SVGGElement;
}

function el<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number> = {}, parent?: Element): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  parent?.appendChild(element);
  return element;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function arrowMarker(defs: SVGDefsElement, id: string): void {
  const marker = el('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, defs);
  el('path', { d: 'M 0 0 L 10 5 L 0 10 z' }, marker);
}

/**
 * Builds the SVG for a graph ELK has laid out. `onSelect` is called with a state name when a state
 * is clicked (or activated with Enter/Space), with `#start`/`#end` for the markers.
 */
export function renderGraph(laid: ElkNodeJson, graph: StateMachineGraph, onSelect: (stateName: string) => void): RenderedGraph {
  const width = Math.ceil(laid.width ?? 0);
  const height = Math.ceil(laid.height ?? 0);
  const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': 'State machine graph: each state is a button' });
  const defs = el('defs', {}, svg);
  arrowMarker(defs, 'arrow');
  arrowMarker(defs, 'arrow-catch');
  const containersLayer = el('g', { class: 'containers' }, svg);
  const edgesLayer = el('g', { class: 'edges' }, svg);
  const nodesLayer = el('g', { class: 'nodes' }, svg);

  const absolute = new Map<string, Box>([['root', { x: 0, y: 0, width, height }]]);
  const allEdges: ElkEdgeJson[] = [];
  const rendered: RenderedGraph = { svg, states: new Map() };

  const drawNode = (node: ElkNodeJson, box: Box, info: GraphNodeInfo) => {
    const layer = info.compound ? containersLayer : nodesLayer;
    const group = el('g', { class: `node ${info.kind}`, transform: `translate(${box.x},${box.y})` }, layer);
    el('rect', { width: box.width, height: box.height, rx: info.kind === 'start' || info.kind === 'end' ? box.height / 2 : 6 }, group);
    if (info.kind === 'state') {
      group.classList.add(`type-${info.type ?? 'Unknown'}`);
      if (info.compound) group.classList.add('compound');
      group.dataset.stateName = info.name;
      group.dataset.stateType = info.type ?? '';
      group.dataset.status = 'not-started';
      group.setAttribute('tabindex', '0');
      group.setAttribute('role', 'button');
      group.setAttribute('aria-label', `${info.name} (${info.type})`);
      if (info.compound) {
        const title = el('text', { x: 10, y: 20 }, group);
        title.textContent = info.name;
        const type = el('text', { x: box.width - 10, y: 20, 'text-anchor': 'end', class: 'type' }, group);
        type.textContent = info.type ?? '';
      } else {
        const title = el('text', { x: box.width / 2, y: 19, 'text-anchor': 'middle' }, group);
        title.textContent = info.name;
        const type = el('text', { x: box.width / 2, y: 35, 'text-anchor': 'middle', class: 'type' }, group);
        type.textContent = info.type ?? '';
      }
      const select = (event: Event) => {
        event.stopPropagation();
        onSelect(info.name);
      };
      group.addEventListener('click', select);
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          select(event);
        }
      });
      rendered.states.set(info.name, group);
    } else if (info.kind === 'branch') {
      group.dataset.branch = info.name;
      const title = el('text', { x: 8, y: 16 }, group);
      title.textContent = info.name;
    } else {
      group.classList.add('marker');
      group.dataset.marker = info.kind;
      const title = el('text', { x: box.width / 2, y: box.height / 2 + 4, 'text-anchor': 'middle' }, group);
      title.textContent = info.name;
      if (info.kind === 'start') rendered.start = group;
      else rendered.end = group;
      // Start and End open the execution's input and output.
      const marker = `#${info.kind}`;
      group.setAttribute('tabindex', '0');
      group.setAttribute('role', 'button');
      group.setAttribute('aria-label', info.kind === 'start' ? 'Execution input' : 'Execution output');
      group.addEventListener('click', () => onSelect(marker));
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onSelect(marker);
        }
      });
    }
    void node;
  };

  const walk = (node: ElkNodeJson, origin: Box) => {
    for (const edge of node.edges ?? []) allEdges.push(edge);
    for (const child of node.children ?? []) {
      const box = { x: origin.x + (child.x ?? 0), y: origin.y + (child.y ?? 0), width: child.width ?? 0, height: child.height ?? 0 };
      absolute.set(child.id, box);
      const info = graph.nodes.get(child.id);
      if (info) drawNode(child, box, info);
      walk(child, box);
    }
  };
  walk(laid, absolute.get('root')!);

  const kindOf = new Map(graph.edges.map((edge) => [edge.id, edge.kind]));
  const containerOf = new Map<string, string>();
  const note = (node: ElkNodeJson) => {
    for (const edge of node.edges ?? []) containerOf.set(edge.id, node.id);
    for (const child of node.children ?? []) note(child);
  };
  note(laid);
  for (const edge of allEdges) {
    // ELK gives edge coordinates relative to the edge's container (the node whose `edges` hold it).
    const origin = absolute.get(edge.container ?? containerOf.get(edge.id) ?? 'root') ?? absolute.get('root')!;
    const kind = kindOf.get(edge.id) ?? 'next';
    for (const section of edge.sections ?? []) {
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${origin.x + p.x} ${origin.y + p.y}`).join(' ');
      const path = el('path', { d, class: `edge ${kind}`, 'marker-end': `url(#${kind === 'catch' ? 'arrow-catch' : 'arrow'})` }, edgesLayer);
      path.dataset.edgeKind = kind;
      path.dataset.from = graph.nodes.get(edge.sources[0])?.name ?? '';
      path.dataset.to = graph.nodes.get(edge.targets[0])?.name ?? '';
    }
    for (const label of edge.labels ?? []) {
      const text = el('text', { x: origin.x + (label.x ?? 0) + 3, y: origin.y + (label.y ?? 0) + 12, class: `edge-label ${kind}` }, edgesLayer);
      text.textContent = label.text;
    }
  }
  return rendered;
}

/** Sets each state's `data-status` (and Start/End's) from an execution's progress, or clears them. */
export function applyProgress(rendered: RenderedGraph, states: Map<string, StateProgress> | undefined, executionStatus: string | undefined): void {
  for (const [name, group] of rendered.states) {
    const progress = states?.get(name);
    const status: StateStatus = progress?.status ?? 'not-started';
    if (group.dataset.status !== status) group.dataset.status = status;
    group.dataset.entered = String(progress?.entered ?? 0);
    group.setAttribute('aria-label', `${name} (${group.dataset.stateType}): ${status.replace('-', ' ')}`);
  }
  const startStatus = executionStatus ? 'succeeded' : 'not-started';
  const endStatus =
    executionStatus === 'SUCCEEDED'
      ? 'succeeded'
      : executionStatus === 'FAILED' || executionStatus === 'TIMED_OUT'
        ? 'failed'
        : executionStatus === 'ABORTED'
          ? 'cancelled'
          : 'not-started';
  if (rendered.start) rendered.start.dataset.status = startStatus;
  if (rendered.end) rendered.end.dataset.status = endStatus;
}
