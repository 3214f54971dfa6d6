/**
 * Parsed VTL templates, kept by their text so a start does not parse the same templates again: on
 * disk beside the compile cache (`<config folder>/.data/cache/vtl/`, or `$APPSYNC_GATEWAY_CACHE_DIR/vtl/`;
 * `APPSYNC_GATEWAY_CACHE_DIR=off` keeps nothing on disk), and in memory for one load (an Amplify
 * API repeats many templates). The tree goes to the sandbox processes with the text
 * (protocol.ts `VtlTemplates`), so they do not parse it either: velocityjs's parser is most of
 * the start-up of an API with a few hundred templates (docs/startup.md).
 *
 * An entry is the tree's JSON after its sha256, so a damaged file is a miss, never a wrong tree; its
 * name is the sha256 of the text, the velocityjs version and the parse step (parseTemplate.ts
 * `PARSE_IDENTITY`). Templates that do not parse are not kept (the load refuses them).
 * A cache that cannot be read or written only costs speed, as the compile cache's does.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, sep } from 'node:path';
import type { Logger } from '../../datasources/types.js';
import { parsedTemplate, PARSE_IDENTITY, type TemplateSyntaxError } from '../guest/vtl/parseTemplate.js';

/** Bump when the entry layout changes. */
const FORMAT = 1;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let identity: string | undefined;
/** The parser's part of every key: velocityjs's version and the parse step. */
function parserIdentity(): string {
  if (identity === undefined) {
    // velocityjs's `exports` leave out package.json: it is read beside the resolved entry.
    const entry = createRequire(import.meta.url).resolve('velocityjs');
    const root = entry.slice(0, entry.lastIndexOf(`${sep}velocityjs${sep}`) + `${sep}velocityjs`.length);
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof version !== 'string') throw new Error(`no version in ${join(root, 'package.json')}`);
    identity = sha256(`format ${FORMAT}\nvelocityjs ${version}\n${PARSE_IDENTITY}`);
  }
  return identity;
}

/**
 * A stored entry's text, or undefined when there is none (or it cannot be read: a miss, which parses
 * the template again). Read synchronously: a load reads one entry per distinct template, and a
 * promise-based read costs several event-loop round trips (about 4× the CPU of a synchronous one).
 */
function readEntry(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A template's tree as JSON, or why it does not parse. */
export type ParsedTemplate = { astJson: string } | { syntax: TemplateSyntaxError };

export class TemplateCache {
  #dir: string | undefined;
  readonly #logger: Logger | undefined;
  readonly #loaded = new Map<string, Promise<ParsedTemplate>>();
  #madeDir: Promise<unknown> | undefined;

  private constructor(dir: string | undefined, logger: Logger | undefined) {
    this.#dir = dir;
    this.#logger = logger;
  }

  /**
   * The cache for an API whose config lives in `configDir` (in memory only when
   * `APPSYNC_GATEWAY_CACHE_DIR=off`); `logger` hears once when the folder cannot be written.
   */
  static open(configDir: string, env: NodeJS.ProcessEnv = process.env, logger?: Logger): TemplateCache {
    const setting = env.APPSYNC_GATEWAY_CACHE_DIR;
    if (setting === 'off' || setting === '0' || setting === 'false') return new TemplateCache(undefined, logger);
    try {
      parserIdentity();
    } catch (error) {
      logger?.warn('the VTL template cache keeps nothing on disk: the parser version cannot be read', { error: (error as Error).message });
      return new TemplateCache(undefined, logger);
    }
    return new TemplateCache(setting ? join(setting, 'vtl') : join(configDir, '.data', 'cache', 'vtl'), logger);
  }

  /** `text` parsed: from this load, else from disk, else parsed now (and kept). */
  parse(text: string): Promise<ParsedTemplate> {
    let parsed = this.#loaded.get(text);
    if (!parsed) {
      parsed = this.#parse(text);
      this.#loaded.set(text, parsed);
    }
    return parsed;
  }

  async #parse(text: string): Promise<ParsedTemplate> {
    const path = this.#dir === undefined ? undefined : join(this.#dir, `${sha256(`${parserIdentity()}\n${text}`)}.json`);
    if (path) {
      const stored = readEntry(path);
      const split = stored?.indexOf('\n') ?? -1;
      if (stored !== undefined && split === 64 && sha256(stored.slice(65)) === stored.slice(0, 64)) return { astJson: stored.slice(65) };
    }
    const parsed = parsedTemplate(text);
    if ('syntax' in parsed) return parsed;
    const astJson = JSON.stringify(parsed.ast);
    if (path) void this.#store(path, astJson);
    return { astJson };
  }

  async #store(path: string, astJson: string): Promise<void> {
    try {
      await (this.#madeDir ??= mkdir(this.#dir!, { recursive: true }));
      // Written aside and renamed, so a gateway starting meanwhile never reads half an entry.
      const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
      await writeFile(temp, `${sha256(astJson)}\n${astJson}`);
      await rename(temp, path);
    } catch (error) {
      // A cache that cannot be written only costs speed; said once, and this load stops trying.
      if (this.#dir === undefined) return;
      this.#logger?.warn(`the VTL template cache cannot be written; templates are parsed at every start`, { dir: this.#dir, error: (error as Error).message });
      this.#dir = undefined;
    }
  }
}
