/**
 * The management API (`BENCH_ONLY=management npm run bench`; docs/management-api.md):
 *
 * - StartSchemaCreation on an API with 200 types and 1,000 JS resolvers (NONE data source), after
 *   the resolvers' own first load (timed apart: it takes each code as CreateResolver's check
 *   compiled it, src/resolvers/appsync-js/checkedCompiles.ts, and registers it): the time
 *   from the call to GetSchemaCreationStatus answering SUCCESS, i.e. the new schema checked, the
 *   API's files written, a new version loaded (1,000 resolvers compiled and registered in a fresh
 *   sandbox process) and swapped in. Target: < 1 s. The first upload (with no resolvers yet) and the
 *   1,000 CreateResolver calls made before it are reported too.
 * - EvaluateCode calls per second through `@aws-sdk/client-appsync`, one caller and eight.
 *
 * The gateway is the built CLI (`bin/appsync-gateway.mjs serve` on dist/, what users run), with
 * its data folder in a temp folder; the SDK calls it over HTTP.
 */
import * as A from '@aws-sdk/client-appsync';
import type { BenchRow } from './run.js';
import { startCliProject } from './serverProcess.js';

const TYPES = 200;
const FIELDS = 5;
const RUNTIME = { name: 'APPSYNC_JS', runtimeVersion: '1.0.0' } as const;

function schema(extra = ''): string {
  const types = Array.from({ length: TYPES }, (_, t) => `type T${t} { ${Array.from({ length: FIELDS }, (_, f) => `f${f}: String`).join(' ')} }`);
  return `${types.join('\n')}\ntype Query { ${Array.from({ length: TYPES }, (_, t) => `t${t}: T${t}`).join(' ')} }\n${extra}`;
}

async function untilSettled(appsync: A.AppSyncClient, apiId: string): Promise<string> {
  for (;;) {
    const { status, details } = await appsync.send(new A.GetSchemaCreationStatusCommand({ apiId }));
    if (status !== 'PROCESSING') {
      if (status !== 'SUCCESS') throw new Error(`schema creation ${status}: ${details}`);
      return status;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function runManagementBench(): Promise<BenchRow[]> {
  const gateway = await startCliProject('management', {
    'appsync.config.yml': "name: bench-management\nschemaSdl: 'type Query { ping: String }'\nauthentication:\n  type: API_KEY\n",
  });
  const { port } = gateway;
  const appsync = new A.AppSyncClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  });
  const rows: BenchRow[] = [];
  try {
    const apiId = (await appsync.send(new A.CreateGraphqlApiCommand({ name: 'big', authenticationType: 'API_KEY' }))).graphqlApi!.apiId!;
    let started = performance.now();
    await appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode(schema()) }));
    await untilSettled(appsync, apiId);
    rows.push({ name: `StartSchemaCreation, ${TYPES} types, no resolvers yet → SUCCESS`, value: Math.round(performance.now() - started), unit: 'ms' });

    await appsync.send(new A.CreateDataSourceCommand({ apiId, name: 'none', type: 'NONE' }));
    started = performance.now();
    for (let t = 0; t < TYPES; t++) {
      await Promise.all(
        Array.from({ length: FIELDS }, (_, f) =>
          appsync.send(
            new A.CreateResolverCommand({
              apiId,
              typeName: `T${t}`,
              fieldName: `f${f}`,
              dataSourceName: 'none',
              runtime: RUNTIME,
              code: `export function request(ctx) { return { payload: 'T${t}.f${f}' }; }\nexport function response(ctx) { return ctx.result; }`,
            }),
          ),
        ),
      );
    }
    const perResolver = (performance.now() - started) / (TYPES * FIELDS);
    rows.push({ name: `CreateResolver × ${TYPES * FIELDS} (5 at a time, code checked)`, value: Math.round(1000 / perResolver), unit: 'calls/s' });

    // The resolvers apply in the background after the last call; a request to the API waits for
    // that version. Timed apart: it is the first load of 1,000 new codes, each taken as
    // CreateResolver's check compiled it (the schema rounds below find them in the compile cache,
    // as a restart does).
    started = performance.now();
    const key = (await appsync.send(new A.CreateApiKeyCommand({ apiId }))).apiKey!.id!;
    const { graphqlApi } = await appsync.send(new A.GetGraphqlApiCommand({ apiId }));
    const answer = await fetch(graphqlApi!.uris!.GRAPHQL!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    if (!answer.ok) throw new Error(`the API did not answer after its resolvers were created: ${answer.status} ${await answer.text()}`);
    rows.push({
      name: `the ${TYPES * FIELDS} created resolvers applied (first load; each code as its check compiled it) → first answer`,
      value: Math.round(performance.now() - started),
      unit: 'ms',
    });

    const times: number[] = [];
    for (let round = 0; round < 3; round++) {
      started = performance.now();
      await appsync.send(new A.StartSchemaCreationCommand({ apiId, definition: new TextEncoder().encode(schema(`# round ${round}\n`)) }));
      await untilSettled(appsync, apiId);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    rows.push({
      name: `StartSchemaCreation, ${TYPES} types / ${TYPES * FIELDS} resolvers → SUCCESS (median of 3)`,
      value: Math.round(times[1]!),
      unit: 'ms',
      note: `target < 1000 ms; runs ${times.map((t) => Math.round(t)).join(', ')} ms`,
    });

    const evaluate = () =>
      appsync.send(
        new A.EvaluateCodeCommand({
          runtime: RUNTIME,
          code: "import { util } from '@aws-appsync/utils';\nexport function request(ctx) { return { id: util.autoId(), n: ctx.args.n * 2 }; }\nexport function response(ctx) { return ctx.result; }",
          context: JSON.stringify({ arguments: { n: 21 } }),
          function: 'request',
        }),
      );
    await evaluate();
    for (const callers of [1, 8]) {
      let calls = 0;
      const until = performance.now() + 3000;
      started = performance.now();
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (performance.now() < until) {
            await evaluate();
            calls++;
          }
        }),
      );
      rows.push({
        name: `EvaluateCode, ${callers} caller${callers > 1 ? 's' : ''} (SDK over HTTP)`,
        value: Math.round(calls / ((performance.now() - started) / 1000)),
        unit: 'calls/s',
      });
    }
  } finally {
    appsync.destroy();
    await gateway.stop();
  }
  return rows;
}
