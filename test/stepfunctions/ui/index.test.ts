/**
 * handleConsoleRequest (src/stepfunctions/ui/index.ts) behind a plain node:http server: the page,
 * its bundled client, elkjs, caching and what it leaves to the caller.
 */
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleConsoleRequest } from '../../../src/stepfunctions/ui/index.js';

let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (!handleConsoleRequest(req, res)) {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end('not the console');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('handleConsoleRequest', () => {
  it('serves the page at /stepfunctions and /stepfunctions/ with a strict CSP and only same-origin assets', async () => {
    for (const path of ['/stepfunctions', '/stepfunctions/', '/stepfunctions?x=1']) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      const html = await res.text();
      expect(html).toContain('<script src="/stepfunctions/console.js" defer></script>');
      expect(html).toContain('<script src="/stepfunctions/elk.js" defer></script>');
      // No CDN: every src/href is same-origin or a data: URL.
      for (const [, url] of html.matchAll(/(?:src|href)="([^"]+)"/g)) expect(url).toMatch(/^(\/stepfunctions\/|data:)/);
    }
  });

  it('bundles the client from TypeScript once and serves it as one script', async () => {
    const res = await fetch(`${origin}/stepfunctions/console.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const code = await res.text();
    expect(code).toContain('AWSStepFunctions.');
    expect(code).not.toMatch(/^\s*import\s/m);
    const again = await fetch(`${origin}/stepfunctions/console.js`);
    expect(again.headers.get('etag')).toBe(res.headers.get('etag'));
  });

  it('serves elkjs from node_modules, gzipped when the client accepts it', async () => {
    const res = await fetch(`${origin}/stepfunctions/elk.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(res.status).toBe(200);
    const plain = Buffer.from(await res.arrayBuffer());
    expect(plain.toString('utf8', 0, 2000)).toContain('g.ELK');
    const zipped = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      // fetch would decode silently; read the raw bytes to see the encoding.
      import('node:http').then(({ get }) =>
        get(`${origin}/stepfunctions/elk.js`, { headers: { 'accept-encoding': 'gzip' } }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => resolve({ encoding: r.headers['content-encoding'], body: Buffer.concat(chunks) }));
        }).on('error', reject),
      );
    });
    expect(zipped.encoding).toBe('gzip');
    expect(zipped.body.length).toBeLessThan(plain.length / 2);
    expect(gunzipSync(zipped.body).equals(plain)).toBe(true);
  });

  it('answers 304 to a matching If-None-Match and serves the stylesheet', async () => {
    const first = await fetch(`${origin}/stepfunctions/console.css`);
    expect(first.status).toBe(200);
    expect(await first.text()).toContain('[data-status="failed"]');
    const second = await fetch(`${origin}/stepfunctions/console.css`, { headers: { 'if-none-match': first.headers.get('etag')! } });
    expect(second.status).toBe(304);
  });

  it('HEAD gets headers only; unknown assets get a 404 naming the page', async () => {
    const head = await fetch(`${origin}/stepfunctions`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const missing = await fetch(`${origin}/stepfunctions/nope.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Not found: /stepfunctions/nope.js. The Step Functions page is /stepfunctions.');
  });

  it('leaves other paths and methods to the caller', async () => {
    for (const [method, path] of [
      ['GET', '/'],
      ['GET', '/stepfunctionsx'],
      ['GET', '/graphql'],
      ['POST', '/stepfunctions'],
    ]) {
      const res = await fetch(`${origin}${path}`, { method });
      expect(res.status, `${method} ${path}`).toBe(418);
    }
  });
});
