import path from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Prints the plain closing line CI reads ("tests: N passed, N failed, N skipped"), after vitest's
 * own summary, and before it the name of each suite skipped whole (the PostgreSQL suites without a
 * cluster say why in their name). Failed modules that never ran a test (e.g. an import error)
 * count as failures.
 */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    testModules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<unknown>,
  ): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    const skippedSuites = new Set<string>();
    for (const module of testModules) {
      for (const suite of module.children.suites())
        if (suite.options.mode === 'skip')
          skippedSuites.add(`${path.relative(process.cwd(), module.moduleId)}: ${suite.name}`);
      let ran = 0;
      for (const test of module.children.allTests()) {
        ran++;
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (ran === 0 && module.state() === 'failed') failed++;
    }
    for (const suite of skippedSuites) process.stdout.write(`\nskipped suite: ${suite}`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
