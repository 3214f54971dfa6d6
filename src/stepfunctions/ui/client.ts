/**
 * Browser side, the page's entry point (bundled by esbuild into `/stepfunctions/console.js`).
 * Lists state machines and their executions, draws the selected machine with ELK, colours it by
 * the selected execution's history and polls every 500 ms while that execution runs. The
 * selection lives in the URL hash (`#machine=<arn>&execution=<arn>&state=<name>`) so a view can
 * be linked; without an execution in the hash the newest one is shown and followed.
 */
import {
  ApiError,
  callSfn,
  formatTimestamp,
  getExecutionHistorySince,
  listExecutions,
  listLoggedExecutions,
  listStateMachines,
  type LoggedExecution,
  type ExecutionDescription,
  type ExecutionItem,
  type StateMachineDescription,
  type StateMachineItem,
} from './api.js';
import { definitionToGraph, executionProgress, type ElkNodeJson, type ExecutionProgress, type HistoryEventJson, type StateMachineGraph } from './graph.js';
import { h, hidePanel, renderExecutionPanel, renderStatePanel } from './details.js';
import { applyProgress, renderGraph, type RenderedGraph } from './render.js';
import { hasCredentials, isAuthError, loadCredentials, saveCredentials } from './sign.js';

declare const ELK: new () => { layout(graph: unknown): Promise<unknown> };

const RUNNING_POLL_MS = 500;
const EXECUTIONS_POLL_MS = 1000;
const MACHINES_POLL_MS = 5000;

interface Selection {
  machine?: string;
  execution?: string;
  state?: string;
}

const view = {
  machines: [] as StateMachineItem[],
  machinesLoaded: false,
  executions: [] as ExecutionItem[],
  machine: undefined as (StateMachineDescription & { graph?: StateMachineGraph; rendered?: RenderedGraph; problem?: string }) | undefined,
  execution: undefined as ExecutionDescription | undefined,
  progress: undefined as ExecutionProgress | undefined,
  /** The selected execution's history so far (polls fetch only what follows it). */
  events: [] as HistoryEventJson[],
  selection: {} as Selection,
  /** The entry of the selected state shown in the panel (Map iterations); undefined: the default. */
  entryIndex: undefined as number | undefined,
  /** The newest execution is followed while no execution is named in the hash. */
  followLatest: true,
  errors: new Map<string, string>(),
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

// --- selection in the URL hash -----------------------------------------------------------------

function readHash(): Selection {
  const params = new URLSearchParams(location.hash.slice(1));
  return { machine: params.get('machine') ?? undefined, execution: params.get('execution') ?? undefined, state: params.get('state') ?? undefined };
}

function writeHash(selection: Selection): void {
  const params = new URLSearchParams();
  if (selection.machine) params.set('machine', selection.machine);
  if (selection.execution && !view.followLatest) params.set('execution', selection.execution);
  if (selection.state) params.set('state', selection.state);
  const hash = `#${params.toString()}`;
  if (location.hash !== hash) history.replaceState(null, '', hash === '#' ? location.pathname : hash);
}

// --- errors --------------------------------------------------------------------------------------

function setError(key: string, error: unknown): void {
  if (error instanceof ApiError && isAuthError(error.type)) {
    // The gateway verifies SigV4 (AWS_IAM in its config): offer the credentials form.
    ($('credentials-panel') as HTMLDetailsElement).open = true;
  }
  const message =
    error instanceof ApiError ? `${error.action} failed — ${error.type}: ${error.detail}` : String(error instanceof Error ? error.message : error);
  if (view.errors.get(key) === message) return;
  view.errors.set(key, message);
  renderErrors();
}

function clearError(key: string): void {
  if (view.errors.delete(key)) renderErrors();
}

function renderErrors(): void {
  const box = $('errors');
  box.replaceChildren(...[...view.errors.values()].map((message) => h('p', {}, message)));
}

// --- state machines --------------------------------------------------------------------------------

let machinesSignature = '';
async function refreshMachines(): Promise<void> {
  try {
    view.machines = await listStateMachines();
    view.machinesLoaded = true;
    clearError('machines');
  } catch (error) {
    setError('machines', error);
    if (!view.machinesLoaded) {
      machinesSignature = '';
      $('machines').replaceChildren(h('li', { class: 'empty' }, 'Could not list state machines (see the error above).'));
    }
    return;
  }
  const signature = JSON.stringify([view.machines, view.selection.machine]);
  if (signature !== machinesSignature) {
    machinesSignature = signature;
    renderMachines();
  }
  // Nothing chosen yet: open the first machine so the page shows something useful at once.
  if (!view.selection.machine && view.machines.length > 0) selectMachine(view.machines[0].stateMachineArn);
}

function renderMachines(): void {
  const list = $('machines');
  if (view.machines.length === 0) {
    list.replaceChildren(
      h(
        'li',
        { class: 'empty' },
        'No state machines. Declare them under stepFunctions.stateMachines in the gateway config, or create one with CreateStateMachine.',
      ),
    );
    return;
  }
  list.replaceChildren(
    ...view.machines.map((machine) => {
      const button = h(
        'button',
        {
          type: 'button',
          'data-machine-arn': machine.stateMachineArn,
          'data-machine-name': machine.name,
          'aria-current': String(machine.stateMachineArn === view.selection.machine),
        },
        h('span', { class: 'name' }, machine.name),
        h('span', { class: 'meta' }, machine.type ?? 'STANDARD'),
      );
      button.addEventListener('click', () => selectMachine(machine.stateMachineArn));
      return h('li', {}, button);
    }),
  );
}

function selectMachine(arn: string): void {
  if (view.selection.machine === arn) return;
  view.selection = { machine: arn };
  view.followLatest = true;
  view.machine = undefined;
  view.executions = [];
  view.execution = undefined;
  view.progress = undefined;
  view.events = [];
  executionsSignature = '';
  writeHash(view.selection);
  renderMachines();
  renderDetails();
  void loadMachine(arn);
}

let layoutToken = 0;
async function loadMachine(arn: string): Promise<void> {
  const token = ++layoutToken;
  // A redraw of the machine on screen keeps the old graph until the new one is laid out.
  if (view.machine?.stateMachineArn !== arn) $('graph').replaceChildren(h('p', { class: 'empty' }, 'Loading the state machine…'));
  renderSummary();
  let described: StateMachineDescription;
  try {
    described = await callSfn<StateMachineDescription>('DescribeStateMachine', { stateMachineArn: arn });
    clearError('machine');
  } catch (error) {
    if (token !== layoutToken) return;
    setError('machine', error);
    $('graph').replaceChildren(h('p', { class: 'empty' }, 'The state machine could not be loaded.'));
    return;
  }
  if (token !== layoutToken) return;
  view.machine = described;
  renderSummary();
  try {
    const graph = definitionToGraph(described.definition, { measureText });
    const laid = (await new ELK().layout(graph.elk)) as ElkNodeJson;
    if (token !== layoutToken) return;
    const rendered = renderGraph(laid, graph, selectState);
    view.machine.graph = graph;
    view.machine.rendered = rendered;
    $('graph').replaceChildren(rendered.svg);
  } catch (error) {
    if (token !== layoutToken) return;
    view.machine.problem = `The definition could not be drawn: ${error instanceof Error ? error.message : String(error)}`;
    $('graph').replaceChildren(h('p', { class: 'empty' }, view.machine.problem));
  }
  // The progress may have been folded before the definition (and its Fail states) arrived.
  lastHistoryLength = -1;
  if (view.selection.execution) await refreshExecution();
  applyStatuses();
  renderDetails();
  await refreshExecutions();
}

/** Redraws the selected machine when its definition changed (UpdateStateMachine, a `--watch` reload). */
async function checkDefinition(): Promise<void> {
  const machine = view.machine;
  if (!machine || (!machine.rendered && !machine.problem)) return;
  try {
    const described = await callSfn<StateMachineDescription>('DescribeStateMachine', { stateMachineArn: machine.stateMachineArn });
    clearError('machine');
    if (view.machine === machine && described.definition !== machine.definition) await loadMachine(machine.stateMachineArn);
  } catch (error) {
    if (view.machine === machine) setError('machine', error);
  }
}

let canvas: CanvasRenderingContext2D | null | undefined;
function measureText(text: string): number {
  canvas ??= document.createElement('canvas').getContext('2d');
  if (!canvas) return text.length * 7.2;
  canvas.font = '13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  return Math.ceil(canvas.measureText(text).width);
}

// --- executions --------------------------------------------------------------------------------------

let executionsSignature = '';
/** An Express machine's runs read from its execution log, by ARN (they have no DescribeExecution). */
let loggedRuns = new Map<string, LoggedExecution>();
async function refreshExecutions(): Promise<void> {
  const machine = view.machine;
  if (!machine) return;
  let executions: ExecutionItem[];
  try {
    if (machine.type === 'EXPRESS') {
      const runs = await listLoggedExecutions(machine.stateMachineArn);
      loggedRuns = new Map(runs.map((run) => [run.executionArn, run]));
      executions = runs.map(({ events: _events, ...item }) => item);
    } else executions = await listExecutions(machine.stateMachineArn);
    clearError('executions');
  } catch (error) {
    setError('executions', error);
    return;
  }
  if (view.machine !== machine) return;
  if (machine.type === 'EXPRESS' && executions.length === 0) {
    view.executions = [];
    $('executions').replaceChildren(
      h(
        'li',
        { class: 'empty' },
        'Express state machines keep no execution history (as on AWS). Give this one a loggingConfiguration (level ALL) ' +
          'and its runs are listed here from its execution log.',
      ),
    );
    return;
  }
  // A logged run only changes when the log is read again: redraw the selected one from it.
  if (machine.type === 'EXPRESS' && view.selection.execution && loggedRuns.has(view.selection.execution)) void refreshExecution();
  view.executions = executions;
  const wanted = view.followLatest ? executions[0]?.executionArn : view.selection.execution;
  if (wanted && wanted !== view.selection.execution) selectExecution(wanted, view.followLatest);
  const signature = JSON.stringify([executions, view.selection.execution]);
  if (signature !== executionsSignature) {
    executionsSignature = signature;
    renderExecutions();
  }
}

function renderExecutions(): void {
  const list = $('executions');
  if (view.executions.length === 0) {
    list.replaceChildren(h('li', { class: 'empty' }, 'No executions yet. Start one above or with StartExecution.'));
    return;
  }
  list.replaceChildren(
    ...view.executions.map((execution) => {
      const button = h(
        'button',
        {
          type: 'button',
          'data-execution-arn': execution.executionArn,
          'data-execution-name': execution.name,
          'data-status': execution.status,
          'aria-current': String(execution.executionArn === view.selection.execution),
        },
        h('span', { class: 'name' }, execution.name),
        h(
          'span',
          { class: 'meta' },
          h('span', { class: 'badge', 'data-status': execution.status }, execution.status),
          ` ${formatTimestamp(execution.startDate)}`,
        ),
      );
      button.addEventListener('click', () => selectExecution(execution.executionArn, false));
      return h('li', {}, button);
    }),
  );
}

function selectExecution(arn: string, follow: boolean): void {
  view.followLatest = follow;
  if (view.selection.execution !== arn) {
    view.selection = { machine: view.selection.machine, execution: arn, state: view.selection.state };
    view.execution = undefined;
    view.progress = undefined;
    view.events = [];
    view.entryIndex = undefined;
    lastHistoryLength = -1;
  }
  writeHash(view.selection);
  executionsSignature = '';
  renderExecutions();
  void refreshExecution();
}

let lastHistoryLength = -1;
let executionInFlight = false;
async function refreshExecution(): Promise<void> {
  const arn = view.selection.execution;
  if (!arn || executionInFlight) return;
  executionInFlight = true;
  try {
    // Status first, history second: a history read after the status is never older than it, so
    // polling cannot stop on a final status with a history that lacks the final events.
    // An Express run is read from the execution log (refreshExecutions), not from the API.
    const logged = view.machine?.type === 'EXPRESS' ? loggedRuns.get(arn) : undefined;
    if (view.machine?.type === 'EXPRESS' && !logged) return;
    const described = logged ?? (await callSfn<ExecutionDescription>('DescribeExecution', { executionArn: arn }));
    const events = logged ? logged.events : await getExecutionHistorySince(arn, view.events);
    if (view.selection.execution !== arn) return;
    view.events = events;
    clearError('execution');
    view.execution = described;
    // The history only grows: an unchanged length means nothing to redraw.
    if (events.length !== lastHistoryLength || !view.progress) {
      lastHistoryLength = events.length;
      view.progress = executionProgress(events, view.machine?.definition);
      applyStatuses();
      renderDetails();
    }
    renderSummary();
    if (view.selection.state === '#start' || view.selection.state === '#end') renderDetails();
    const listed = view.executions.find((execution) => execution.executionArn === arn);
    if (listed && listed.status !== described.status) {
      listed.status = described.status;
      executionsSignature = '';
      renderExecutions();
    }
  } catch (error) {
    if (view.selection.execution === arn) setError('execution', error);
  } finally {
    executionInFlight = false;
  }
}

function applyStatuses(): void {
  const rendered = view.machine?.rendered;
  if (!rendered) return;
  applyProgress(rendered, view.progress?.states, view.progress ? (view.execution?.status ?? view.progress.status) : undefined);
  for (const [name, group] of rendered.states) group.classList.toggle('selected', name === view.selection.state);
}

// --- summary and side panel --------------------------------------------------------------------------

let summarySignature = '';
function renderSummary(): void {
  const box = $('summary');
  const machine = view.machine;
  // Redrawn on every poll otherwise, which would swallow a click on Stop.
  const signature = JSON.stringify([machine?.name, machine?.type, view.selection, view.execution]);
  if (signature === summarySignature) return;
  summarySignature = signature;
  if (!machine) {
    box.replaceChildren(h('span', { class: 'empty' }, view.selection.machine ? 'Loading…' : 'Select a state machine.'));
    return;
  }
  const parts: Array<Node | string> = [h('span', { class: 'title' }, machine.name), h('span', { class: 'meta' }, machine.type)];
  const execution = view.execution;
  if (execution) {
    const status = h('span', { class: 'badge', id: 'execution-status', 'data-status': execution.status }, execution.status);
    parts.push(
      h('span', { id: 'execution-name' }, `Execution ${execution.name}`),
      status,
      h('span', { class: 'meta' }, `started ${formatTimestamp(execution.startDate)}`),
    );
    if (execution.stopDate) parts.push(h('span', { class: 'meta' }, `stopped ${formatTimestamp(execution.stopDate)}`));
    if (execution.status === 'RUNNING') {
      const stop = h('button', { type: 'button', class: 'action', id: 'stop-button' }, 'Stop');
      stop.addEventListener('click', () => void stopExecution(execution.executionArn));
      parts.push(stop);
    }
    if (execution.error || execution.cause)
      parts.push(h('span', { class: 'error', 'data-field': 'execution-error' }, [execution.error, execution.cause].filter(Boolean).join(': ')));
  } else if (view.selection.execution) {
    parts.push(h('span', { class: 'meta' }, 'Loading the execution…'));
  }
  box.replaceChildren(...parts);
}

function selectState(name: string | undefined): void {
  if (name !== view.selection.state) view.entryIndex = undefined;
  view.selection = { ...view.selection, state: name };
  writeHash(view.selection);
  applyStatuses();
  renderDetails();
}

function renderDetails(): void {
  const panel = $('details');
  const name = view.selection.state;
  const close = () => selectState(undefined);
  if ((name === '#start' || name === '#end') && view.machine?.graph) {
    renderExecutionPanel(panel, name, view.execution, view.progress?.input, close);
    return;
  }
  const info = name && view.machine?.graph ? [...view.machine.graph.nodes.values()].find((node) => node.kind === 'state' && node.name === name) : undefined;
  if (!name || !info) {
    hidePanel(panel);
    return;
  }
  renderStatePanel(panel, {
    info,
    progress: view.progress?.states.get(name),
    entryIndex: view.entryIndex,
    hasExecution: view.selection.execution !== undefined,
    onClose: close,
    onPickEntry(index) {
      view.entryIndex = index;
      renderDetails();
    },
  });
}

// --- actions ---------------------------------------------------------------------------------------

async function startExecution(): Promise<void> {
  const machine = view.machine;
  if (!machine) return;
  const text = ($('start-input') as HTMLTextAreaElement).value.trim() || '{}';
  try {
    JSON.parse(text);
  } catch (error) {
    setError('start', `The input is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  try {
    const started = await callSfn<{ executionArn: string }>('StartExecution', { stateMachineArn: machine.stateMachineArn, input: text });
    clearError('start');
    await refreshExecutions();
    selectExecution(started.executionArn, false);
  } catch (error) {
    setError('start', error);
  }
}

async function stopExecution(executionArn: string): Promise<void> {
  try {
    await callSfn('StopExecution', { executionArn });
    clearError('stop');
    await refreshExecution();
  } catch (error) {
    setError('stop', error);
  }
}

// --- polling -------------------------------------------------------------------------------------------

let lastMachines = 0;
let lastExecutions = 0;
async function tick(): Promise<void> {
  const now = Date.now();
  try {
    if (!document.hidden) {
      if (view.execution?.status === 'RUNNING' || (view.selection.execution && !view.execution)) await refreshExecution();
      if (now - lastExecutions >= EXECUTIONS_POLL_MS) {
        lastExecutions = now;
        await refreshExecutions();
      }
      if (now - lastMachines >= MACHINES_POLL_MS) {
        lastMachines = now;
        await refreshMachines();
        await checkDefinition();
      }
    }
  } finally {
    setTimeout(() => void tick(), RUNNING_POLL_MS);
  }
}

function applyHash(): void {
  const wanted = readHash();
  if (wanted.machine && wanted.machine !== view.selection.machine) {
    selectMachine(wanted.machine);
  }
  if (wanted.execution && wanted.execution !== view.selection.execution) selectExecution(wanted.execution, false);
  if (wanted.state !== view.selection.state) selectState(wanted.state);
}

function setupCredentials(): void {
  const field = (id: string) => $<HTMLInputElement>(id);
  const show = () => {
    $('credentials-state').textContent = hasCredentials() ? '(signing requests)' : '(requests unsigned)';
  };
  const saved = loadCredentials();
  if (saved) {
    field('credentials-access-key').value = saved.accessKeyId;
    field('credentials-region').value = saved.region;
  }
  const retry = () => {
    view.errors.clear();
    renderErrors();
    lastMachines = Date.now();
    void refreshMachines();
    if (view.selection.machine && !view.machine) void loadMachine(view.selection.machine);
  };
  $('credentials-save').addEventListener('click', () => {
    const accessKeyId = field('credentials-access-key').value.trim();
    const secretAccessKey = field('credentials-secret').value;
    if (!accessKeyId || !secretAccessKey) {
      setError('credentials', 'Enter an access key ID and a secret access key.');
      return;
    }
    const sessionToken = field('credentials-token').value.trim();
    saveCredentials({
      accessKeyId,
      secretAccessKey,
      region: field('credentials-region').value.trim() || 'us-east-1',
      ...(sessionToken ? { sessionToken } : {}),
    });
    field('credentials-secret').value = '';
    field('credentials-token').value = '';
    show();
    retry();
  });
  $('credentials-forget').addEventListener('click', () => {
    saveCredentials(undefined);
    show();
    retry();
  });
  show();
}

function start(): void {
  if (typeof ELK !== 'function') {
    $('graph').replaceChildren(h('p', { class: 'empty' }, 'The graph layout library (/stepfunctions/elk.js) did not load.'));
    return;
  }
  $('boot')?.remove();
  $('graph').replaceChildren(h('p', { class: 'empty' }, 'Select a state machine.'));
  $('start-button').addEventListener('click', () => void startExecution());
  setupCredentials();
  window.addEventListener('hashchange', applyHash);
  document.addEventListener('keydown', (event) => {
    const target = event.target as HTMLElement | null;
    if (event.key === 'Escape' && view.selection.state && !target?.closest('input, textarea, select')) selectState(undefined);
  });
  applyHash();
  lastMachines = Date.now();
  void refreshMachines().then(() => {
    lastExecutions = Date.now();
    void tick();
  });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
