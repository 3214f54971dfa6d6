/**
 * A vitest reporter (beside the default one) that ends the run with every skipped test and why:
 * the default reporter only counts skips, so a suite skipped for a missing server went unnoticed.
 * The reason is the `ctx.skip(note)` note, else the `(skipped: …)` that skipping suites put in
 * their name; a whole skipped suite is one line with its test count.
 */
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule, Vitest } from 'vitest/node';

export default class SkipReasons implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const lines = new Map<string, number>();
    for (const module of modules) {
      const file = relative(this.vitest?.config.root ?? process.cwd(), module.moduleId);
      for (const test of module.children.allTests('skipped')) {
        const line = `${file} › ${describe(test)}`;
        lines.set(line, (lines.get(line) ?? 0) + 1);
      }
    }
    if (lines.size === 0) return;
    const log = (text: string) => (this.vitest ? this.vitest.logger.log(text) : process.stdout.write(`${text}\n`));
    const total = [...lines.values()].reduce((a, b) => a + b, 0);
    log(`\n Skipped ${total} test${total === 1 ? '' : 's'}:`);
    for (const [line, count] of lines) log(`   ${line}${count > 1 ? ` (${count} tests)` : ''}`);
  }
}

/** The skipped suite that says why, or the test itself with its note or skip mode. */
function describe(test: TestCase): string {
  const note = test.result().state === 'skipped' ? (test.result() as { note?: string }).note : undefined;
  if (note) return `${test.fullName} (skipped: ${note})`;
  for (let parent = test.parent; parent.type === 'suite'; parent = parent.parent) {
    if (/\(skipped: /.test(parent.name)) return parent.fullName;
  }
  return `${test.fullName} (${test.options.mode === 'todo' ? 'todo' : 'skipped, no reason given'})`;
}
