/**
 * Browser side: the page's side panel. For a state: its entries (one per Map iteration or loop
 * turn), timing, error and cause, input and output, and its ASL. For the Start/End markers: the
 * execution's input, and its output or error.
 */
import type { ExecutionDescription } from './api.js';
import { formatJsonText, waitEndsAt, type GraphNodeInfo, type StateProgress } from './graph.js';

/** A DOM element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  element.append(...children);
  return element;
}

function section(title: string, field: string, text: string, className = ''): Node[] {
  return [h('h3', {}, title), h('pre', { 'data-field': field, class: className }, text)];
}

function closeButton(onClose: () => void): HTMLButtonElement {
  const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close' }, '×');
  close.addEventListener('click', onClose);
  return close;
}

/** What the state panel last drew, so a poll that changed nothing redraws nothing. */
let drawn = '';

function show(panel: HTMLElement, selected: string, status: string, children: Node[]): void {
  panel.dataset.selectedState = selected;
  panel.dataset.status = status;
  panel.replaceChildren(...children);
  panel.hidden = false;
}

export function hidePanel(panel: HTMLElement): void {
  drawn = '';
  panel.hidden = true;
  panel.replaceChildren();
}

/** The panel of the Start (`#start`) or End (`#end`) marker. */
export function renderExecutionPanel(
  panel: HTMLElement,
  which: '#start' | '#end',
  execution: ExecutionDescription | undefined,
  historyInput: string | undefined,
  onClose: () => void,
): void {
  drawn = '';
  const status = execution?.status ?? 'not-started';
  const children: Node[] = [closeButton(onClose), h('h2', {}, which === '#start' ? 'Execution input' : 'Execution result')];
  if (!execution) {
    children.push(h('p', { class: 'empty' }, 'Select an execution to see its input and output.'));
  } else {
    children.push(h('div', { class: 'meta' }, `${execution.name} · ${status}`));
    if (which === '#start') children.push(...section('Input', 'input', formatJsonText(execution.input ?? historyInput)));
    else if (execution.error !== undefined || execution.cause !== undefined) {
      children.push(...section('Error', 'error', execution.error ?? '', 'error'));
      if (execution.cause !== undefined) children.push(...section('Cause', 'cause', formatJsonText(execution.cause), 'error'));
    } else if (execution.output !== undefined) children.push(...section('Output', 'output', formatJsonText(execution.output)));
    else children.push(h('p', { class: 'empty' }, status === 'RUNNING' ? 'The execution is still running.' : 'No output.'));
  }
  show(panel, which, status, children);
}

export interface StatePanelInput {
  info: GraphNodeInfo;
  progress: StateProgress | undefined;
  /** The entry the user picked; undefined: the one that gives the state its colour. */
  entryIndex: number | undefined;
  hasExecution: boolean;
  onClose(): void;
  onPickEntry(index: number): void;
}

/** The panel of one state. */
export function renderStatePanel(panel: HTMLElement, input: StatePanelInput): void {
  const { info, progress } = input;
  const name = info.name;
  const status = progress?.status ?? 'not-started';
  const entries = progress?.entries ?? [];
  // By default the entry that gives the state its colour: the running one, the failed one, else the latest.
  let index = input.entryIndex ?? -1;
  if (index < 0 || index >= entries.length) {
    index = entries.length - 1;
    for (let i = entries.length - 1; i >= 0; i--) {
      if (entries[i].status === status) {
        index = i;
        break;
      }
    }
  }
  const entry = entries[index];
  // Unchanged content is not redrawn: a poll must not close the entry list or drop a text selection.
  const signature = JSON.stringify([name, status, index, entries, input.hasExecution, info.definition]);
  if (signature === drawn && !panel.hidden) return;
  drawn = signature;

  const children: Node[] = [closeButton(input.onClose), h('h2', {}, name), h('div', { class: 'meta' }, `${info.type} · ${status.replace('-', ' ')}`)];
  if (entries.length > 1) {
    const select = h('select', { id: 'entry-select', 'data-field': 'entry', 'aria-label': 'Entry' });
    entries.forEach((item, i) => {
      const iteration = item.iteration !== undefined ? ` · iteration ${item.iteration}` : '';
      const label = `#${i + 1} of ${entries.length}${iteration} · ${item.status.replace('-', ' ')}`;
      select.append(h('option', { value: String(i), ...(i === index ? { selected: '' } : {}) }, label));
    });
    select.addEventListener('change', () => input.onPickEntry(Number(select.value)));
    children.push(h('div', { class: 'entries' }, `Entered ${entries.length} times: `, select));
  }
  if (entry?.enteredAt !== undefined) {
    const entered = new Date(entry.enteredAt);
    const took = entry.exitedAt !== undefined ? ` · took ${((entry.exitedAt - entry.enteredAt) / 1000).toFixed(3)} s` : '';
    children.push(
      h(
        'div',
        { class: 'meta', 'data-field': 'timing' },
        `entered ${entered.toLocaleTimeString()}.${String(entered.getMilliseconds()).padStart(3, '0')}${took}`,
      ),
    );
  }
  if (entry && info.type === 'Wait') {
    const ends = waitEndsAt(info.definition as Record<string, unknown> | undefined, entry.enteredAt, entry.input);
    if (ends !== undefined) {
      const when = new Date(ends);
      const text = Number.isNaN(when.getTime()) ? String(ends) : `${when.toLocaleString()} (${when.toISOString()})`;
      children.push(h('div', { class: 'meta', 'data-field': 'wait-until' }, `${entry.status === 'in-progress' ? 'waits until' : 'waited until'} ${text}`));
    }
  }
  if (entry?.error !== undefined || entry?.cause !== undefined) {
    children.push(...section('Error', 'error', entry.error ?? '', 'error'));
    if (entry.cause !== undefined) children.push(...section('Cause', 'cause', formatJsonText(entry.cause), 'error'));
  }
  if (!input.hasExecution) {
    children.push(h('p', { class: 'empty' }, 'Select an execution to see this state’s input and output.'));
  } else if (!entry) {
    children.push(h('p', { class: 'empty', 'data-field': 'not-entered' }, 'This state has not been entered in this execution.'));
  } else {
    children.push(...section('Input', 'input', entry.input !== undefined ? formatJsonText(entry.input) : '—'));
    children.push(
      ...section('Output', 'output', entry.output !== undefined ? formatJsonText(entry.output) : entry.status === 'in-progress' ? '(still running)' : '—'),
    );
  }
  children.push(...section('Definition', 'definition', JSON.stringify(info.definition ?? {}, null, 2)));
  show(panel, name, status, children);
}
