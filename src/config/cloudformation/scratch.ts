/** Inline text of a template (code, mapping templates, function code) as files, which the resolver and Lambda loaders read. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes inline text (code, templates) as a file the loaders can read; same text, same file. */
export function scratchFile(scratchDir: string | undefined, name: string, text: string): string {
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  const dir = join(scratchDir ?? join(tmpdir(), 'appsync-gateway-cloudformation'), digest);
  const file = join(dir, name);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // Written aside and renamed: a gateway loading the same input at the same moment never reads half a file.
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text);
    renameSync(partial, file);
  }
  return file;
}
