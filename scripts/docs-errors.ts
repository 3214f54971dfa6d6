/**
 * Rewrites the errorType table in docs/errors.md from the catalogue in src/errors.ts
 * (`npm run docs:errors`); test/errors.test.ts fails while the page and the catalogue differ.
 * The table is the block of `|` lines that starts with the `| errorType |` header.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { errorTableMarkdown } from '../src/errors.js';

const file = new URL('../docs/errors.md', import.meta.url);
const lines = readFileSync(file, 'utf8').split('\n');
const start = lines.findIndex((line) => line.startsWith('| errorType |'));
if (start < 0) throw new Error('docs/errors.md has no table starting with "| errorType |"');
let end = start;
while (end < lines.length && lines[end]!.startsWith('|')) end += 1;
lines.splice(start, end - start, ...errorTableMarkdown().trimEnd().split('\n'));
writeFileSync(file, lines.join('\n'));
console.log(`docs/errors.md: ${end - start} table lines replaced`);
