/**
 * `appsync-gateway serve | validate | export | flush-cache`: the command line on top of `createGateway`.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exportApi } from './apis/index.js';
import { didYouMean, findConfigFile, isEventsOnly, loadConfigFile } from './config/index.js';
import { CodeLoadError, ConfigError, ConfigErrors, SchemaError } from './errors.js';
import { createConsoleLogger, createGateway, isInside, type LogLevel } from './server/index.js';

const HELP = `appsync-gateway — serve an AWS AppSync API (schema, APPSYNC_JS resolvers, data sources,
auth modes, real-time subscriptions, Step Functions) on your own machine or server.

Usage:
  appsync-gateway serve [options]      serve the API
  appsync-gateway validate [options]   load config, schema and resolver code, report problems, exit
  appsync-gateway export --api ID      write an API built through the management API as a config
                                       (to stdout) plus its schema and resolver files (docs/management-api.md#export)
  appsync-gateway flush-cache [--api ID] [--url URL]
                                       empty a running gateway's API cache (AppSync's FlushApiCache,
                                       docs/caching.md#flushing)

Options:
  -c, --config PATH     config file (default: appsync.config.{ts,mts,js,mjs,json,yaml,yml}
                        or serverless.yml in the current folder, else template.{yaml,yml,json}
                        or cdk.out); also a CloudFormation/SAM template or a CDK cloud assembly
                        folder (docs/cloudformation.md)
      --parameter K=V   a template parameter's value (repeat for several); CloudFormation input
      --stack NAME      the stack of a CDK assembly whose API is served (default: the one API)
      --api NAME        serve: the GraphQL API served where a template holds several (its Name or
                        logical id); export: the id or name of the API to write out; flush-cache:
                        the API to flush (needed when the gateway serves several)
  -p, --port N          port to listen on (default: server.port in config, else 4000)
      --host HOST       address to listen on (default: 127.0.0.1; use 0.0.0.0 to expose it)
      --allow-unsigned-admin
                        on a non-loopback --host, accept unsigned Step Functions API and AppSync
                        management API calls and serve the Step Functions page to anyone who can
                        reach the port (refused by default unless the config declares AWS_IAM
                        credentials to sign with)
  -w, --watch           reload config, schema and resolver code when files change; a broken
                        edit is logged and the previous API keeps serving
      --strict          treat APPSYNC_JS features AppSync would refuse as errors, not warnings
      --stage NAME      value of \${opt:stage} in serverless.yml (default: provider.stage or dev)
      --redis URL       share subscriptions with other instances through Redis (redis://host:port);
                        also APPSYNC_GATEWAY_REDIS_URL
      --data-dir PATH   folder the embedded DynamoDB and Postgres and Step Functions keep data in
                        (default: server.dataDir in config, else .data beside the config file);
                        also APPSYNC_GATEWAY_DATA_DIR. One gateway at a time per folder
      --in-memory       keep nothing: the embedded stores and Step Functions executions live in
                        memory and are gone when the gateway stops (tests, throwaway runs)
      --log-level L     debug | info | warn | error | silent (default: info); also
                        APPSYNC_GATEWAY_LOG_LEVEL
      --out DIR         export: folder for the files (default: the current folder); the config
                        goes to DIR/appsync.config.yml instead of stdout
      --force           export: overwrite files that exist
      --url URL         flush-cache: the running gateway (default: http://127.0.0.1:<--port, else
                        4000>); signed with SigV4 when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
                        are set
  -h, --help            show this help
  -v, --version         print the version

Examples:
  npm start
  npx appsync-gateway serve --config serverless.yml --stage prod --port 8080
  npx appsync-gateway validate --strict
`;

const OPTIONS = {
  config: { type: 'string', short: 'c' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  watch: { type: 'boolean', short: 'w' },
  strict: { type: 'boolean' },
  'allow-unsigned-admin': { type: 'boolean' },
  stage: { type: 'string' },
  parameter: { type: 'string', multiple: true },
  stack: { type: 'string' },
  api: { type: 'string' },
  redis: { type: 'string' },
  'data-dir': { type: 'string' },
  'in-memory': { type: 'boolean' },
  'log-level': { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  url: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

const COMMANDS = ['serve', 'validate', 'export', 'flush-cache'];
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** The last line of a usage error: the whole help would push the error itself off the screen. */
const SEE_HELP = 'appsync-gateway --help lists every command and option\n';

/** A usage error of `parseArgs`, with the option a misspelt one most likely meant. */
function describeArgsError(error: Error & { code?: string }): string {
  const unknown = error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /Unknown option '(-{1,2}[^']+)'/.exec(error.message)?.[1] : undefined;
  if (!unknown) return error.message;
  const meant = didYouMean(unknown.replace(/^-+/, ''), Object.keys(OPTIONS));
  return `unknown option ${unknown}${meant ? `; did you mean --${meant}?` : ''}`;
}

function describeLoadError(error: unknown): string {
  if (error instanceof ConfigErrors) return error.errors.map((e) => `  ${e.message}`).join('\n');
  if (error instanceof ConfigError || error instanceof SchemaError || error instanceof CodeLoadError) return `  ${error.message}`;
  return `  ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/**
 * Why `listen` failed, in words that say what to change: Node's own message (`listen EADDRINUSE:
 * address already in use 127.0.0.1:4000`) names the address but not the flag that moves it.
 */
function describeListenError(error: unknown): string {
  const { code, address, port, message } = error as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = address !== undefined && port !== undefined ? `${address}:${port}` : 'the address';
  if (code === 'EADDRINUSE')
    return `${where} is in use by another program (another gateway?); stop it, or listen on another port with --port N (or server.port in the config)`;
  if (code === 'ENOTFOUND')
    return `--host ${(error as { hostname?: string }).hostname ?? ''}: no such host name; use 127.0.0.1, 0.0.0.0 or an address of this machine`;
  if (code === 'EADDRNOTAVAIL')
    return `${address ?? 'the --host address'} is not an address of this machine; use --host 127.0.0.1, 0.0.0.0 or one of its own addresses`;
  return message;
}

async function version(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** Runs the CLI; returns the exit code (`serve` resolves only when the server stops). */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: OPTIONS,
    });
  } catch (error) {
    process.stderr.write(`${describeArgsError(error as Error & { code?: string })}\n${SEE_HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${await version()}\n`);
    return 0;
  }
  const command = positionals[0] ?? 'serve';
  if (!COMMANDS.includes(command)) {
    const meant = didYouMean(command, COMMANDS);
    process.stderr.write(`unknown command "${command}"${meant ? `; did you mean "${meant}"?` : ''}\n${SEE_HELP}`);
    return 2;
  }
  if (command === 'export') return runExport(values);
  if (command === 'flush-cache') return runFlushCache(values);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    process.stderr.write(`--port: expected a port number, got "${values.port}"\n`);
    return 2;
  }
  const logLevel = (values['log-level'] ?? (process.env.APPSYNC_GATEWAY_LOG_LEVEL || undefined))?.toLowerCase();
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel as LogLevel)) {
    const from = values['log-level'] === undefined ? 'APPSYNC_GATEWAY_LOG_LEVEL' : '--log-level';
    process.stderr.write(`${from}: expected one of ${LOG_LEVELS.join(', ')}, got "${values['log-level'] ?? process.env.APPSYNC_GATEWAY_LOG_LEVEL}"\n`);
    return 2;
  }
  // validate starts the API in memory only to check it: its start-up lines (the embedded stores, in memory) would read as
  // if it served, and bury its verdict; warnings and errors still show.
  const logger = createConsoleLogger((logLevel ?? (command === 'validate' ? 'warn' : 'info')) as LogLevel);
  // The AWS SDK warns on every start that its 2027 releases need Node 22; one debug line is enough.
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
    if (type === 'NodeVersionSupportWarning' || String(warning).startsWith('NodeVersionSupportWarning'))
      return logger.debug(String(warning).split('\n')[0] ?? '');
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
  // A stray rejected promise (e.g. from resolver code that used Promise against the rules) must
  // not stop a server that is otherwise fine: log it instead of letting Node exit.
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection', { reason: reason instanceof Error ? reason.message : String(reason) });
  });

  const configFile = values.config ?? (await findConfigFile(process.cwd()));
  if (!configFile) {
    process.stderr.write('no config file found: create appsync.config.yml (see README) or pass --config PATH\n');
    return 1;
  }
  const parameters: Record<string, string> = {};
  for (const pair of values.parameter ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      process.stderr.write(`--parameter: expected Key=Value, got "${pair}"\n`);
      return 2;
    }
    parameters[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const load = () => loadConfigFile(configFile, { stage: values.stage, env: process.env, parameters, stack: values.stack, api: values.api });
  const redisUrl = values.redis ?? process.env.APPSYNC_GATEWAY_REDIS_URL;

  let gateway;
  try {
    const loaded = await load();
    for (const warning of loaded.warnings ?? []) logger.warn(warning);
    gateway = await createGateway(loaded.config, {
      configDir: loaded.configDir,
      configFile: loaded.configFile,
      logger,
      strict: values.strict,
      pubsub: redisUrl ? { redisUrl } : undefined,
      // Known before the API is made: `${self:server.url}` in the config names this address.
      listen: { port, host: values.host },
      allowUnsignedAdmin: values['allow-unsigned-admin'],
      dataDir: values['data-dir'],
      // validate only loads the API: it keeps nothing and may run beside a gateway that holds the folder.
      inMemory: values['in-memory'] || command === 'validate',
      // validate imports in-process Lambda functions to check their export; serve at the first call.
      validateOnly: command === 'validate',
    });
  } catch (error) {
    // On port 0 the gateway listens while it makes the API (`${self:server.url}` needs the port).
    if ((error as NodeJS.ErrnoException).syscall === 'listen' || (error as NodeJS.ErrnoException).syscall === 'getaddrinfo')
      process.stderr.write(`cannot listen: ${describeListenError(error)}\n`);
    else process.stderr.write(`cannot load ${relative(process.cwd(), configFile) || configFile}:\n${describeLoadError(error)}\n`);
    return 1;
  }

  if (command === 'validate') {
    for (const warning of gateway.warnings) process.stdout.write(`warning: ${warning}\n`);
    process.stdout.write(`${configFile}: the API "${gateway.config.name}" loads (${gateway.config.resolvers.length} resolvers)\n`);
    for (const { apiId, config } of gateway.additionalApis)
      process.stdout.write(`${configFile}: the API "${config.name}" loads (${config.resolvers.length} resolvers; served at /apis/${apiId}/graphql)\n`);
    await gateway.close();
    return 0;
  }

  let listening;
  try {
    listening = await gateway.listen({ port, host: values.host });
  } catch (error) {
    // Said once everything the load started has stopped, so it is the last line: the embedded
    // stores' start-up lines cannot follow it as if the gateway went on.
    await gateway.close();
    process.stderr.write(`cannot listen: ${describeListenError(error)}\n`);
    return 1;
  }
  const origin = new URL(listening.url).origin;
  const served = [gateway.config.name, ...gateway.additionalApis.map((a) => a.config.name)].map((name) => `"${name}"`);
  logger.info(`appsync-gateway serving ${served.join(', ')}`);
  // A config holding only an Event API serves no GraphQL API (docs/events.md#an-event-api-alone).
  const graphql = !isEventsOnly(gateway.config);
  process.stderr.write(
    [
      ...(graphql
        ? [
            `  GraphQL:        ${listening.url}`,
            `  Real-time:      ${listening.realtimeUrl}  (graphql-ws clients: ws://${new URL(listening.url).host}/graphql)`,
            `  GraphiQL:       ${origin}/`,
          ]
        : []),
      `  Step Functions: ${origin}/  (X-Amz-Target: AWSStepFunctions.*; page: ${origin}/stepfunctions)`,
      `  Management API: ${origin}/v1/  (AppSync's REST API: EvaluateCode)`,
      `  Health:         ${origin}/health`,
      ...(gateway.config.events ? [`  Events:         ${origin}/event  (WebSocket: ws://${new URL(origin).host}/event/realtime; docs/events.md)`] : []),
      // The Event API's own keys (a CloudFormation Event API's are always generated) are printed as the GraphQL API's are.
      ...[
        ...(graphql ? gateway.apiKeys : []).map((k) => ({ k, label: 'API key' })),
        ...(gateway.config.events?.apiKeys ?? []).filter((k) => !graphql || !gateway.apiKeys.includes(k)).map((k) => ({ k, label: 'Event API key' })),
      ].map(({ k, label }) => {
        const value = k.generated ? k.value : `${k.value.slice(0, 8)}… (from config)`;
        const expiry = k.expiresAt ? ` expires ${new Date(k.expiresAt * 1000).toISOString()}` : '';
        return `  ${label} ${k.name}: ${value}${expiry}`;
      }),
      // A CloudFormation input's other GraphQL APIs (docs/cloudformation.md#several-apis), each with its keys.
      ...gateway.additionalApis.flatMap(({ apiId, config }) => [
        `  GraphQL "${config.name}": ${origin}/apis/${apiId}/graphql  (real-time: ws://${new URL(origin).host}/apis/${apiId}/graphql/realtime)`,
        ...config.apiKeys.map((k) => `    API key ${k.name}: ${k.generated ? k.value : `${k.value.slice(0, 8)}… (from config)`}`),
      ]),
      // The further Event APIs of an `events:` list or template (docs/events.md#several-event-apis), each with its keys.
      ...(gateway.config.additionalEventApis ?? []).flatMap(({ apiId, events }) => [
        `  Events "${events.name}": ${origin}/apis/${apiId}/event  (WebSocket: ws://${new URL(origin).host}/apis/${apiId}/event/realtime)`,
        ...events.apiKeys.map((k) => `    Event API key ${k.name}: ${k.generated ? k.value : `${k.value.slice(0, 8)}… (from config)`}`),
      ]),
      '',
    ].join('\n'),
  );

  // A data source whose data folder cannot be opened (corrupted, not a database) stops the
  // gateway, as a config error does; other start failures are logged and the API keeps serving.
  let folderError: ConfigError | undefined;
  const folderFailed = gateway.ready().then(
    () => {
      logger.info('all data sources are ready');
      return new Promise<never>(() => undefined);
    },
    (error: Error) => {
      if (!(error instanceof ConfigError)) {
        logger.error('a data source failed to start', { error: error.message });
        return new Promise<never>(() => undefined);
      }
      folderError = error;
    },
  );

  let watcher: FSWatcher | undefined;
  if (values.watch) {
    let timer: NodeJS.Timeout | undefined;
    const root = dirname(configFile);
    // The stores write to the data folder all the time: it is never a reason to reload.
    const dataDir = gateway.dataDir;
    watcher = watch(root, { recursive: true }, (_event, file) => {
      if (file && /(^|\/)(node_modules|\.data|\.git)(\/|$)/.test(file)) return;
      if (file && dataDir && isInside(join(root, file), dataDir)) return;
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const next = await load();
          await gateway.reload(next.config);
          logger.info('reloaded the API', { file: file ?? undefined });
        } catch (error) {
          logger.error(`reload failed; the previous API keeps serving:\n${describeLoadError(error)}`);
        }
      }, 150);
    });
    logger.info(`watching ${root} for changes`);
  }

  await Promise.race([
    folderFailed,
    new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }),
  ]);
  watcher?.close();
  if (folderError) {
    process.stderr.write(`cannot start:\n  ${folderError.message}\n`);
    await gateway.close();
    return 1;
  }
  await gateway.close();
  return 0;
}

/** `export`: reads the API from the data folder the gateway would use here and writes it out. */
async function runExport(values: { api?: string; out?: string; force?: boolean; config?: string; 'data-dir'?: string; stage?: string }): Promise<number> {
  if (!values.api) {
    process.stderr.write('export: --api ID is required (the id or name of an API built through the management API)\n');
    return 2;
  }
  // The data folder `serve` would use: --data-dir, APPSYNC_GATEWAY_DATA_DIR, server.dataDir of the config, else .data beside it.
  let dataDir = values['data-dir'] ?? (process.env.APPSYNC_GATEWAY_DATA_DIR || undefined);
  if (!dataDir) {
    const configFile = values.config ?? (await findConfigFile(process.cwd()));
    if (configFile) {
      const loaded = await loadConfigFile(configFile, { stage: values.stage, env: process.env });
      const configured = (loaded.config.server as { dataDir?: string } | undefined)?.dataDir;
      dataDir = configured ? (isAbsolute(configured) ? configured : resolve(loaded.configDir, configured)) : join(loaded.configDir, '.data');
    } else dataDir = join(process.cwd(), '.data');
  }
  try {
    const result = await exportApi({
      dataDir,
      api: values.api,
      outDir: values.out ?? process.cwd(),
      writeConfig: values.out !== undefined,
      force: values.force ?? false,
    });
    if (values.out === undefined) process.stdout.write(result.yaml);
    process.stderr.write(`exported ${result.apiId}: ${result.written.join(', ')}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`export: ${(error as Error).message}\n`);
    return 1;
  }
}

/** `flush-cache`: FlushApiCache on a running gateway's management API. */
async function runFlushCache(values: { api?: string; url?: string; port?: string }): Promise<number> {
  const url = values.url ?? `http://127.0.0.1:${values.port ?? 4000}`;
  // Loaded only for this command: `serve` never needs the client.
  const { flushApiCacheAt } = await import('./management/client.js');
  try {
    const apiId = await flushApiCacheAt({ url, api: values.api });
    process.stdout.write(`flushed the API cache of ${apiId} at ${url}\n`);
    return 0;
  } catch (error) {
    const reason = error instanceof TypeError && error.cause instanceof Error ? error.cause.message : (error as Error).message;
    process.stderr.write(`flush-cache: ${reason}\n`);
    return 1;
  }
}
