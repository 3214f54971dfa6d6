/**
 * README.md and docs/*.md: every relative link points at a file that exists, and every `#anchor`
 * names a heading of its target page, with anchors made as GitHub makes them (lower case,
 * punctuation dropped, spaces to dashes, `-1`, `-2`, … for repeated headings).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : name.endsWith('.md') ? [path] : [];
    });
  return [join(ROOT, 'README.md'), ...walk(docs)];
}

/** Lines outside fenced code blocks, with inline code spans blanked so `[x](y)` in code is no link. */
function proseLines(markdown: string): string[] {
  let fenced = false;
  return markdown.split('\n').map((line) => {
    if (line.startsWith('```')) {
      fenced = !fenced;
      return '';
    }
    return fenced ? '' : line;
  });
}

/** github-slugger's rule: keep letters, marks, numbers, `_`, `-` and spaces; spaces become dashes. */
export function slug(heading: string): string {
  const text = heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

function anchorsOf(path: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of proseLines(readFileSync(path, 'utf8'))) {
    const m = /^#{1,6} (.+?)#*\s*$/.exec(line);
    if (!m) continue;
    const base = slug(m[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function linksOf(path: string): Array<{ line: number; target: string }> {
  const links: Array<{ line: number; target: string }> = [];
  proseLines(readFileSync(path, 'utf8')).forEach((line, i) => {
    const prose = line.replace(/`[^`]*`/g, (code) => ' '.repeat(code.length));
    for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) links.push({ line: i + 1, target: m[1]! });
  });
  return links;
}

describe('links in README.md and docs/', () => {
  const files = markdownFiles();

  it('finds the pages and their links', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap(linksOf).length).toBeGreaterThan(50);
  });

  it('makes anchors as GitHub does', () => {
    expect(slug('Resolver runtime (APPSYNC_JS)')).toBe('resolver-runtime-appsync_js');
    expect(slug('errorTypes of conditions, conflicts and Sync')).toBe('errortypes-of-conditions-conflicts-and-sync');
    expect(slug("The hot path as users run it: targets, the figures before and this run's")).toBe(
      'the-hot-path-as-users-run-it-targets-the-figures-before-and-this-runs',
    );
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))('%s: every relative link and #anchor resolves', (_name, file) => {
    const broken: string[] = [];
    for (const { line, target } of linksOf(file)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto:
      const [pathPart, anchor] = target.split('#') as [string, string | undefined];
      const targetFile = pathPart === '' ? file : resolve(dirname(file), decodeURI(pathPart));
      if (!existsSync(targetFile)) {
        broken.push(`line ${line}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined) {
        if (!targetFile.endsWith('.md')) broken.push(`line ${line}: ${target} (anchor into a file that is not Markdown)`);
        else if (!anchorsOf(targetFile).has(anchor)) broken.push(`line ${line}: ${target} (no heading makes #${anchor})`);
      }
    }
    expect(broken).toEqual([]);
  });
});
