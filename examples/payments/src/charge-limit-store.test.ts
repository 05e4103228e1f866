import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { ParsedLimit } from '@wirekit/middleware/rate-limit';
import { pino } from 'pino';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ChargeLimitStore } from './charge-limit-store.js';
import { readPaymentsConfig } from './payments-config.js';

const REDIS_URL = process.env.WIREKIT_TEST_REDIS_URL || undefined;
if (!REDIS_URL)
  console.warn('ChargeLimitStore on a real Redis: not run, because WIREKIT_TEST_REDIS_URL is unset (e.g. redis://127.0.0.1:6379)');

const silent = pino({ level: 'silent' });
const ONE_A_MINUTE: ParsedLimit = { count: 1, periodMs: 60_000, burst: 1, text: '1/min' };

/** A started store, shut down after the test. */
async function started(config: { redisUrl: string | undefined; redisPrefix: string }) {
  const store = new ChargeLimitStore(config, silent);
  await store.onStart();
  onTestFinished(() => store.onShutdown());
  return store;
}

describe('ChargeLimitStore', () => {
  it('counts in memory without PAYMENTS_REDIS_URL, as `npm start` does by default', async () => {
    const config = readPaymentsConfig({});
    expect(config).toMatchObject({ redisUrl: undefined, redisPrefix: 'payments:rate-limit:' });
    const store = await started(config);
    expect(store.describe()).toMatch(/^in memory, per replica/);
    expect((await store.store.take('caller', ONE_A_MINUTE, 1)).allowed).toBe(true);
    expect((await store.store.take('caller', ONE_A_MINUTE, 1)).allowed).toBe(false);
  });

  it('refuses a PAYMENTS_REDIS_URL that is not a redis:// URL, and a Redis that does not answer at start', async () => {
    expect(() => readPaymentsConfig({ PAYMENTS_REDIS_URL: '127.0.0.1:6379' })).toThrow(/PAYMENTS_REDIS_URL must be a redis:\/\//);
    // A port nothing listens on: bound, then released.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const store = new ChargeLimitStore(readPaymentsConfig({ PAYMENTS_REDIS_URL: `redis://:secret-password@127.0.0.1:${port}` }), silent);
    const failure = store.onStart();
    await expect(failure).rejects.toThrow(`PAYMENTS_REDIS_URL: cannot connect to Redis (connect ECONNREFUSED 127.0.0.1:${port})`);
    await expect(failure).rejects.not.toThrow('secret-password');
    expect(store.describe()).toBe(`in Redis at 127.0.0.1:${port}, shared by every replica (PAYMENTS_REDIS_URL)`);
    await store.onShutdown();
  });

  it.runIf(REDIS_URL)('shares one bucket between two replicas through Redis, under the prefix', async () => {
    const config = readPaymentsConfig({ PAYMENTS_REDIS_URL: REDIS_URL, PAYMENTS_REDIS_PREFIX: `wirekit-test:${randomUUID()}:` });
    const [a, b] = [await started(config), await started(config)];
    expect((await a.store.take('caller', ONE_A_MINUTE, 1)).allowed).toBe(true);
    expect(await b.store.take('caller', ONE_A_MINUTE, 1)).toMatchObject({ allowed: false });
  });
});
