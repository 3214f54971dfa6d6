/**
 * The Step Functions page in a real browser (Debian's chromium driven by playwright-core) against a
 * real gateway: executions are started with the AWS SDK's SFNClient and the page must list them,
 * draw every state, colour states live while an execution runs, and show a clicked state's input,
 * output and error.
 */
import { existsSync } from 'node:fs';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
/** Waits for the page to catch up (it polls the API every 0.5–5 s); generous for a busy machine. */
const eventually = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000, interval: 100 });
const haveBrowser = existsSync(CHROMIUM);
const ACCOUNT = '123456789012';
const smArn = (name: string) => `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:${name}`;

/** Pass → Choice → Wait → Parallel (a branch with a Map) → Succeed; the Wait's length comes from the input. */
const FLOW = {
  StartAt: 'Prepare',
  States: {
    Prepare: { Type: 'Pass', Result: { items: [1, 2] }, ResultPath: '$.prepared', Next: 'Decide' },
    Decide: {
      Type: 'Choice',
      Choices: [{ Variable: '$.seconds', IsPresent: true, Next: 'Pause' }],
      Default: 'Fan',
    },
    Pause: { Type: 'Wait', SecondsPath: '$.seconds', Next: 'Fan' },
    Fan: {
      Type: 'Parallel',
      Branches: [
        {
          StartAt: 'Left',
          States: {
            Left: { Type: 'Pass', InputPath: '$.prepared.items', Next: 'Each' },
            Each: {
              Type: 'Map',
              ItemProcessor: { StartAt: 'Double', States: { Double: { Type: 'Pass', Parameters: { 'v.$': 'States.MathAdd($, $)' }, End: true } } },
              End: true,
            },
          },
        },
        { StartAt: 'Right', States: { Right: { Type: 'Pass', Result: 'right', End: true } } },
      ],
      ResultPath: '$.fan',
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
  },
};

/** A branch fails in a Fail state; the Parallel's Catch recovers. */
const CAUGHT = {
  StartAt: 'Try',
  States: {
    Try: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Work', States: { Work: { Type: 'Pass', Next: 'Explode' }, Explode: { Type: 'Fail', Error: 'Kaboom', Cause: 'the branch blew up' } } },
      ],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Recover' }],
      Next: 'Finish',
    },
    Recover: { Type: 'Pass', Next: 'Finish' },
    Finish: { Type: 'Succeed' },
  },
};

/** Fails the execution: nothing catches. */
const BROKEN = {
  StartAt: 'Start here',
  States: {
    'Start here': { Type: 'Pass', Next: 'Boom' },
    Boom: { Type: 'Fail', Error: 'Custom.Broken', Cause: 'nothing catches this' },
  },
};

const config: GatewayConfig = {
  name: 'sfn-ui-test',
  schemaSdl: 'type Query { ping: String }',
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'main', value: 'da2-sfnuitest00000000000' }],
  stepFunctions: {
    stateMachines: {
      flow: { definition: FLOW },
      caught: { definition: CAUGHT },
      broken: { definition: BROKEN },
      quick: { type: 'EXPRESS', definition: { StartAt: 'Only', States: { Only: { Type: 'Pass', End: true } } } },
      quickLogged: {
        type: 'EXPRESS',
        loggingConfig: { level: 'ALL', includeExecutionData: true },
        definition: { StartAt: 'Only', States: { Only: { Type: 'Pass', Result: { logged: true }, End: true } } },
      },
    },
  },
};

if (!haveBrowser && process.env.CI === 'true') {
  describe('Step Functions page', () => {
    it('needs Debian’s chromium at /usr/bin/chromium', () => {
      throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium (never download a browser)`);
    });
  });
}

describe.skipIf(!haveBrowser)(`Step Functions page in chromium${haveBrowser ? '' : ' (skipped: /usr/bin/chromium is not installed)'}`, () => {
  let gw: TestGateway;
  let sfn: SFNClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ config });
    sfn = new SFNClient({ endpoint: gw.origin, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, disableHostPrefix: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400 && response.request().method() === 'GET') pageErrors.push(`${response.status()} ${response.url()}`);
    });
  });
  afterAll(async () => {
    await browser?.close();
    sfn?.destroy();
  });

  const start = async (machine: string, input: unknown) =>
    (await sfn.send(new StartExecutionCommand({ stateMachineArn: smArn(machine), input: JSON.stringify(input) }))).executionArn!;
  const state = (name: string, status?: string) => page.locator(`svg g[data-state-name="${name}"]${status ? `[data-status="${status}"]` : ''}`);
  const open = async (hash: string) => {
    // Through about:blank: a hash-only navigation would keep the previous page's state.
    await page.goto('about:blank');
    await page.goto(`${gw.origin}/stepfunctions#${hash}`);
  };

  it('lists the state machines and draws every state of the selected one, nested states inside their Parallel/Map', async () => {
    await open(`machine=${encodeURIComponent(smArn('flow'))}`);
    await eventually(() => page.locator('#machines [data-machine-name]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.machineName))).toEqual([
      'broken',
      'caught',
      'flow',
      'quick',
      'quickLogged',
    ]);
    await state('Done').waitFor();
    const drawn = await page
      .locator('svg g[data-state-name]')
      .evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.stateName}:${(e as HTMLElement).dataset.stateType}`));
    expect(drawn.sort()).toEqual(
      ['Decide:Choice', 'Done:Succeed', 'Double:Pass', 'Each:Map', 'Fan:Parallel', 'Left:Pass', 'Pause:Wait', 'Prepare:Pass', 'Right:Pass'].sort(),
    );
    // Laid out: the Map's iteration state sits inside the Map, the Map inside the Parallel.
    const box = async (name: string) => (await state(name).locator('rect').first().boundingBox())!;
    const [fan, each, double, prepare, done] = await Promise.all(['Fan', 'Each', 'Double', 'Prepare', 'Done'].map(box));
    const inside = (inner: typeof fan, outer: typeof fan) =>
      inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;
    expect(inside(double, each)).toBe(true);
    expect(inside(each, fan)).toBe(true);
    expect(prepare.y).toBeLessThan(fan.y);
    expect(fan.y).toBeLessThan(done.y);
    const edges = await page
      .locator('svg path.edge')
      .evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.from}>${(e as HTMLElement).dataset.to}:${(e as HTMLElement).dataset.edgeKind}`));
    expect(edges).toEqual(
      expect.arrayContaining(['Decide>Pause:choice', 'Decide>Fan:default', 'Pause>Fan:next', 'Left>Each:next', 'Start>Prepare:start', 'Done>End:end']),
    );
    // No execution yet: every state is "not started" and the list says so.
    expect(await page.locator('svg g[data-state-name]:not([data-status="not-started"])').count()).toBe(0);
    await eventually(() => page.locator('#executions').textContent()).toContain('No executions yet');
  });

  it('follows a new execution live: the Wait shows in progress, then everything succeeded', async () => {
    await open(`machine=${encodeURIComponent(smArn('flow'))}`);
    await state('Done').waitFor();
    // 5 s of Wait: room for the page's 1 s list poll and 500 ms history poll on a busy machine.
    const executionArn = await start('flow', { seconds: 5 });
    // The page picks up the new execution by itself and polls its history while it runs.
    await state('Pause', 'in-progress').waitFor({ timeout: 10_000 });
    expect(await state('Prepare').getAttribute('data-status')).toBe('succeeded');
    expect(await state('Decide').getAttribute('data-status')).toBe('succeeded');
    expect(await state('Done').getAttribute('data-status')).toBe('not-started');
    expect(await page.locator('#execution-status').textContent()).toBe('RUNNING');
    await state('Done', 'succeeded').waitFor({ timeout: 20_000 });
    for (const name of ['Prepare', 'Decide', 'Pause', 'Fan', 'Left', 'Each', 'Double', 'Right', 'Done']) {
      expect(await state(name).getAttribute('data-status'), name).toBe('succeeded');
    }
    await eventually(() => page.locator('#execution-status').textContent()).toBe('SUCCEEDED');
    expect(await state('Double').getAttribute('data-entered')).toBe('2');
    await eventually(() => page.locator(`#executions [data-execution-arn="${executionArn}"]`).getAttribute('data-status')).toBe('SUCCEEDED');
  });

  it('clicking a state shows its input and output in the side panel', async () => {
    const executionArn = await start('flow', { seconds: 0, who: 'panel' });
    await open(`machine=${encodeURIComponent(smArn('flow'))}&execution=${encodeURIComponent(executionArn)}`);
    await state('Done', 'succeeded').waitFor({ timeout: 15_000 });
    await state('Prepare').click();
    const panel = page.locator('[data-testid="details"]');
    await eventually(() => panel.getAttribute('data-selected-state')).toBe('Prepare');
    expect(JSON.parse((await panel.locator('pre[data-field="input"]').textContent())!)).toEqual({ seconds: 0, who: 'panel' });
    expect(JSON.parse((await panel.locator('pre[data-field="output"]').textContent())!)).toEqual({ seconds: 0, who: 'panel', prepared: { items: [1, 2] } });
    expect(await panel.locator('pre[data-field="error"]').count()).toBe(0);
    // The Parallel's output holds both branches' results.
    await state('Fan')
      .locator('rect')
      .first()
      .click({ position: { x: 6, y: 6 } });
    await eventually(() => panel.getAttribute('data-selected-state')).toBe('Fan');
    expect(JSON.parse((await panel.locator('pre[data-field="output"]').textContent())!).fan).toEqual([[{ v: 2 }, { v: 4 }], 'right']);
    // A state inside the Map ran once per item: each entry (iteration) can be picked.
    await state('Double').click();
    await eventually(() => panel.getAttribute('data-selected-state')).toBe('Double');
    const entries = panel.locator('select[data-field="entry"]');
    expect(await entries.locator('option').allTextContents()).toEqual(['#1 of 2 · iteration 0 · succeeded', '#2 of 2 · iteration 1 · succeeded']);
    await entries.selectOption('0');
    await eventually(async () => JSON.parse((await panel.locator('pre[data-field="output"]').textContent())!)).toEqual({ v: 2 });
    expect(await panel.locator('pre[data-field="input"]').textContent()).toBe('1');
    await entries.selectOption('1');
    await eventually(async () => JSON.parse((await panel.locator('pre[data-field="output"]').textContent())!)).toEqual({ v: 4 });
    await state('Fan')
      .locator('rect')
      .first()
      .click({ position: { x: 6, y: 6 } });
    await eventually(() => panel.getAttribute('data-selected-state')).toBe('Fan');
    // The selection is in the URL, so the view can be linked.
    expect(decodeURIComponent(new URL(page.url()).hash)).toContain('state=Fan');
    // The Start and End markers open the execution's own input and output.
    await page.locator('svg g[data-marker="start"]').click();
    await eventually(() => panel.getAttribute('data-selected-state')).toBe('#start');
    expect(JSON.parse((await panel.locator('pre[data-field="input"]').textContent())!)).toEqual({ seconds: 0, who: 'panel' });
    await page.locator('svg g[data-marker="end"]').click();
    await eventually(() => panel.getAttribute('data-selected-state')).toBe('#end');
    expect(JSON.parse((await panel.locator('pre[data-field="output"]').textContent())!).fan).toEqual([[{ v: 2 }, { v: 4 }], 'right']);
    await page.keyboard.press('Escape');
    await eventually(() => panel.isHidden()).toBe(true);
  });

  it('a 30-day Wait keeps waiting, and its panel says when it ends', async () => {
    const before = Date.now();
    const executionArn = await start('flow', { seconds: 2_592_000 });
    await open(`machine=${encodeURIComponent(smArn('flow'))}&execution=${encodeURIComponent(executionArn)}`);
    await state('Pause', 'in-progress').waitFor({ timeout: 10_000 });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
    await state('Pause').click();
    const until = page.locator('[data-testid="details"] [data-field="wait-until"]');
    await until.waitFor();
    const text = (await until.textContent())!;
    expect(text).toMatch(/^waits until .+ \((.+)\)$/);
    const ends = Date.parse(/\((.+)\)$/.exec(text)![1]!);
    expect(ends).toBeGreaterThanOrEqual(before + 2_592_000_000);
    expect(ends).toBeLessThanOrEqual(Date.now() + 2_592_000_000);
    await sfn.send(new StopExecutionCommand({ executionArn }));
  });

  it('a failed state shows its error; a caught failure colours the catching state', async () => {
    const executionArn = await start('caught', { a: 1 });
    await open(`machine=${encodeURIComponent(smArn('caught'))}&execution=${encodeURIComponent(executionArn)}`);
    await state('Finish', 'succeeded').waitFor({ timeout: 15_000 });
    expect(await state('Explode').getAttribute('data-status')).toBe('failed');
    expect(await state('Try').getAttribute('data-status')).toBe('caught');
    expect(await state('Recover').getAttribute('data-status')).toBe('succeeded');
    expect(
      await page.locator('svg path.edge.catch').evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.from}>${(e as HTMLElement).dataset.to}`)),
    ).toEqual(['Try>Recover']);
    await state('Explode').click();
    const panel = page.locator('[data-testid="details"]');
    await eventually(() => panel.getAttribute('data-selected-state')).toBe('Explode');
    expect(await panel.getAttribute('data-status')).toBe('failed');
    expect(await panel.locator('pre[data-field="error"]').textContent()).toBe('Kaboom');
    expect(await panel.locator('pre[data-field="cause"]').textContent()).toBe('the branch blew up');
    await state('Recover').click();
    await eventually(() => panel.getAttribute('data-selected-state')).toBe('Recover');
    expect(JSON.parse((await panel.locator('pre[data-field="input"]').textContent())!)).toEqual({
      a: 1,
      error: { Error: 'Kaboom', Cause: 'the branch blew up' },
    });
  });

  it('an execution that fails shows the failed state and the execution’s error', async () => {
    await open(`machine=${encodeURIComponent(smArn('broken'))}`);
    await state('Boom').waitFor();
    await eventually(() => page.locator('#executions').textContent()).toContain('No executions yet');
    await start('broken', {});
    await state('Boom', 'failed').waitFor({ timeout: 15_000 });
    expect(await state('Start here').getAttribute('data-status')).toBe('succeeded');
    await eventually(() => page.locator('#execution-status').textContent()).toBe('FAILED');
    expect(await page.locator('[data-field="execution-error"]').textContent()).toBe('Custom.Broken: nothing catches this');
    await state('Boom').click();
    expect(await page.locator('[data-testid="details"] pre[data-field="error"]').textContent()).toBe('Custom.Broken');
    await page.locator('svg g[data-marker="end"]').click();
    await eventually(() => page.locator('[data-testid="details"]').getAttribute('data-selected-state')).toBe('#end');
    expect(await page.locator('[data-testid="details"] pre[data-field="cause"]').textContent()).toBe('nothing catches this');
  });

  it('starts an execution from the page and stops it: the running state becomes cancelled', async () => {
    await open(`machine=${encodeURIComponent(smArn('flow'))}`);
    await state('Done').waitFor();
    await page.locator('#start-panel summary').click();
    await page.locator('#start-input').fill('{"seconds": 60, "from": "page"}');
    await page.locator('#start-button').click();
    await state('Pause', 'in-progress').waitFor({ timeout: 10_000 });
    await page.locator('#stop-button').click();
    await eventually(() => page.locator('#execution-status').textContent()).toBe('ABORTED');
    await state('Pause', 'cancelled').waitFor({ timeout: 10_000 });
    expect(await state('Fan').getAttribute('data-status')).toBe('not-started');
    await state('Prepare').click();
    expect(JSON.parse((await page.locator('[data-testid="details"] pre[data-field="input"]').textContent())!)).toEqual({ seconds: 60, from: 'page' });
  });

  it('a page-side input that is not JSON is refused with a message, nothing started', async () => {
    await open(`machine=${encodeURIComponent(smArn('broken'))}`);
    await state('Boom').waitFor();
    await page.locator('#start-panel summary').click();
    const count = async () => (await sfn.send(new ListExecutionsCommand({ stateMachineArn: smArn('broken') }))).executions!.length;
    const before = await count();
    await page.locator('#start-input').fill('{not json');
    await page.locator('#start-button').click();
    await eventually(() => page.locator('#errors').textContent()).toContain('The input is not JSON');
    expect(await count()).toBe(before);
  });

  it('an Express machine is drawn, with a note that AWS keeps no history for Express executions', async () => {
    await open(`machine=${encodeURIComponent(smArn('quick'))}`);
    await state('Only').waitFor();
    await eventually(() => page.locator('#executions').textContent()).toContain('Express state machines keep no execution history');
  });

  it('an Express machine with a loggingConfiguration lists its runs from its execution log and colours the one picked', async () => {
    const run = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: smArn('quickLogged'), name: 'from-the-log', input: '{"n":1}' }));
    expect(run.status).toBe('SUCCEEDED');
    await open(`machine=${encodeURIComponent(smArn('quickLogged'))}`);
    await page.locator('#executions [data-execution-name="from-the-log"]').waitFor({ timeout: 10_000 });
    expect(await page.locator('#executions [data-execution-name="from-the-log"]').getAttribute('data-status')).toBe('SUCCEEDED');
    await state('Only', 'succeeded').waitFor({ timeout: 10_000 });
    await state('Only').click();
    expect(JSON.parse((await page.locator('[data-testid="details"] pre[data-field="output"]').textContent())!)).toEqual({ logged: true });
  });

  it('redraws a state machine whose definition changes (UpdateStateMachine)', async () => {
    const one = { StartAt: 'First', States: { First: { Type: 'Pass', End: true } } };
    const two = { StartAt: 'First', States: { First: { Type: 'Pass', Next: 'Second' }, Second: { Type: 'Succeed' } } };
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'changing', definition: JSON.stringify(one), roleArn: `arn:aws:iam::${ACCOUNT}:role/test` }),
    );
    await open(`machine=${encodeURIComponent(stateMachineArn!)}`);
    await state('First').waitFor();
    expect(await state('Second').count()).toBe(0);
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn, definition: JSON.stringify(two) }));
    await state('Second').waitFor({ timeout: 15_000 });
    expect(
      await page.locator('svg path.edge').evaluateAll((els) => els.map((e) => `${(e as HTMLElement).dataset.from}>${(e as HTMLElement).dataset.to}`)),
    ).toContain('First>Second');
  });

  it('shows the API’s error instead of a blank page', async () => {
    await open(`machine=${encodeURIComponent(smArn('missing'))}`);
    await eventually(() => page.locator('#errors').textContent()).toContain('DescribeStateMachine failed — StateMachineDoesNotExist');
    expect(await page.locator('#graph').textContent()).toContain('could not be loaded');
  });

  it('signs its calls with credentials typed into the page when the gateway requires SigV4 (AWS_IAM)', async () => {
    const iamGateway = await startTestGateway({
      config: {
        name: 'sfn-ui-iam',
        schemaSdl: 'type Query { ping: String }',
        authentication: { type: 'AWS_IAM', config: { credentials: [{ accessKeyId: 'AKIDPAGETEST', secretAccessKey: 'page-secret' }] } },
        stepFunctions: { stateMachines: { guarded: { definition: { StartAt: 'Inside', States: { Inside: { Type: 'Pass', End: true } } } } } },
      },
    });
    const signedSfn = new SFNClient({
      endpoint: iamGateway.origin,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDPAGETEST', secretAccessKey: 'page-secret' },
      disableHostPrefix: true,
    });
    const iamPage = await browser.newPage();
    iamPage.on('pageerror', (error) => pageErrors.push(error.message));
    try {
      const executionArn = (await signedSfn.send(new StartExecutionCommand({ stateMachineArn: smArn('guarded'), input: '{"signed":true}' }))).executionArn!;
      await iamPage.goto(`${iamGateway.origin}/stepfunctions`);
      // Unsigned: the API's own error, and the credentials form opens.
      await eventually(() => iamPage.locator('#errors').textContent()).toContain('ListStateMachines failed — MissingAuthenticationTokenException');
      expect(await iamPage.locator('#credentials-panel').getAttribute('open')).not.toBeNull();
      await iamPage.locator('#credentials-access-key').fill('AKIDPAGETEST');
      await iamPage.locator('#credentials-secret').fill('wrong-secret');
      await iamPage.locator('#credentials-save').click();
      await eventually(() => iamPage.locator('#errors').textContent()).toContain('InvalidSignatureException');
      await iamPage.locator('#credentials-secret').fill('page-secret');
      await iamPage.locator('#credentials-save').click();
      await iamPage.locator('svg g[data-state-name="Inside"][data-status="succeeded"]').waitFor({ timeout: 15_000 });
      expect(await iamPage.locator('#errors').textContent()).toBe('');
      expect(await iamPage.locator(`#executions [data-execution-arn="${executionArn}"]`).count()).toBe(1);
      // The secret stays in this tab's session storage only; the page never echoes it.
      expect(await iamPage.locator('#credentials-secret').inputValue()).toBe('');
      expect(await iamPage.content()).not.toContain('page-secret');
    } finally {
      await iamPage.close();
      signedSfn.destroy();
      await iamGateway.close();
    }
  });

  it('raised no script errors and requested nothing that failed', () => {
    expect(pageErrors).toEqual([]);
  });
});
