/**
 * Loading a VTL resolver or pipeline function (docs/resolvers.md#vtl-mapping-templates): its
 * `request:` / `response:` template files are read, their `substitutions` applied, checked against
 * AppSync's 64 KB template limit and parsed (a template that does not parse is refused at load with
 * `file:line:column`, as AppSync refuses it at deploy), then registered in the sandbox with their
 * trees, which its processes render. Trees of unchanged templates come from the template cache
 * (templateCache.ts) instead of the parser. Every problem of both templates is reported at once.
 */
import { readFileSync } from 'node:fs';
import type { MappingTemplates } from '../../config/types.js';
import { ConfigError } from '../../errors.js';
import type { LoadedModule } from '../bound.js';
import type { Sandbox } from '../isolation/sandbox.js';
import type { TemplateCache } from './templateCache.js';

/** AppSync's limit on a request or response mapping template (docs/resolvers.md#limits). */
export const MAX_TEMPLATE_CHARS = 65_536;

/** The Serverless AppSync plugin's `substitutions`: `${name}` of a listed name becomes its value; other `${…}` are Velocity's. */
function substitute(text: string, substitutions: Record<string, string> | undefined): string {
  if (!substitutions) return text;
  return text.replace(/\$\{([A-Za-z_][\w-]*)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(substitutions, name) ? substitutions[name]! : whole,
  );
}

export type LoadedTemplates = { module: LoadedModule; problems?: undefined } | { problems: ConfigError[] };

/** Reads, checks and registers `templates`; problems name `keyPath.request` / `keyPath.response`. */
export async function loadVtlTemplates(templates: MappingTemplates, keyPath: string, sandbox: Sandbox, cache: TemplateCache): Promise<LoadedTemplates> {
  const problems: ConfigError[] = [];
  const check = async (file: string | undefined, key: 'request' | 'response'): Promise<{ text: string; astJson?: string } | null> => {
    if (file === undefined) return null;
    let text: string;
    try {
      // Read synchronously: an Amplify build has hundreds of small templates, and each promise-based
      // read costs several event-loop round trips (about 4× the CPU of a synchronous one).
      text = readFileSync(file, 'utf8');
    } catch (error) {
      problems.push(new ConfigError(`${keyPath}.${key}`, `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`));
      return null;
    }
    text = substitute(text, templates.substitutions);
    if (text.length > MAX_TEMPLATE_CHARS) {
      problems.push(new ConfigError(`${keyPath}.${key}`, `${file}: the template is ${text.length} characters; AppSync accepts at most ${MAX_TEMPLATE_CHARS}`));
    }
    const parsed = await cache.parse(text);
    if ('syntax' in parsed) {
      const { syntax } = parsed;
      problems.push(new ConfigError(`${keyPath}.${key}`, `${file}:${syntax.line}:${syntax.column}: ${syntax.reason}`));
      return { text };
    }
    return { text, astJson: parsed.astJson };
  };
  const [request, response] = await Promise.all([check(templates.request, 'request'), check(templates.response, 'response')]);
  if (problems.length > 0 || request === null) return { problems };
  try {
    const { id } = await sandbox.registerVtl(
      {
        request: request.text,
        response: response?.text ?? null,
        ...(request.astJson !== undefined ? { requestAst: request.astJson } : {}),
        ...(response?.astJson !== undefined ? { responseAst: response.astJson } : {}),
      },
      templates.request,
    );
    const sources = { request: { text: request.text, astJson: request.astJson }, response: response && { text: response.text, astJson: response.astJson } };
    return { module: { id, file: templates.request, vtl: true, templates: sources } };
  } catch (error) {
    return {
      problems: [new ConfigError(keyPath, `the mapping templates failed to load in the sandbox: ${error instanceof Error ? error.message : String(error)}`)],
    };
  }
}
