/**
 * The registry of the APIs one gateway serves: those its input defines (read-only here) and
 * those built through the management API, kept under the data folder (`<folder>/apis/<apiId>/api.json`)
 * so they come back after a restart. A change is made on a copy and takes the place of the old
 * definition only once it is whole, so a refused change leaves nothing half-applied; listeners
 * (the server, which loads and swaps the served version) hear of every accepted change.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiDefinition, GraphqlApiSettings } from './model.js';
import type { RegistryStore } from './postgresStore.js';

/** The failures the registry answers with, named as AppSync names them (the management API sends them as they are). */
export class RegistryError extends Error {
  constructor(
    readonly errorName:
      'NotFoundException' | 'BadRequestException' | 'ConcurrentModificationException' | 'ApiKeyValidityOutOfBoundsException' | 'LimitExceededException',
    message: string,
    readonly statusCode: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'RegistryError';
  }
  static notFound(message: string): RegistryError {
    return new RegistryError('NotFoundException', message, 404);
  }
  static badRequest(message: string, extra: Record<string, unknown> = {}): RegistryError {
    return new RegistryError('BadRequestException', message, 400, extra);
  }
}

/** A change the registry accepted: `definition` undefined when the API was deleted. */
export type RegistryListener = (apiId: string, definition: ApiDefinition | undefined) => void;

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A random id in AppSync's style: 26 lower-case letters and digits. */
export function newId(length = 26): string {
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ID_ALPHABET[byte % ID_ALPHABET.length];
  return id;
}

/** Gateway choice: the config file's API id, when the config gives no `apiId`: its name, lower-cased, other characters as `-`. */
export function configApiIdOf(name: string, given?: unknown): string {
  if (typeof given === 'string' && given.trim() !== '') return given.trim();
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'api'
  );
}

export interface ApiRegistryOptions {
  /** Folder the APIs are kept in (and the served files written to); absent, they live in memory. */
  dir?: string;
  /** A store shared with other instances (PostgreSQL): the APIs are kept there instead of `dir`. */
  store?: RegistryStore;
  /** Told when a kept API cannot be read back (the rest still load). */
  warn(message: string): void;
}

export class ApiRegistry {
  readonly dir: string | undefined;
  readonly #store: RegistryStore | undefined;
  readonly #apis = new Map<string, ApiDefinition>();
  readonly #listeners = new Set<RegistryListener>();
  readonly #writes = new Map<string, Promise<void>>();
  /** The newest text of each API not written yet: a burst of changes is written once. */
  readonly #pending = new Map<string, string>();
  /** With a shared store: the newest definition of each API not saved yet. */
  readonly #latest = new Map<string, ApiDefinition>();
  #configApis = new Map<string, { definition: ApiDefinition; file?: string }>();

  private constructor(dir: string | undefined, store: RegistryStore | undefined) {
    this.dir = dir;
    this.#store = store;
  }

  /** Opens the registry, reading back every API kept in `options.dir`. */
  static async open(options: ApiRegistryOptions): Promise<ApiRegistry> {
    const registry = new ApiRegistry(options.dir, options.store);
    if (options.store) {
      for (const definition of await options.store.load()) registry.#apis.set(definition.apiId, definition);
      await options.store.subscribe((apiId, definition) => registry.#remote(apiId, definition));
      return registry;
    }
    if (!options.dir) return registry;
    let names: string[];
    try {
      names = await readdir(options.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return registry;
      throw error;
    }
    for (const name of names.sort()) {
      const file = join(options.dir, name, 'api.json');
      try {
        const definition = JSON.parse(await readFile(file, 'utf8')) as ApiDefinition;
        registry.#apis.set(definition.apiId, definition);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        options.warn(`the API kept in ${file} cannot be read, so it is not served: ${(error as Error).message}`);
      }
    }
    return registry;
  }

  /**
   * The APIs the gateway's input defines (read-only through the management API), set again after
   * each reload: the config file's GraphQL API, the further GraphQL APIs of a CloudFormation input
   * (docs/cloudformation.md#several-apis) and the input's Event API. Ids no longer given are told
   * to the listeners as deleted.
   */
  setConfigApis(apis: ReadonlyArray<{ definition: ApiDefinition; file?: string }>): void {
    const previous = [...this.#configApis.keys()];
    this.#configApis = new Map(apis.map((api) => [api.definition.apiId, { definition: api.definition, file: api.file }]));
    for (const apiId of previous) if (!this.#configApis.has(apiId)) this.#emit(apiId, undefined);
  }

  /** The config file's GraphQL API (served at `/graphql`): the first GraphQL API the input defines. */
  get configApiId(): string | undefined {
    for (const { definition } of this.#configApis.values()) if (!definition.eventApi) return definition.apiId;
    return undefined;
  }

  /** Whether `apiId` is an API of the gateway's input (read-only here), not one built through the management API. */
  isConfigApi(apiId: string): boolean {
    return this.#configApis.has(apiId);
  }

  /** Every API, those of the gateway's input first. */
  list(): ApiDefinition[] {
    return [...[...this.#configApis.values()].map((api) => api.definition), ...this.#apis.values()];
  }

  /** The APIs built through the management API. */
  built(): ApiDefinition[] {
    return [...this.#apis.values()];
  }

  /** The API, or a NotFoundException as AppSync words it. */
  get(apiId: string): ApiDefinition {
    const fixed = this.#configApis.get(apiId);
    if (fixed) return fixed.definition;
    const definition = this.#apis.get(apiId);
    if (!definition) throw RegistryError.notFound(`GraphQL API ${apiId} not found.`);
    return definition;
  }

  has(apiId: string): boolean {
    return this.#configApis.has(apiId) || this.#apis.has(apiId);
  }

  onChange(listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Adds an API. Gateway choice: names are unique within a gateway (AppSync allows repeats). */
  create(settings: GraphqlApiSettings, tags: Record<string, string> = {}, extra: Pick<ApiDefinition, 'eventApi'> = {}): ApiDefinition {
    this.#checkName(settings.name, undefined);
    let apiId = newId();
    while (this.has(apiId)) apiId = newId();
    const definition: ApiDefinition = {
      ...settings,
      apiId,
      tags: { ...tags },
      dataSources: [],
      functions: [],
      resolvers: [],
      apiKeys: [],
      environmentVariables: {},
      ...extra,
      revision: 1,
    };
    this.#apis.set(apiId, definition);
    this.#persist(definition);
    this.#emit(apiId, definition);
    return definition;
  }

  /**
   * Changes an API: `change` edits a copy, which replaces the definition only if it returns
   * without throwing. The config file's API answers a BadRequestException saying to edit the file.
   */
  update<T>(apiId: string, change: (draft: ApiDefinition) => T): { definition: ApiDefinition; result: T } {
    const current = this.get(apiId);
    this.#refuseConfigApi(apiId);
    const draft = copyForChange(current);
    const result = change(draft);
    if (draft.name !== current.name) this.#checkName(draft.name, apiId);
    draft.apiId = apiId;
    draft.revision = current.revision + 1;
    this.#apis.set(apiId, draft);
    this.#persist(draft);
    this.#emit(apiId, draft);
    return { definition: draft, result };
  }

  /**
   * Ends a schema creation once the server has applied `revision`: a schema in PROCESSING that this
   * revision includes becomes SUCCESS, or FAILED with `failure`. Not a new revision.
   */
  noteSchemaApplied(apiId: string, revision: number, failure?: string): void {
    const current = this.#apis.get(apiId);
    const status = current?.schemaStatus;
    if (!current || status?.status !== 'PROCESSING' || (status.revision ?? 0) > revision) return;
    current.schemaStatus = failure === undefined ? { status: 'SUCCESS', details: 'The schema was applied.' } : { status: 'FAILED', details: failure };
    this.#persist(current);
  }

  delete(apiId: string): void {
    this.get(apiId);
    this.#refuseConfigApi(apiId);
    this.#apis.delete(apiId);
    this.#pending.delete(apiId);
    this.#latest.delete(apiId);
    const store = this.#store;
    if (store) this.#queue(apiId, () => store.remove(apiId));
    // The served files (and, without a shared store, the definition) go with it.
    if (this.dir) this.#queue(apiId, () => rm(join(this.dir!, apiId), { recursive: true, force: true }));
    this.#emit(apiId, undefined);
  }

  /** Resolves when what was accepted so far is on disk (a write failure rejects). */
  async flush(apiId?: string): Promise<void> {
    if (apiId !== undefined) await this.#writes.get(apiId);
    else await Promise.all(this.#writes.values());
  }

  #refuseConfigApi(apiId: string): void {
    const fixed = this.#configApis.get(apiId);
    if (!fixed) return;
    const file = fixed.file ? ` ${fixed.file}` : '';
    throw RegistryError.badRequest(
      `The ${fixed.definition.eventApi ? 'Event' : 'GraphQL'} API ${apiId} is defined by the gateway's config file${file} ` +
        'and is read-only through the management API: edit the file to change it (the gateway reloads it under --watch).',
    );
  }

  #checkName(name: string, self: string | undefined): void {
    const clash = this.list().find((api) => api.name === name && api.apiId !== self);
    if (clash)
      throw RegistryError.badRequest(
        `${clash.eventApi ? 'An Event' : 'A GraphQL'} API named ${name} already exists (${clash.apiId}); appsync-gateway keeps API names unique.`,
      );
  }

  /** A change another instance made (shared store). */
  #remote(apiId: string, definition: ApiDefinition | undefined): void {
    if (this.#configApis.has(apiId)) return;
    // A copy older than this instance's (read after a newer local change) must not undo that change.
    const local = this.#apis.get(apiId);
    if (definition && local && definition.revision < local.revision) return;
    if (definition) this.#apis.set(apiId, definition);
    else if (!this.#apis.delete(apiId)) return;
    this.#emit(apiId, definition);
  }

  /** Closes the shared store's connections. */
  async close(): Promise<void> {
    await this.#store?.close();
  }

  #persist(definition: ApiDefinition): void {
    if (this.#store) {
      const store = this.#store;
      const apiId = definition.apiId;
      const queued = this.#pending.has(apiId);
      this.#pending.set(apiId, '');
      this.#latest.set(apiId, definition);
      if (queued) return;
      this.#queue(apiId, async () => {
        this.#pending.delete(apiId);
        const latest = this.#latest.get(apiId);
        this.#latest.delete(apiId);
        if (latest) await store.save(latest);
      });
      return;
    }
    if (!this.dir) return;
    const apiId = definition.apiId;
    const folder = join(this.dir, apiId);
    const queued = this.#pending.has(apiId);
    this.#pending.set(apiId, `${JSON.stringify(definition, null, 2)}\n`);
    // A write already queued and not started takes the newest text when it runs.
    if (queued) return;
    this.#queue(apiId, async () => {
      const text = this.#pending.get(apiId);
      this.#pending.delete(apiId);
      if (text === undefined) return;
      await mkdir(folder, { recursive: true });
      // Written beside and renamed over, so a crash leaves the old file or the new one, never half of one.
      await writeFile(join(folder, 'api.json.tmp'), text);
      await rename(join(folder, 'api.json.tmp'), join(folder, 'api.json'));
    });
  }

  #queue(apiId: string, write: () => Promise<unknown>): void {
    const previous = this.#writes.get(apiId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(write);
    const settled = next.then(() => undefined);
    this.#writes.set(apiId, settled);
    const forget = () => {
      if (this.#writes.get(apiId) === settled) this.#writes.delete(apiId);
    };
    settled.then(forget, forget);
  }

  #emit(apiId: string, definition: ApiDefinition | undefined): void {
    for (const listener of this.#listeners) listener(apiId, definition);
  }
}

/**
 * The copy a change edits: its own lists, maps and API key entries (changes edit keys in place);
 * data sources, functions and resolvers are replaced whole by the handlers, never edited, so they
 * are shared with the definition in force (copying 1,000 resolvers at each change was most of a
 * CreateResolver's time).
 */
function copyForChange(current: ApiDefinition): ApiDefinition {
  return {
    ...current,
    tags: { ...current.tags },
    dataSources: [...current.dataSources],
    functions: [...current.functions],
    resolvers: [...current.resolvers],
    apiKeys: current.apiKeys.map((key) => ({ ...key })),
    environmentVariables: { ...current.environmentVariables },
    ...(current.eventApi ? { eventApi: { ...current.eventApi, channelNamespaces: [...current.eventApi.channelNamespaces] } } : {}),
  };
}
