import { type RpcError, Status } from '@wirekit/core';
import { createTestApp } from '@wirekit/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PaymentService } from './gen/payments.js';
import { PAYMENTS_MODULE, paymentsMiddleware } from './payments-app.js';
import { readPaymentsConfig } from './payments-config.js';

const TOKEN = 'a-test-token-of-at-least-16-characters';
const charge = { orderId: 'o1', amountCents: 1250n, currency: 'EUR', customerId: 'c1' };

async function startWithProductionChain(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
  const registry = new Registry();
  const config = readPaymentsConfig({ PAYMENTS_API_TOKENS: TOKEN, ...env });
  const testApp = await createTestApp({
    ...PAYMENTS_MODULE,
    middleware: paymentsMiddleware(config, { logger, registry }),
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

  it('generates a token when none is configured, and refuses weak configuration with a clear message', () => {
    const generated = readPaymentsConfig({});
    expect(generated.generatedToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generated.apiTokens).toEqual([generated.generatedToken]);
    expect(() => readPaymentsConfig({ PAYMENTS_API_TOKENS: 'short' })).toThrow(/at least 16 characters/);
    expect(() => readPaymentsConfig({ PAYMENTS_JWT_SECRET: 'short' })).toThrow(/at least 32 bytes/);
  });
});
