import { randomUUID } from 'node:crypto';
import { RpcError, Status } from '@wirekit/core';
import type { RateLimitStore } from '@wirekit/middleware/rate-limit';
import { createTestApp } from '@wirekit/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { ChargeLimitStore } from './charge-limit-store.js';
import { PaymentService } from './gen/payments.js';
import { PAYMENTS_MODULE, paymentsMiddleware } from './payments-app.js';
import { readPaymentsConfig } from './payments-config.js';

const TOKEN = 'a-test-token-of-at-least-16-characters';
const OTHER_TOKEN = 'another-test-token-of-16-characters-or-more';
const REDIS_URL = process.env.WIREKIT_TEST_REDIS_URL || undefined;
if (!REDIS_URL)
  console.warn('the per-caller Charge limit in Redis: not run, because WIREKIT_TEST_REDIS_URL is unset (e.g. redis://127.0.0.1:6379)');
const charge = { orderId: 'o1', amountCents: 1250n, currency: 'EUR', customerId: 'c1' };

async function startWithProductionChain(env: NodeJS.ProcessEnv, rateLimitStore?: RateLimitStore) {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const registry = new Registry();
  const config = readPaymentsConfig({ PAYMENTS_API_TOKENS: TOKEN, ...env });
  const testApp = await createTestApp({
    ...PAYMENTS_MODULE,
    middleware: paymentsMiddleware(config, { logger, registry, ...(rateLimitStore ? { rateLimitStore } : {}) }),
    cleanup: onTestFinished,
  });
  return { client: testApp.client(PaymentService), registry, lines };
}

describe('the payments service with its production middleware', () => {
  it('refuses calls without a valid token and serves them with one, logging without the token', async () => {
    const { client, lines } = await startWithProductionChain({});
    await expect(client.charge(charge)).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
    await expect(client.charge(charge, { metadata: { authorization: 'Bearer wrong-token-wrong-token' } })).rejects.toMatchObject({
      code: Status.UNAUTHENTICATED,
    });
    const payment = await client.charge(charge, { metadata: { authorization: `Bearer ${TOKEN}` } });
    expect(payment.amountCents).toBe(1250n);
    expect(lines.some((line) => line.includes('"subject":"api-token-1"'))).toBe(true);
    expect(lines.join('\n')).not.toContain(TOKEN);
  });

  it('limits Charge per caller with RESOURCE_EXHAUSTED and RetryInfo, and counts calls in the registry', async () => {
    const { client, registry } = await startWithProductionChain({ PAYMENTS_RATE_LIMIT: '2/min' });
    const authorized = { metadata: { authorization: `Bearer ${TOKEN}` } };
    await client.charge(charge, authorized);
    await client.charge(charge, authorized);
    const limited = (await client.charge(charge, authorized).catch((error: unknown) => error)) as RpcError;
    expect(limited.code).toBe(Status.RESOURCE_EXHAUSTED);
    expect(limited.findDetails('google.rpc.RetryInfo')).toHaveLength(1);
    const handled = await registry.getSingleMetricAsString('grpc_server_handled_total');
    expect(handled).toContain('grpc_method="Charge",grpc_code="OK"} 2');
    expect(handled).toContain('grpc_method="Charge",grpc_code="RESOURCE_EXHAUSTED"} 1');
  });

  /** Two callers (two tokens) on one app limited to 2 Charges a minute each: one exhausted leaves the other its own. */
  async function limitsEachCallerOnItsOwn(rateLimitStore?: RateLimitStore) {
    const { client } = await startWithProductionChain(
      { PAYMENTS_API_TOKENS: `${TOKEN},${OTHER_TOKEN}`, PAYMENTS_RATE_LIMIT: '2/min' },
      rateLimitStore,
    );
    const outcome = (token: string) =>
      client.charge(charge, { metadata: { authorization: `Bearer ${token}` } }).then(
        () => 'OK',
        (error: unknown) => Status[RpcError.from(error).code],
      );
    expect([await outcome(TOKEN), await outcome(TOKEN), await outcome(TOKEN)]).toEqual(['OK', 'OK', 'RESOURCE_EXHAUSTED']);
    // The first caller is out of charges for a minute; the second has its own two.
    expect([await outcome(OTHER_TOKEN), await outcome(OTHER_TOKEN), await outcome(OTHER_TOKEN)]).toEqual([
      'OK',
      'OK',
      'RESOURCE_EXHAUSTED',
    ]);
    expect(await outcome(TOKEN)).toBe('RESOURCE_EXHAUSTED');
  }

  it('limits each caller on its own, counted in memory: one exhausted does not limit another', async () => {
    await limitsEachCallerOnItsOwn();
  });

  it.runIf(REDIS_URL)('limits each caller on its own, counted in Redis: one exhausted does not limit another', async () => {
    const limits = new ChargeLimitStore({ redisUrl: REDIS_URL, redisPrefix: `wirekit-test:${randomUUID()}:` }, pino({ level: 'silent' }));
    await limits.onStart();
    onTestFinished(() => limits.onShutdown());
    await limitsEachCallerOnItsOwn(limits.store);
  });

  it('generates a token when none is configured, and refuses weak configuration with a clear message', () => {
    const generated = readPaymentsConfig({});
    expect(generated.generatedToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generated.apiTokens).toEqual([generated.generatedToken]);
    expect(() => readPaymentsConfig({ PAYMENTS_API_TOKENS: 'short' })).toThrow(/at least 16 characters/);
    expect(() => readPaymentsConfig({ PAYMENTS_JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/);
  });
});
