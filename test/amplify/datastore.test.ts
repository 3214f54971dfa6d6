/**
 * Amplify Gen 1 with conflict detection (what DataStore needs): Amplify's transformer with the project's
 * `ConflictDetection: VERSION` / `ConflictHandler: AUTOMERGE` generates versioned DynamoDB data
 * sources, `_version`/`_deleted`/`_lastChangedAt` on every model and the `sync*` queries; the gateway
 * serves that build folder and each write goes through the versioned-data-source path, as on AppSync
 * (docs/amplify.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway } from '../../src/index.js';
import { loadCloudFormation } from '../../src/config/cloudformation/index.js';
import { generateAmplifyBuild, type AmplifyBuild } from './generate.js';
import { silentLogger } from '../utils/logger.js';

const SCHEMA = /* GraphQL */ `
  type Item @model @auth(rules: [{ allow: public }]) {
    id: ID!
    name: String
    tags: [String]
  }
`;

let gateway: Gateway;
let url: string;
let apiKey: string;
let build: AmplifyBuild;

beforeAll(async () => {
  build = generateAmplifyBuild({ schema: SCHEMA, conflictHandler: 'AUTOMERGE' });
  const loaded = await loadCloudFormation(build.dir);
  gateway = await createGateway(loaded.config, { logger: silentLogger, inMemory: true, configDir: loaded.configDir });
  url = (await gateway.listen({ port: 0, host: '127.0.0.1' })).url;
  await gateway.ready();
  apiKey = gateway.apiKeys[0]!.value;
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  build?.remove();
});

async function gql(query: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify({ query }) });
  return res.json();
}

describe('Amplify conflict detection (VERSION, AUTOMERGE) on the versioned DynamoDB path', () => {
  it('a create starts at _version 1 with _lastChangedAt (its condition arrives parenthesised, as Amplify renders it)', async () => {
    const { data, errors } = await gql('mutation { createItem(input: { id: "i1", name: "first", tags: ["a"] }) { id name _version _deleted _lastChangedAt } }');
    expect(errors).toBeUndefined();
    expect(data.createItem).toEqual({ id: 'i1', name: 'first', _version: 1, _deleted: null, _lastChangedAt: expect.any(Number) });
  });

  it('an update with the current _version moves it on', async () => {
    const { data } = await gql('mutation { updateItem(input: { id: "i1", name: "second", _version: 1 }) { name _version } }');
    expect(data.updateItem).toEqual({ name: 'second', _version: 2 });
  });

  it('a stale update is auto-merged: lists are unioned, the stored scalar wins, the version moves on', async () => {
    const { data, errors } = await gql('mutation { updateItem(input: { id: "i1", name: "stale", tags: ["b"], _version: 1 }) { name tags _version } }');
    expect(errors).toBeUndefined();
    expect(data.updateItem).toEqual({ name: 'second', tags: ['a', 'b'], _version: 3 });
  });

  it('syncItems returns the items with their metadata and startedAt', async () => {
    const { data } = await gql('{ syncItems { items { id name _version _deleted } nextToken startedAt } }');
    expect(data.syncItems).toEqual({ items: [{ id: 'i1', name: 'second', _version: 3, _deleted: null }], nextToken: null, startedAt: expect.any(Number) });
  });

  it('a delete with a stale _version is rejected as a conflict; with the current one the item becomes a tombstone', async () => {
    const stale = await gql('mutation { deleteItem(input: { id: "i1", _version: 1 }) { id } }');
    expect(stale.errors[0]).toMatchObject({ errorType: 'ConflictUnhandled', message: 'Conflict resolver rejects mutation.' });
    const { data } = await gql('mutation { deleteItem(input: { id: "i1", _version: 3 }) { id _deleted _version } }');
    expect(data.deleteItem).toEqual({ id: 'i1', _deleted: true, _version: 4 });
    const synced = await gql('{ syncItems { items { id _deleted } } }');
    expect(synced.data.syncItems.items).toEqual([{ id: 'i1', _deleted: true }]);
  });
});
