/**
 * Every curl in README.md runs, in the README's order, against the example API (appsync.config.yml
 * on its embedded defaults, as `npm start` serves it on a fresh clone) and answers without errors;
 * together they reach every Query and Mutation field of the example schema.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/index.js';
import { silentLogger } from '../utils/logger.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README_ORIGIN = 'http://127.0.0.1:4000';

interface Curl {
  line: number;
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** The `# {…}` line right after the command, when the README shows the answer. */
  expected: string | undefined;
}

/** Splits one shell command line into words: single and double quotes, as bash reads them here. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed ' in ${command}`);
      word = (word ?? '') + command.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let text = '';
      for (i++; i < command.length && command[i] !== '"'; i++) text += command[i] === '\\' && /["\\$`]/.test(command[i + 1] ?? '') ? command[++i] : command[i];
      word = (word ?? '') + text;
    } else if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * The curl commands of the README's ```sh blocks (a trailing backslash continues a line), or of its
 * ```console blocks, where a command follows `$ ` and the line after it is the answer shown.
 */
function readmeCurls(markdown: string, block: 'sh' | 'console' = 'sh'): Curl[] {
  const curls: Curl[] = [];
  const lines = markdown.split('\n');
  const prompt = block === 'sh' ? '' : '$ ';
  let inBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith('```')) {
      inBlock = !inBlock && line.trim() === `\`\`\`${block}`;
      continue;
    }
    if (!inBlock || !line.startsWith(`${prompt}curl `)) continue;
    const start = i;
    let command = line.slice(prompt.length);
    while (command.endsWith('\\')) command = command.slice(0, -1) + ' ' + lines[++i]!.trim();
    const words = shellWords(command);
    const curl: Curl = { line: start + 1, url: '', method: 'GET', headers: {}, body: undefined, expected: undefined };
    for (let w = 1; w < words.length; w++) {
      const word = words[w]!;
      if (word === '-s') continue;
      if (word === '-H') {
        const header = words[++w]!;
        const colon = header.indexOf(':');
        curl.headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
      } else if (word === '-d') {
        curl.body = words[++w]!;
        curl.method = 'POST';
      } else if (word === '-X') curl.method = words[++w]!;
      else if (/^https?:\/\//.test(word)) curl.url = word;
      else throw new Error(`README line ${start + 1}: the test does not know the curl option ${word}`);
    }
    const next = lines[i + 1] ?? '';
    if (block === 'sh' && next.startsWith('# {')) curl.expected = next.slice(2);
    if (block === 'console' && next !== '' && !next.startsWith('$') && !next.startsWith('```')) curl.expected = next;
    curls.push(curl);
  }
  return curls;
}

/** Query and Mutation fields declared by the example's schema files. */
async function exampleRootFields(schemaFiles: string[]): Promise<string[]> {
  const fields: string[] = [];
  for (const file of schemaFiles) {
    const doc = parse(await readFile(join(ROOT, file), 'utf8'));
    for (const def of doc.definitions) {
      if (
        (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) &&
        (def.name.value === 'Query' || def.name.value === 'Mutation')
      ) {
        for (const field of def.fields ?? []) fields.push(`${def.name.value}.${field.name.value}`);
      }
    }
  }
  return fields.sort();
}

/** The root fields one operation selects, as `Query.x` / `Mutation.y`, with their response keys. */
function selectedRootFields(doc: DocumentNode): Array<{ field: string; key: string }> {
  return doc.definitions.flatMap((def) =>
    def.kind === Kind.OPERATION_DEFINITION
      ? def.selectionSet.selections.flatMap((s) =>
          s.kind === Kind.FIELD
            ? [{ field: `${def.operation === 'mutation' ? 'Mutation' : 'Query'}.${s.name.value}`, key: s.alias?.value ?? s.name.value }]
            : [],
        )
      : [],
  );
}

let gateway: Gateway;
let origin: string;
let dataDir: string | undefined;
let curls: Curl[];
let schemaFiles: string[];

beforeAll(async () => {
  curls = readmeCurls(await readFile(join(ROOT, 'README.md'), 'utf8'));
  const loaded = await loadConfigFile(join(ROOT, 'appsync.config.yml'), { env: {} });
  schemaFiles = ([] as string[]).concat(loaded.config.schema ?? []);
  // A fresh data folder, as on a fresh clone (the repo's own .data/ may be held by `npm start`).
  dataDir = await mkdtemp(join(tmpdir(), 'appsync-gw-readme-'));
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silentLogger, dataDir });
  const { url } = await gateway.listen({ port: 0 });
  origin = new URL(url).origin;
  await gateway.ready();
});
afterAll(async () => {
  await gateway?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("README's curls", () => {
  it('cover every Query and Mutation field of the example API', async () => {
    const covered = new Set(
      curls.filter((c) => c.body).flatMap((c) => selectedRootFields(parse((JSON.parse(c.body!) as { query: string }).query)).map((s) => s.field)),
    );
    const fields = await exampleRootFields(schemaFiles);
    expect(fields.length).toBeGreaterThan(20);
    expect(fields.filter((f) => !covered.has(f))).toEqual([]);
  });

  it('each answers, in order, with data and no errors', async () => {
    expect(curls.length).toBeGreaterThan(20);
    for (const curl of curls) {
      expect(curl.url.startsWith(README_ORIGIN), `README line ${curl.line}: ${curl.url}`).toBe(true);
      const res = await fetch(origin + curl.url.slice(README_ORIGIN.length), { method: curl.method, headers: curl.headers, body: curl.body });
      const text = await res.text();
      const where = `README line ${curl.line}: ${curl.body} → ${res.status} ${text}`;
      expect(res.status, where).toBe(200);
      const answer = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: unknown[] };
      expect(answer.errors, where).toBeUndefined();
      for (const { key } of selectedRootFields(parse((JSON.parse(curl.body!) as { query: string }).query))) {
        expect(answer.data?.[key], where).not.toBeNull();
        expect(answer.data?.[key], where).toBeDefined();
      }
      if (curl.expected) expect(answer, where).toEqual(JSON.parse(curl.expected));
    }
  });

  it('the ```console curls answer what the README shows (… stands for any text)', async () => {
    const consoleCurls = readmeCurls(await readFile(join(ROOT, 'README.md'), 'utf8'), 'console');
    expect(consoleCurls.length).toBeGreaterThan(0);
    for (const curl of consoleCurls) {
      expect(curl.url.startsWith(README_ORIGIN), `README line ${curl.line}: ${curl.url}`).toBe(true);
      const res = await fetch(origin + curl.url.slice(README_ORIGIN.length), { method: curl.method, headers: curl.headers, body: curl.body });
      const text = await res.text();
      expect(curl.expected, `README line ${curl.line} shows no answer`).toBeDefined();
      const shown = new RegExp(
        `^${curl
          .expected!.split('…')
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*')}$`,
      );
      expect(text, `README line ${curl.line}`).toMatch(shown);
    }
  });

  it('what the README says of its examples holds: a refused channel, a denied field, a refused move', async () => {
    const post = async (query: string, auth: Record<string, string> = { 'x-api-key': 'da2-exampleexampleexample00' }) => {
      const res = await fetch(`${origin}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as { data: Record<string, unknown> | null; errors?: Array<{ errorType: string; errorInfo: unknown }> };
    };
    // "`channel: "Not Valid!"` is refused with a `ValidationError`"
    const invalid = await post('mutation { announce(channel: "Not Valid!", message: "x") { id } }');
    expect(invalid.errors?.map((e) => e.errorType)).toEqual(['ValidationError']);
    // "`demo-bob` sees `plan` as `null`, a denied field"
    expect(await post('{ me { user plan } }', { authorization: 'demo-bob' })).toEqual({ data: { me: { user: 'bob', plan: null } } });
    // "once `jazz` has too few seats left, the move is refused with `DynamoDB:TransactionCanceledException`,
    // the `cancellationReasons` in `errorInfo`, and neither event changes"
    const seats = async () => post('{ jazz: getEvent(id: "jazz") { seats } rock: getEvent(id: "rock") { seats } }');
    const move = 'mutation { moveSeats(from: "jazz", to: "rock", seats: 4) { from to seats } }';
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    let before: Awaited<ReturnType<typeof post>> | undefined;
    for (let tries = 0; tries < 5 && !refused; tries++) {
      before = await seats();
      const answer = await post(move);
      if (answer.errors) refused = answer;
    }
    expect(refused?.errors?.map((e) => e.errorType)).toEqual(['DynamoDB:TransactionCanceledException']);
    expect(refused?.errors?.[0]?.errorInfo).toMatchObject({ cancellationReasons: [{ type: 'ConditionalCheckFailed' }, { type: 'None' }] });
    expect(await seats()).toEqual(before);
  });

  it('remindTrip started a Standard execution that is running, for the Step Functions page to show', async () => {
    const res = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'da2-exampleexampleexample00' },
      body: JSON.stringify({ query: 'mutation { remindTrip(city: "Braga", inSeconds: 30) { executionArn startDate } }' }),
    });
    const { data } = (await res.json()) as { data: { remindTrip: { executionArn: string; startDate: string } } };
    expect(data.remindTrip.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:tripReminder:/);
    const describe = await fetch(`${origin}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.DescribeExecution' },
      body: JSON.stringify({ executionArn: data.remindTrip.executionArn }),
    });
    expect(describe.status).toBe(200);
    expect(await describe.json()).toMatchObject({ status: 'RUNNING', stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:tripReminder' });
  });
});
