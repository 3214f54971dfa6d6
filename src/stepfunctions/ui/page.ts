/**
 * The Step Functions page's HTML shell. Static: everything dynamic is drawn by the client
 * (`client.ts`), so the shell holds no data and can be cached by its ETag.
 */
export function renderConsolePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Step Functions — appsync-gateway</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/stepfunctions/console.css">
<script src="/stepfunctions/elk.js" defer></script>
<script src="/stepfunctions/console.js" defer></script>
</head>
<body>
<header class="top">
  <h1>Step Functions</h1>
  <span class="hint">state machines and executions of this gateway</span>
</header>
<div id="errors" role="alert" aria-live="assertive"></div>
<div class="layout">
  <nav class="sidebar" aria-label="State machines and executions">
    <details id="credentials-panel" class="credentials">
      <summary>AWS credentials <span id="credentials-state">(requests unsigned)</span></summary>
      <p class="hint-text">Only needed when the gateway's config declares AWS_IAM credentials: the page then signs its calls
        (SigV4, service <code>states</code>). Kept in this tab's session storage only.</p>
      <label for="credentials-access-key">Access key ID</label>
      <input id="credentials-access-key" autocomplete="off" spellcheck="false">
      <label for="credentials-secret">Secret access key</label>
      <input id="credentials-secret" type="password" autocomplete="off">
      <label for="credentials-token">Session token (optional)</label>
      <input id="credentials-token" type="password" autocomplete="off">
      <label for="credentials-region">Region</label>
      <input id="credentials-region" value="us-east-1" spellcheck="false">
      <div class="buttons">
        <button type="button" id="credentials-save" class="action">Use</button>
        <button type="button" id="credentials-forget" class="action">Forget</button>
      </div>
    </details>
    <section>
      <h2>State machines</h2>
      <ul id="machines" class="list" data-testid="machines"><li class="empty">Loading…</li></ul>
    </section>
    <section id="executions-section">
      <h2>Executions</h2>
      <details id="start-panel">
        <summary>Start an execution</summary>
        <label for="start-input">Input (JSON)</label>
        <textarea id="start-input" spellcheck="false" rows="4">{}</textarea>
        <button type="button" id="start-button">Start execution</button>
      </details>
      <ul id="executions" class="list" data-testid="executions"><li class="empty">Select a state machine.</li></ul>
    </section>
  </nav>
  <main class="canvas">
    <div id="summary" class="summary"></div>
    <div id="graph" class="graph" data-testid="graph">
      <p id="boot" class="empty">Loading the console… If this message stays, the page's script did not load: see the gateway's log.</p>
    </div>
    <ul class="legend" aria-label="Legend">
      <li data-status="not-started">Not started</li>
      <li data-status="in-progress">In progress</li>
      <li data-status="succeeded">Succeeded</li>
      <li data-status="failed">Failed</li>
      <li data-status="caught">Caught error</li>
      <li data-status="cancelled">Cancelled</li>
    </ul>
  </main>
  <aside id="details" class="details" data-testid="details" hidden></aside>
</div>
</body>
</html>
`;
}
