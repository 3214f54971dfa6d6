/** The Step Functions page's stylesheet, served as `/stepfunctions/console.css`. */
export const CONSOLE_CSS = `
:root {
  --bg: #f6f7f9; --panel: #fff; --line: #d5d9e0; --text: #1d232c; --muted: #5f6b7a; --accent: #2563eb;
  --not-started: #eef0f3; --not-started-line: #9aa3ae;
  --in-progress: #dbeafe; --in-progress-line: #2563eb;
  --succeeded: #dcfce7; --succeeded-line: #16a34a;
  --failed: #fee2e2; --failed-line: #dc2626;
  --caught: #ffedd5; --caught-line: #ea580c;
  --cancelled: #e5e7eb; --cancelled-line: #4b5563;
  font: 13px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--text); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; height: 100vh; display: flex; flex-direction: column; }
.top { display: flex; align-items: baseline; gap: 12px; padding: 10px 16px; background: #232f3e; color: #fff; }
.top h1 { font-size: 16px; margin: 0; }
.top .hint { color: #c9d1db; }
#errors:empty { display: none; }
#errors { padding: 8px 16px; background: var(--failed); color: #7f1d1d; border-bottom: 1px solid var(--failed-line); }
#errors p { margin: 2px 0; }
.layout { flex: 1; display: flex; min-height: 0; }
.sidebar { width: 290px; flex: none; overflow: auto; border-right: 1px solid var(--line); background: var(--panel); }
.sidebar section { padding: 10px 12px; }
.sidebar h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 4px 0 8px; }
.list { list-style: none; margin: 0; padding: 0; }
.list li { margin: 0 0 4px; }
.list button {
  width: 100%; text-align: left; border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 6px 8px;
  cursor: pointer; font: inherit; color: inherit;
}
.list button:hover { border-color: var(--accent); }
.list button[aria-current="true"] { border-color: var(--accent); box-shadow: 0 0 0 1px var(--accent) inset; background: #eff6ff; }
.list .name { display: block; font-weight: 600; word-break: break-all; }
.list .meta { display: block; color: var(--muted); font-size: 12px; }
.empty { color: var(--muted); padding: 4px 0; }
.badge {
  display: inline-block; border-radius: 9px; padding: 0 7px; font-size: 11px; font-weight: 600; border: 1px solid var(--not-started-line);
  background: var(--not-started);
}
.badge[data-status="RUNNING"] { background: var(--in-progress); border-color: var(--in-progress-line); }
.badge[data-status="SUCCEEDED"] { background: var(--succeeded); border-color: var(--succeeded-line); }
.badge[data-status="FAILED"], .badge[data-status="TIMED_OUT"] { background: var(--failed); border-color: var(--failed-line); }
.badge[data-status="ABORTED"] { background: var(--cancelled); border-color: var(--cancelled-line); }
.credentials { margin: 10px 12px 0; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
.credentials summary { cursor: pointer; color: var(--accent); }
.credentials label { display: block; color: var(--muted); margin: 6px 0 2px; }
.credentials input { width: 100%; font: inherit; padding: 3px 5px; }
.credentials .buttons { display: flex; gap: 6px; margin-top: 8px; }
.credentials .hint-text { color: var(--muted); font-size: 12px; margin: 6px 0; }
#start-panel { margin: 0 0 10px; }
#start-panel summary { cursor: pointer; color: var(--accent); margin-bottom: 6px; }
#start-panel label { display: block; color: var(--muted); margin: 4px 0; }
#start-panel textarea { width: 100%; font: 12px/1.4 ui-monospace, Menlo, Consolas, monospace; }
button.action { border: 1px solid var(--line); border-radius: 6px; padding: 3px 10px; background: var(--panel); cursor: pointer; font: inherit; }
#start-button {
  margin-top: 6px; border: 1px solid var(--accent); border-radius: 6px; padding: 4px 10px; background: var(--accent); color: #fff;
  cursor: pointer; font: inherit;
}
.canvas { flex: 1; display: flex; flex-direction: column; min-width: 0; }
.summary {
  padding: 8px 16px; border-bottom: 1px solid var(--line); background: var(--panel); display: flex; flex-wrap: wrap; gap: 8px 16px;
  align-items: center; min-height: 38px;
}
.summary .title { font-weight: 600; font-size: 14px; }
.summary .error { color: #7f1d1d; flex-basis: 100%; white-space: pre-wrap; }
.graph { flex: 1; overflow: auto; padding: 12px; }
/* Wide graphs shrink to the pane's width; tall ones scroll. */
.graph svg { display: block; margin: 0 auto; max-width: 100%; height: auto; }
.legend {
  display: flex; gap: 14px; margin: 0; padding: 6px 16px; list-style: none; border-top: 1px solid var(--line); background: var(--panel);
  color: var(--muted); font-size: 12px;
}
.legend li::before {
  content: ""; display: inline-block; width: 10px; height: 10px; margin-right: 5px; border-radius: 2px; vertical-align: -1px;
  border: 1px solid var(--not-started-line); background: var(--not-started);
}
.legend li[data-status="in-progress"]::before { background: var(--in-progress); border-color: var(--in-progress-line); }
.legend li[data-status="succeeded"]::before { background: var(--succeeded); border-color: var(--succeeded-line); }
.legend li[data-status="failed"]::before { background: var(--failed); border-color: var(--failed-line); }
.legend li[data-status="caught"]::before { background: var(--caught); border-color: var(--caught-line); }
.legend li[data-status="cancelled"]::before { background: var(--cancelled); border-color: var(--cancelled-line); }

/* The graph */
.node rect { fill: var(--not-started); stroke: var(--not-started-line); stroke-width: 1.2; }
.node text { font-size: 13px; fill: var(--text); pointer-events: none; }
.node text.type { font-size: 11px; fill: var(--muted); }
.node.state { cursor: pointer; outline: none; }
.node.state:focus-visible rect, .node.state.selected > rect { stroke: var(--accent); stroke-width: 2.5; }
.node.compound > rect { fill: rgba(238, 240, 243, .45); }
.node.branch rect { fill: none; stroke-dasharray: 4 3; stroke: #b8bfc9; }
.node.branch text { font-size: 11px; fill: var(--muted); }
.node.marker rect { fill: #fff; stroke: #6b7280; }
.node.marker { cursor: pointer; outline: none; }
.node.marker:focus-visible rect { stroke: var(--accent); stroke-width: 2.5; }
.node.marker text { font-size: 12px; fill: var(--muted); }
.node[data-status="in-progress"] > rect {
  fill: var(--in-progress); stroke: var(--in-progress-line); stroke-width: 2; animation: pulse 1.2s ease-in-out infinite;
}
.node[data-status="succeeded"] > rect { fill: var(--succeeded); stroke: var(--succeeded-line); }
.node[data-status="failed"] > rect { fill: var(--failed); stroke: var(--failed-line); stroke-width: 2; }
.node[data-status="caught"] > rect { fill: var(--caught); stroke: var(--caught-line); }
.node[data-status="cancelled"] > rect { fill: var(--cancelled); stroke: var(--cancelled-line); }
.node.compound[data-status] > rect { fill-opacity: .5; }
@keyframes pulse { 50% { stroke-opacity: .35; } }
@media (prefers-reduced-motion: reduce) { .node[data-status="in-progress"] > rect { animation: none; } }
.edge { fill: none; stroke: #7b8594; stroke-width: 1.4; }
.edge.catch { stroke: var(--caught-line); stroke-dasharray: 5 4; }
.edge.default { stroke-dasharray: 1 0; }
.edge-label { font-size: 11px; fill: var(--muted); }
.edge-label.catch { fill: var(--caught-line); }
#arrow path { fill: #7b8594; }
#arrow-catch path { fill: var(--caught-line); }

/* The side panel */
.details { width: 360px; flex: none; overflow: auto; border-left: 1px solid var(--line); background: var(--panel); padding: 12px 14px; }
.details h2 { margin: 0 24px 4px 0; font-size: 15px; word-break: break-all; }
.details h3 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 14px 0 4px; }
.details pre {
  margin: 0; padding: 8px; background: #f3f4f6; border-radius: 6px; white-space: pre-wrap; word-break: break-word;
  font: 12px/1.45 ui-monospace, Menlo, Consolas, monospace; max-height: 320px; overflow: auto;
}
.details pre.error { background: var(--failed); color: #7f1d1d; }
.details .close { float: right; border: none; background: none; font-size: 18px; cursor: pointer; color: var(--muted); }
.details .meta { color: var(--muted); }
.details .entries { margin: 8px 0 0; color: var(--muted); }
.details select { font: inherit; max-width: 100%; }
`;
