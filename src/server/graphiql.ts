/**
 * GraphiQL for development, served at `/` and to browsers asking `GET /graphql` for HTML. Every
 * asset comes from npm packages through the gateway (`/graphiql/*`), so the page works offline:
 * the `graphiql` package's prebuilt UMD bundle and stylesheet, and React 18's UMD builds that
 * bundle expects as globals (React 19 ships no UMD build). The page never carries an API key:
 * users paste theirs into the headers tab, so no endpoint exposes keys.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The URL prefix GraphiQL's assets are served under. */
const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

/** Served name → package and file inside it. */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css; charset=utf-8' },
};

const loaded = new Map<string, Buffer>();

/**
 * One of GraphiQL's assets by its served name (`graphiql.js`), read from its package once and kept;
 * `undefined` for a name that is not one of them.
 */
export function graphiqlAsset(name: string): { body: Buffer; contentType: string } | undefined {
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
  if (!asset) return undefined;
  let body = loaded.get(name);
  if (!body) {
    // The packages' exports maps do not list their UMD files; their package.json always is.
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve(`${asset.pkg}/package.json`));
    body = readFileSync(join(root, asset.file));
    loaded.set(name, body);
  }
  return { body, contentType: asset.type };
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON safe inside a `<script>` element. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function renderGraphiQLPage(options: { title: string; endpoint: string; query?: string }): string {
  const settings = {
    endpoint: options.endpoint,
    headers: JSON.stringify({ 'x-api-key': '<paste an API key printed at start>' }, null, 2),
    query: options.query,
  };
  const assets = GRAPHIQL_ASSET_PREFIX;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assets}graphiql.css">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${assets}react.js"></script>
<script src="${assets}react-dom.js"></script>
<script src="${assets}graphiql.js"></script>
<script>
(function () {
  var settings = ${scriptJson(settings)};
  var url = new URL(settings.endpoint, location.href);
  var ws = new URL(url.href);
  ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  // graphql-transport-ws on the same path as queries and mutations.
  var base = GraphiQL.createFetcher({ url: url.href, subscriptionUrl: ws.href });
  var graphql = GraphiQL.GraphQL;
  // createFetcher picks WebSocket only from the document GraphiQL parsed after its debounce, and
  // only by operation name: a subscription run before that parse (pasted, then run at once), or a
  // named one sent without its name, went over HTTP. The text being run is parsed here instead.
  var fetcher = function (params, opts) {
    var documentAST;
    try {
      documentAST = graphql.parse(params.query);
    } catch (error) {
      // Text that does not parse goes on as it is: the gateway answers with its syntax error.
      return base(params, opts);
    }
    var operation = graphql.getOperationAST(documentAST, params.operationName || undefined);
    var named = !params.operationName && operation && operation.name ? { operationName: operation.name.value } : {};
    return base(Object.assign({}, params, named), Object.assign({}, opts, { documentAST: documentAST }));
  };
  var props = { fetcher: fetcher, defaultHeaders: settings.headers, shouldPersistHeaders: true };
  if (settings.query) props.query = settings.query;
  ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL, props));
})();
</script>
</body>
</html>
`;
}
