/**
 * The example API that `npm start` serves (appsync.config.yml, schemas/, resolvers/), on its
 * embedded defaults: NONE, DynamoDB (embedded store) and Postgres (embedded PGlite) fields.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/config/index.js';
import { createGateway, type Gateway } from '../../src/index.js';
import { silentLogger } from '../utils/logger.js';

const CONFIG = fileURLToPath(new URL('../../appsync.config.yml', import.meta.url));
let gateway: Gateway;
let url: string;
let storeDir: string | undefined;

beforeAll(async () => {
  const loaded = await loadConfigFile(CONFIG, { env: {} });
  // Not the repo's own .data folder: `npm start` or the CLI test may hold it.
  storeDir = await mkdtemp(join(tmpdir(), 'appsync-gw-example-'));
  gateway = await createGateway(loaded.config, { configDir: loaded.configDir, logger: silentLogger, dataDir: storeDir });
  ({ url } = await gateway.listen({ port: 0 }));
  await gateway.ready();
});
afterAll(async () => {
  await gateway?.close();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
});

async function query(q: string, variables?: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'da2-exampleexampleexample00' },
    body: JSON.stringify({ query: q, variables }),
  });
  return res.json();
}

describe('the example API', () => {
  it('NONE: hello and a validating pipeline', async () => {
    expect(await query('{ hello(name: "docs") }')).toEqual({ data: { hello: 'Hello, docs! (API Key Authorization)' } });
    const bad = await query('mutation { announce(channel: "Not Valid!", message: "x") { id } }');
    expect(bad.errors[0]).toMatchObject({ errorType: 'ValidationError', errorInfo: { field: 'channel' } });
  });

  it('DynamoDB: create, book until full, optimistic rename, list by city', async () => {
    const created = await query('mutation($i: CreateEventInput!) { createEvent(input: $i) { id seats version } }', {
      i: { name: 'Meetup', city: 'Porto', startsAt: '2030-06-01T18:00:00Z', seats: 1 },
    });
    const { id } = created.data.createEvent;
    expect(created.data.createEvent).toMatchObject({ seats: 1, version: 1 });
    expect((await query(`mutation { bookSeat(id: "${id}") { seats version } }`)).data.bookSeat).toEqual({ seats: 0, version: 2 });
    const full = await query(`mutation { bookSeat(id: "${id}") { seats } }`);
    expect(full.errors[0]).toMatchObject({ errorType: 'DynamoDB:ConditionalCheckFailedException', message: 'This event is fully booked.' });
    const conflict = await query(`mutation { renameEvent(id: "${id}", name: "X", expectedVersion: 1) { name } }`);
    expect(conflict.errors[0]).toMatchObject({ errorType: 'DynamoDB:ConditionalCheckFailedException' });
    expect((await query(`mutation { renameEvent(id: "${id}", name: "Porto Meetup", expectedVersion: 2) { name version } }`)).data.renameEvent).toEqual({
      name: 'Porto Meetup',
      version: 3,
    });
    const inCity = await query('{ eventsInCity(city: "Porto") { items { name } nextToken } }');
    expect(inCity.data.eventsInCity.items).toContainEqual({ name: 'Porto Meetup' });
  });

  it('DynamoDB: moveSeats moves seats in one transaction, or refuses and changes neither event', async () => {
    const create = async (seats: number) =>
      (
        await query('mutation($i: CreateEventInput!) { createEvent(input: $i) { id } }', {
          i: { name: 'Gig', city: 'Braga', startsAt: '2030-07-01T20:00:00Z', seats },
        })
      ).data.createEvent.id as string;
    const [a, b] = [await create(5), await create(1)];
    const seatsOf = async () => {
      const { data } = await query(`{ a: getEvent(id: "${a}") { seats version } b: getEvent(id: "${b}") { seats version } }`);
      return [data.a, data.b];
    };
    expect(await query(`mutation { moveSeats(from: "${a}", to: "${b}", seats: 3) { from to seats } }`)).toEqual({
      data: { moveSeats: { from: a, to: b, seats: 3 } },
    });
    expect(await seatsOf()).toEqual([
      { seats: 2, version: 2 },
      { seats: 4, version: 2 },
    ]);
    const tooMany = await query(`mutation { moveSeats(from: "${a}", to: "${b}", seats: 3) { seats } }`);
    expect(tooMany.data).toEqual({ moveSeats: null });
    expect(tooMany.errors[0]).toMatchObject({
      errorType: 'DynamoDB:TransactionCanceledException',
      message: `Event ${a} has 2 seats left.`,
      errorInfo: {
        cancellationReasons: [
          { type: 'ConditionalCheckFailed', message: 'The conditional request failed', item: expect.objectContaining({ id: a, seats: 2 }) },
          { type: 'None', message: null },
        ],
      },
    });
    const noSuchEvent = await query(`mutation { moveSeats(from: "${a}", to: "nope", seats: 1) { seats } }`);
    expect(noSuchEvent.errors[0]).toMatchObject({ errorType: 'DynamoDB:TransactionCanceledException', message: 'Event nope does not exist.' });
    expect(await seatsOf()).toEqual([
      { seats: 2, version: 2 },
      { seats: 4, version: 2 },
    ]);
  });

  it("the README's transaction curls work as written, then refuse once too few seats are left", async () => {
    const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const block = readme.slice(readme.indexOf('A transaction: two events'));
    const payloads = [...block.slice(0, block.indexOf('```\n', block.indexOf('moveSeats(from:'))).matchAll(/-d '(.+)'$/gm)].map(
      (m) => JSON.parse(m[1]!) as { query: string },
    );
    expect(payloads).toHaveLength(2);
    const [create, move] = payloads as [{ query: string }, { query: string }];
    expect(await query(create.query)).toEqual({ data: { jazz: { id: 'jazz', seats: 10 }, rock: { id: 'rock', seats: 0 } } });
    expect(await query(move.query)).toEqual({ data: { moveSeats: { from: 'jazz', to: 'rock', seats: 4 } } });
    expect(await query(move.query)).toEqual({ data: { moveSeats: { from: 'jazz', to: 'rock', seats: 4 } } });
    const refused = await query(move.query);
    expect(refused.errors[0]).toMatchObject({ errorType: 'DynamoDB:TransactionCanceledException', message: 'Event jazz has 2 seats left.' });
    expect((await query('{ jazz: getEvent(id: "jazz") { seats } rock: getEvent(id: "rock") { seats } }')).data).toEqual({
      jazz: { seats: 2 },
      rock: { seats: 8 },
    });
  });

  it('Lambda: a direct resolver runs the in-process handler', async () => {
    expect(await query('{ forecast(city: "Lisbon") { city condition highC } }')).toEqual({
      data: { forecast: { city: 'Lisbon', condition: 'windy', highC: 25 } },
    });
  });

  it('Step Functions: planTrip runs the Express machine (Lambda Task, Choice, States.Format)', async () => {
    expect(await query('{ planTrip(city: "Lisbon") { city condition highC advice } }')).toEqual({
      data: { planTrip: { city: 'Lisbon', condition: 'windy', highC: 25, advice: 'Pack sunscreen for Lisbon.' } },
    });
    // Rain wins over heat (first matching rule); neither gives the Default.
    expect((await query('{ planTrip(city: "London") { condition highC advice } }')).data.planTrip).toEqual({
      condition: 'rain',
      highC: 28,
      advice: 'Find a museum in London.',
    });
    expect((await query('{ planTrip(city: "Porto") { advice } }')).data.planTrip).toEqual({ advice: 'Take a walk around Porto.' });
  });

  it('Postgres: the seeded library answers a JOIN', async () => {
    const { data } = await query('{ getBook(id: "1") { title authorName } }');
    expect(data.getBook).toEqual({ title: 'Adventures of Huckleberry Finn', authorName: 'Mark Twain' });
  });
});
