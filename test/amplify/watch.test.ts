/**
 * `serve --config amplify/backend/api/NAME/build --watch` on the built CLI: an edit of one of the
 * build's resolver templates (what `amplify api gql-compile` rewrites) reloads the API, and the
 * next request runs the new template — the parsed-template cache keys by text, so it cannot hand
 * back the old one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAmplifyBuild, type AmplifyBuild } from './generate.js';

const BIN = join(import.meta.dirname, '../../bin/appsync-gateway.mjs');
let build: AmplifyBuild;
let child: ChildProcess | undefined;

beforeAll(() => {
  build = generateAmplifyBuild({ schema: 'type Note @model @auth(rules: [{ allow: public }]) { id: ID! title: String }' });
});
afterAll(() => {
  child?.kill('SIGTERM');
  build?.remove();
});

/** Starts `serve` and resolves with the GraphQL URL and the API key it prints, and the output so far. */
function serve(args: string[]): Promise<{ url: string; key: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--in-memory', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    const onData = (d: Buffer) => {
      output += d;
      const url = /GraphQL:\s+(http:\/\/\S+)/.exec(output);
      const key = /API key [^:]+: (da2-\S+)/.exec(output);
      if (url && key) resolve({ url: url[1]!, key: key[1]!, output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('close', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
}

describe('serve an Amplify build with --watch', () => {
  it('an edited resolver template is the one the next request runs', async () => {
    const { url, key, output } = await serve(['--config', build.dir, '--watch']);
    const query = async (q: string, variables?: object) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query: q, variables }),
      });
      return (await res.json()) as { data?: Record<string, { id: string; title: string } | null>; errors?: unknown[] };
    };
    const created = await query('mutation($i: CreateNoteInput!) { createNote(input: $i) { id title } }', { i: { title: 'first' } });
    expect(created.errors).toBeUndefined();
    const id = created.data!.createNote!.id;
    expect((await query('query($id: ID!) { getNote(id: $id) { id title } }', { id })).data!.getNote).toEqual({ id, title: 'first' });

    // The resolver-level response template of getNote: the pipeline's last word on the answer.
    const file = readdirSync(join(build.dir, 'resolvers')).find((f) => f === 'Query.getNote.res.vtl');
    expect(file, 'the transformer writes Query.getNote.res.vtl').toBeDefined();
    writeFileSync(join(build.dir, 'resolvers', file!), '$util.toJson({ "id": $ctx.args.id, "title": "from the edited template" })\n');

    const deadline = Date.now() + 20_000;
    let answer: unknown;
    while (Date.now() < deadline) {
      answer = (await query('query($id: ID!) { getNote(id: $id) { id title } }', { id })).data?.getNote;
      if ((answer as { title?: string } | null)?.title === 'from the edited template') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(answer).toEqual({ id, title: 'from the edited template' });
    expect(output()).toMatch(/reloaded the API/);
    // The item written before the reload is still there for the unedited resolvers.
    const listed = (await query('{ listNotes { items { id title } } }')) as unknown as { data: { listNotes: { items: { id: string; title: string }[] } } };
    expect(listed.data.listNotes.items).toEqual([{ id, title: 'first' }]);
  }, 90_000);
});
