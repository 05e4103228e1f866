import { createTestApp } from '@wirekit/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PAYMENTS_MODULE } from './payments-app.js';
import { readPaymentsConfig } from './payments-config.js';
import { DEFAULT_STREAM_LIMITS, STREAM_LIMITS } from './stream-limits.js';

describe('the payments configuration with nothing set', () => {
  it('has the defaults the READMEs promise', () => {
    const { generatedToken, ...rest } = readPaymentsConfig({});
    expect(rest).toEqual({
      address: '127.0.0.1:50051',
      metricsAddress: '127.0.0.1:9464',
      apiTokens: [generatedToken],
      jwtSecret: undefined,
      chargeRateLimit: '100/s',
      redisUrl: undefined,
      redisPrefix: 'payments:rate-limit:',
      database: './data/payments.db',
      shutdownGraceMs: 10_000,
    });
  });

  it('treats empty variables as unset where an empty value means nothing', () => {
    const config = readPaymentsConfig({
      PAYMENTS_DB: '',
      PAYMENTS_JWT_SECRET: '',
      PAYMENTS_REDIS_URL: '',
      PAYMENTS_REDIS_PREFIX: '',
      PAYMENTS_SHUTDOWN_GRACE_MS: '',
    });
    expect(config).toMatchObject({ database: './data/payments.db', jwtSecret: undefined, redisUrl: undefined, shutdownGraceMs: 10_000 });
    expect(config.redisPrefix).toBe('payments:rate-limit:');
  });

  it('gives the service the default stream limits: pages of 100, 1,000 waiting live events, 100,000 entries per import', async () => {
    expect(DEFAULT_STREAM_LIMITS).toEqual({ watchPageSize: 100, watchBufferLimit: 1_000, importEntryLimit: 100_000 });
    const testApp = await createTestApp({ ...PAYMENTS_MODULE, cleanup: onTestFinished });
    expect(await testApp.get(STREAM_LIMITS)).toEqual(DEFAULT_STREAM_LIMITS);
  });
});
