/**
 * Code the management API's CreateResolver / CreateFunction / Update… compiled and linted when it
 * checked it (src/management/resources.ts), kept in memory by its text, so the first load of the
 * built API that names it does not compile and lint the same text again (with 1,000 new
 * resolvers that was 4.25 s; docs/startup.md).
 *
 * A checked code was compiled from text (no folder), so it bundles nothing but the sandbox's
 * `@aws-appsync/utils*` modules: compiling the file it is written to gives the same bundle, except
 * for the file's name in esbuild's `// file` comment and in the source map, which are renamed.
 * Only code without lint findings is kept (the check refuses any other).
 */
import { relative, sep } from 'node:path';
import { compiledCode, type CompiledCode } from './compile.js';

/** Characters of compiled code and source map kept at most; the oldest entries go first. */
const MAX_CHARS = 64 * 1024 * 1024;

interface Checked {
  name: string;
  code: string;
  mapText: string | undefined;
}

// A Map in insertion order is enough: an entry is read by the next load, and the oldest go first.
const checked = new Map<string, Checked>();
let chars = 0;

/** Keeps what checking `compiled` (compiled from text, named `compiled.file`, no findings) produced. */
export function rememberCheckedCompile(compiled: CompiledCode): void {
  const size = compiled.code.length + (compiled.mapText?.length ?? 0);
  if (size > MAX_CHARS) return;
  const earlier = checked.get(compiled.source);
  if (earlier) {
    checked.delete(compiled.source);
    chars -= earlier.code.length + (earlier.mapText?.length ?? 0);
  }
  checked.set(compiled.source, { name: compiled.file, code: compiled.code, mapText: compiled.mapText });
  chars += size;
  for (const [source, entry] of checked) {
    if (chars <= MAX_CHARS) break;
    checked.delete(source);
    chars -= entry.code.length + (entry.mapText?.length ?? 0);
  }
}

/**
 * The compiled code of `file`, whose text is `source`, from a check of the same text; undefined
 * when no check compiled it.
 */
export function checkedCompileOf(file: string, source: string): CompiledCode | undefined {
  const entry = checked.get(source);
  if (!entry) return undefined;
  // esbuild names an entry file by its path from the working folder, with forward slashes.
  const name = relative(process.cwd(), file).split(sep).join('/');
  const code = entry.code.replace(`\n// ${entry.name}\n`, () => `\n// ${name}\n`);
  let mapText = entry.mapText;
  if (mapText) {
    const map = JSON.parse(mapText) as { sources?: string[] };
    map.sources = map.sources?.map((s) => (s === entry.name ? name : s));
    mapText = JSON.stringify(map, null, 2);
  }
  return compiledCode(file, code, mapText, source, []);
}
