/**
 * `appsync-gateway export --api ID`: an API built through the management API, written back out as
 * a config file plus its schema, resolver and function files, so a team can commit what it built
 * and serve it from files (docs/management-api.md#export).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { ApiDefinition } from './model.js';
import { toGatewayConfig } from './toConfig.js';

export interface ExportOptions {
  /** The data folder the gateway keeps its APIs in (`<folder>/apis/<apiId>/api.json`). */
  dataDir: string;
  /** The API's id or name. */
  api: string;
  /** Folder the schema, resolver and function files are written to. */
  outDir: string;
  /** Also write the config to `<outDir>/appsync.config.yml` (else it is only returned). */
  writeConfig: boolean;
  /** Overwrite files that exist. */
  force: boolean;
}

export interface ExportResult {
  apiId: string;
  /** The config as YAML. */
  yaml: string;
  /** The files written, relative to `outDir`. */
  written: string[];
}

/** Finds the API by id or name among those kept in `dataDir`. */
async function findApi(dataDir: string, wanted: string): Promise<ApiDefinition> {
  const folder = join(dataDir, 'apis');
  const direct = join(folder, wanted, 'api.json');
  if (existsSync(direct)) return JSON.parse(await readFile(direct, 'utf8')) as ApiDefinition;
  const names = existsSync(folder) ? await readdir(folder) : [];
  const kept: ApiDefinition[] = [];
  for (const name of names) {
    const file = join(folder, name, 'api.json');
    if (existsSync(file)) kept.push(JSON.parse(await readFile(file, 'utf8')) as ApiDefinition);
  }
  const byName = kept.find((def) => def.name === wanted);
  if (byName) return byName;
  const known = kept.map((def) => `${def.apiId} (${def.name})`).join(', ') || 'none';
  throw new Error(`no API ${JSON.stringify(wanted)} in ${folder}; the APIs kept there: ${known}`);
}

export async function exportApi(options: ExportOptions): Promise<ExportResult> {
  const def = await findApi(options.dataDir, options.api);
  const { config, files } = toGatewayConfig(def);
  const header = `# ${def.name} (${def.apiId}), exported by appsync-gateway from ${resolve(options.dataDir, 'apis', def.apiId)}.\n`;
  const yaml = header + stringify(config, { lineWidth: 0 });
  const targets = new Map(files);
  if (options.writeConfig) targets.set('appsync.config.yml', yaml);
  if (!options.force) {
    const clashing = [...targets.keys()].filter((file) => existsSync(join(options.outDir, file)));
    if (clashing.length > 0)
      throw new Error(
        `these files exist in ${resolve(options.outDir)}: ${clashing.join(', ')}; pass --force to overwrite them, or --out to choose another folder`,
      );
  }
  for (const [file, text] of targets) {
    const path = join(options.outDir, file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  }
  return { apiId: def.apiId, yaml, written: [...targets.keys()] };
}
