/**
 * The Step Functions page: GET `/stepfunctions` serves a small single-page console that lists state
 * machines and executions and draws the selected state machine as a graph laid out by ELK
 * (`elkjs`), coloured live by the selected execution's history. The page's script talks only to
 * the Step Functions JSON API on the same origin (POST `/`, `X-Amz-Target: AWSStepFunctions.*`),
 * so it shows exactly what any SDK would see.
 *
 * Assets: `/stepfunctions/console.js` (src/stepfunctions/ui/client.ts bundled by esbuild on first
 * request, then cached), `/stepfunctions/elk.js` (elkjs' browser bundle from node_modules),
 * `/stepfunctions/console.css`. Nothing is fetched from elsewhere; the page works offline.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { renderConsolePage } from './page.js';
import { CONSOLE_CSS } from './styles.js';

/** The page's path on the gateway's port. */
const CONSOLE_PATH = '/stepfunctions';

/**
 * Set by a build that prebundles the client (scripts/build.mjs would `define` it, as it does
 * `__APPSYNC_PRELUDE__`); otherwise the client is bundled from its TypeScript source on first use.
 */
declare const __SFN_CONSOLE_CLIENT__: string | undefined;

const require = createRequire(import.meta.url);

interface Asset {
  body: Buffer;
  gzip?: Buffer;
  etag: string;
  type: string;
}

function asset(text: string, type: string, compress: boolean): Asset {
  const body = Buffer.from(text);
  return {
    body,
    gzip: compress ? gzipSync(body) : undefined,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    type,
  };
}

/**
 * Where the client's source is: beside this file when running from src/, or under the package's
 * src/ when this module was bundled into dist/ (the package ships src/).
 */
function clientEntry(): string {
  for (const candidate of ['./client.ts', '../src/stepfunctions/ui/client.ts']) {
    try {
      return require.resolve(candidate);
    } catch {
      // try the next layout
    }
  }
  throw new Error('src/stepfunctions/ui/client.ts was not found next to the gateway');
}

async function bundleClient(): Promise<string> {
  if (typeof __SFN_CONSOLE_CLIENT__ === 'string') return __SFN_CONSOLE_CLIENT__;
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: [clientEntry()],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}

const cached = new Map<string, Promise<Asset>>();

/** Each asset is built once per process; a failed build is retried on the next request. */
function load(name: string, make: () => Promise<Asset>): Promise<Asset> {
  let promise = cached.get(name);
  if (!promise) {
    promise = make();
    cached.set(name, promise);
    promise.catch(() => cached.delete(name));
  }
  return promise;
}

const ASSETS: Record<string, () => Promise<Asset>> = {
  '/stepfunctions/console.js': () => load('client', async () => asset(await bundleClient(), 'text/javascript; charset=utf-8', true)),
  '/stepfunctions/elk.js': () =>
    load('elk', async () => asset(await readFile(require.resolve('elkjs/lib/elk.bundled.js'), 'utf8'), 'text/javascript; charset=utf-8', true)),
  '/stepfunctions/console.css': () => load('css', async () => asset(CONSOLE_CSS, 'text/css; charset=utf-8', false)),
};

/**
 * Gateway choice: a strict Content-Security-Policy: the page runs only its own scripts and talks
 * only to its own origin (it shows execution data, which is user input).
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; " +
    "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function send(req: IncomingMessage, res: ServerResponse, item: Asset): void {
  const headers: Record<string, string | number> = {
    ...PAGE_HEADERS,
    'content-type': item.type,
    'cache-control': 'no-cache',
    etag: item.etag,
    vary: 'accept-encoding',
  };
  if (req.headers['if-none-match'] === item.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gzip = item.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gzip ? item.gzip! : item.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = body.length;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...PAGE_HEADERS, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

let page: Asset | undefined;

/**
 * Answers GET/HEAD requests for `/stepfunctions` and its assets; returns false for anything else
 * (other paths and methods are left to the caller). Asset builds finish asynchronously: `true`
 * means the request is this module's to answer.
 */
export function handleConsoleRequest(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '/').split('?')[0];
  if (path !== CONSOLE_PATH && !path.startsWith(`${CONSOLE_PATH}/`)) return false;
  if (path === CONSOLE_PATH || path === `${CONSOLE_PATH}/`) {
    page ??= asset(renderConsolePage(), 'text/html; charset=utf-8', false);
    send(req, res, page);
    return true;
  }
  const make = ASSETS[path];
  if (!make) {
    sendText(res, 404, `Not found: ${path}. The Step Functions page is ${CONSOLE_PATH}.`);
    return true;
  }
  make().then(
    (item) => send(req, res, item),
    (error: unknown) => {
      if (!res.headersSent) sendText(res, 500, `The Step Functions page could not build ${path}: ${error instanceof Error ? error.message : String(error)}`);
      else res.destroy();
    },
  );
  return true;
}
