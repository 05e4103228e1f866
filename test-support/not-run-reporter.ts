import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends every `npm test` with the tests that did not run, by file and suite, so a run without a service's
 * environment variable (WIREKIT_TEST_POSTGRES_URL, WIREKIT_TEST_REDIS_URL) says plainly what it left out,
 * after vitest's own summary instead of among hundreds of lines of per-file output. Says nothing when
 * everything ran. Skipped tests are never left in this repository on purpose, so every entry here is a suite
 * gated on a missing service.
 */
export default class NotRunReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const notRun = new Map<string, number>();
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        if (test.result().state !== 'skipped') continue;
        const where = `${testModule.relativeModuleId} > ${topSuiteName(test.fullName)} [${testModule.project.name}]`;
        notRun.set(where, (notRun.get(where) ?? 0) + 1);
      }
    }
    if (notRun.size === 0) return;
    const total = [...notRun.values()].reduce((sum, count) => sum + count, 0);
    const lines = [...notRun].map(([where, count]) => `  ${where}: ${plural(count, 'test')}`);
    process.stdout.write(
      `\nNot run here: ${plural(total, 'test')} in ${plural(notRun.size, 'suite')} (set WIREKIT_TEST_POSTGRES_URL and ` +
        `WIREKIT_TEST_REDIS_URL to run them, as .ci/run does):\n${lines.join('\n')}\n`,
    );
  }
}

function topSuiteName(fullName: string): string {
  return fullName.split(' > ')[0] ?? fullName;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
