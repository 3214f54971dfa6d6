/**
 * GraphiQL in a real browser (Debian's chromium driven by playwright-core) with every request that
 * leaves the machine aborted: the page, its scripts and styles must all come from the gateway, and
 * a query typed into it must show the gateway's answer.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/index.js';
import { startTestGateway, type TestGateway } from '../utils/gateway.js';

const CHROMIUM = '/usr/bin/chromium';
const haveBrowser = existsSync(CHROMIUM);
const API_KEY = 'da2-graphiqltest0000000000';

const config: GatewayConfig = {
  name: 'graphiql-test',
  schemaSdl: `type Query { hello(name: String): String }
type Mutation { say(text: String!): Said }
type Said { text: String! }
type Subscription { onSay: Said @aws_subscribe(mutations: ["say"]) }`,
  authentication: { type: 'API_KEY' },
  apiKeys: [{ name: 'main', value: API_KEY }],
  // A direct Lambda resolver: the answer comes from a real in-process function.
  dataSources: { fn: { type: 'AWS_LAMBDA', config: { handler: 'hello.mjs#handler' } } },
  resolvers: { 'Query.hello': { kind: 'UNIT', dataSource: 'fn' } },
};

const files = {
  'hello.mjs': 'export const handler = async (event) => `hello ${event.arguments.name}`;\n',
};

const isLoopback = (url: string) => {
  const { protocol, hostname } = new URL(url);
  if (protocol === 'data:' || protocol === 'about:' || protocol === 'blob:') return true;
  return hostname === 'localhost' || hostname === '[::1]' || /^127\./.test(hostname);
};

if (!haveBrowser && process.env.CI === 'true') {
  describe('GraphiQL page', () => {
    it('needs Debian’s chromium at /usr/bin/chromium', () => {
      throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium (never download a browser)`);
    });
  });
}

describe('GraphiQL over HTTP (no browser)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ config, files });
  });

  it('GET /graphql answers a browser with the page and GraphQL clients with GraphQL', async () => {
    const page = await fetch(gw.url, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('/graphiql/graphiql.js');
    expect(html).not.toContain(API_KEY);
    expect(html).not.toMatch(/https?:\/\/(?!localhost)/);
    // curl and GraphQL clients: a GET without text/html is a GraphQL request.
    const json = await fetch(`${gw.url}?query=${encodeURIComponent('{ hello(name: "get") }')}`, { headers: { 'x-api-key': API_KEY } });
    expect(await json.json()).toEqual({ data: { hello: 'hello get' } });
  });

  it('serves the assets from the installed packages, and nothing else under /graphiql/', async () => {
    for (const [name, type] of [
      ['graphiql.js', 'text/javascript; charset=utf-8'],
      ['graphiql.css', 'text/css; charset=utf-8'],
      ['react.js', 'text/javascript; charset=utf-8'],
      ['react-dom.js', 'text/javascript; charset=utf-8'],
    ]) {
      const res = await fetch(`${gw.origin}/graphiql/${name}`);
      expect(res.status, name).toBe(200);
      expect(res.headers.get('content-type'), name).toBe(type);
      expect((await res.arrayBuffer()).byteLength, name).toBeGreaterThan(1000);
    }
    expect((await fetch(`${gw.origin}/graphiql/package.json`)).status).toBe(404);
    expect((await fetch(`${gw.origin}/graphiql/..%2F..%2Fpackage.json`)).status).toBe(404);
  });
});

describe.skipIf(!haveBrowser)(`GraphiQL page in chromium, offline${haveBrowser ? '' : ' (skipped: /usr/bin/chromium is not installed)'}`, () => {
  let gw: TestGateway;
  let browser: Browser;
  let page: Page;
  const blocked: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    gw = await startTestGateway({ config, files });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    // As on a laptop without network: anything not on this machine fails.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (isLoopback(url)) return route.continue();
      blocked.push(url);
      return route.abort('internetdisconnected');
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') httpPosts.push(request.postData() ?? '');
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** Requests the page made to /graphql over HTTP (POST bodies), to tell which went over WebSocket instead. */
  const httpPosts: string[] = [];

  /**
   * Opens the page at `path`, puts the API key into the headers tab and `query` into the editor,
   * and runs it: after GraphiQL's debounced parse, or `atOnce`, in the same task as the paste
   * (before any parse could run), as a user pasting and pressing run at once does.
   */
  const run = async (path: string, query: string, { atOnce = false } = {}) => {
    await page.goto(`${gw.origin}${path}`);
    await page.locator('.graphiql-query-editor .CodeMirror').waitFor({ timeout: 20_000 });
    // The headers tab holds the placeholder; put the real key in.
    await page.getByText('Headers', { exact: true }).click();
    await page.evaluate((key) => {
      const headers = document.querySelector('.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror') as any;
      headers.CodeMirror.setValue(JSON.stringify({ 'x-api-key': key }));
    }, API_KEY);
    if (atOnce) {
      // The editor keeps a query GraphiQL has parsed (as after any earlier run; the page also
      // restores the last query from localStorage), then the subscription replaces it.
      await page.evaluate(() => {
        (document.querySelector('.graphiql-query-editor .CodeMirror') as any).CodeMirror.setValue('{ hello(name: "before") }');
      });
      await page.waitForTimeout(600);
      await page.evaluate((text) => {
        (document.querySelector('.graphiql-query-editor .CodeMirror') as any).CodeMirror.setValue(text);
        (document.querySelector('.graphiql-execute-button') as HTMLButtonElement).click();
      }, query);
      return;
    }
    await page.evaluate((text) => {
      (document.querySelector('.graphiql-query-editor .CodeMirror') as any).CodeMirror.setValue(text);
    }, query);
    await page.waitForTimeout(600);
    await page.locator('.graphiql-execute-button').click();
  };

  /** Publishes until the page shows the event: the page subscribes once its socket is up. */
  const showsPublished = async (text: string) => {
    await expect
      .poll(
        async () => {
          await gw.gateway.publish('onSay', { text });
          return page.locator('.result-window').textContent();
        },
        { timeout: 15_000, interval: 300 },
      )
      .toContain(text);
  };

  for (const path of ['/', '/graphql']) {
    it(`loads from ${path} and runs a query with the headers tab's API key`, async () => {
      await run(path, '{ hello(name: "browser") }');
      await expect.poll(() => page.locator('.result-window').textContent(), { timeout: 10_000 }).toContain('hello browser');
      expect(pageErrors).toEqual([]);
      expect(blocked).toEqual([]);
    });
  }

  it('a subscription runs over graphql-transport-ws on the same origin and shows published events', async () => {
    await run('/', 'subscription { onSay { text } }');
    await showsPublished('pushed to the page');
    expect(pageErrors).toEqual([]);
    expect(blocked).toEqual([]);
  });

  for (const query of ['subscription { onSay { text } }', 'subscription Watch { onSay { text } }']) {
    it(`a subscription pasted and run at once, before GraphiQL parsed it, still goes over WebSocket: ${query}`, async () => {
      httpPosts.length = 0;
      await run('/', query, { atOnce: true });
      await showsPublished(`at once ${query.length}`);
      expect(await page.locator('.result-window').textContent()).not.toContain('only supported over WebSocket');
      expect(httpPosts.filter((body) => body.includes('onSay'))).toEqual([]);
      expect(pageErrors).toEqual([]);
    });
  }
});
