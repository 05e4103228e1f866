import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

/** Runs one gated suite in a child vitest with `env`, returning what it printed. */
async function runRedisSuite(env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['node_modules/vitest/vitest.mjs', 'run', 'packages/middleware/src/rate-limit/redis-store.test.ts', '--project', 'tcp'],
    { env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout;
}

describe('the not-run reporter', () => {
  it('names, after the summary, each suite a missing service left out', async () => {
    const { WIREKIT_TEST_REDIS_URL: _unset, ...withoutRedis } = process.env;
    const output = await runRedisSuite(withoutRedis);
    const summary = output.slice(output.indexOf('Not run here:'));
    expect(output.indexOf('Not run here:')).toBeGreaterThan(output.indexOf('Tests '));
    expect(summary).toMatch(
      /Not run here: 4 tests in 1 suite .*\n {2}packages\/middleware\/src\/rate-limit\/redis-store\.test\.ts > redisStore against a real Redis \[tcp\]: 4 tests\n/,
    );
  }, 120_000);

  it.runIf(process.env.WIREKIT_TEST_REDIS_URL)(
    'says nothing when every suite ran',
    async () => {
      const output = await runRedisSuite(process.env);
      expect(output).toMatch(/Tests {2}8 passed/);
      expect(output).not.toContain('Not run here');
    },
    120_000,
  );
});
