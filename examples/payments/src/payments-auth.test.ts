import { closeClient, createClient, defineService, ProtoSet, RpcError, Status, type Unary } from '@wirekit/core';
import { protoPath as healthProto } from 'grpc-health-check';
import { SignJWT } from 'jose';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PaymentService } from './gen/payments.js';
import { createPaymentsApp, PAYMENTS_MODULE, paymentsMiddleware } from './payments-app.js';
import { type PaymentsConfig, readPaymentsConfig } from './payments-config.js';
import { charge, entry, SERVICE_CASES, serve, type Transport } from './test-support/serve-payments.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payments auth');

const SECRET = 'a-jwt-secret-for-these-tests-of-at-least-32-bytes';
const API_TOKEN = 'an-api-token-for-these-tests-0123456789';
const CHARGE = { orderId: 'o-jwt', amountCents: 1_250n, currency: 'EUR', customerId: 'c1' };

/** The production chain (auth, rate limit, logging, metrics, tracing) for `env`, logging nowhere. */
function productionChain(config: PaymentsConfig) {
  return paymentsMiddleware(config, { logger: pino({ level: 'silent' }), registry: new Registry() });
}

/** An HS256 JWT for audience `payments`, valid now for five minutes, unless `claims` or `algorithm` say otherwise. */
function jwt(claims: { aud?: string; exp?: number } = {}, algorithm = 'HS256'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'caller-1', aud: 'payments', iat: now, exp: now + 300, ...claims })
    .setProtectedHeader({ alg: algorithm })
    .sign(new TextEncoder().encode(SECRET));
}

const bearer = (token: string) => ({ metadata: { authorization: `Bearer ${token}` } });

describe.each<Transport>(['in memory', 'over loopback'])('payments auth with PAYMENTS_JWT_SECRET, %s', (transport) => {
  async function start() {
    const config = readPaymentsConfig({ PAYMENTS_JWT_SECRET: SECRET });
    expect(config.generatedToken).toBeUndefined();
    return serve(transport, 'memory', {}, productionChain(config));
  }

  it('serves an HS256 token for audience "payments"', async () => {
    const { client, ledger } = await start();
    await expect(client.charge(CHARGE, bearer(await jwt()))).resolves.toMatchObject({ orderId: 'o-jwt', amountCents: 1_250n });
    expect((await ledger.all()).map((payment) => payment.orderId)).toEqual(['o-jwt']);
  });

  it.each([
    ['for another audience', () => jwt({ aud: 'billing' }), 'the token is for another audience (aud)'],
    [
      'signed with HS512 and the same secret',
      () => jwt({}, 'HS512'),
      'the JWT is signed with "HS512", which this service does not accept (accepted: HS256)',
    ],
    ['expired', () => jwt({ exp: Math.floor(Date.now() / 1000) - 3_600 }), /^the token expired at \d{4}-\d\d-\d\dT/],
  ] as const)('refuses a token %s with UNAUTHENTICATED, saying why, and charges nothing', async (_, token, message) => {
    const { client, ledger } = await start();
    const refused = await client.charge(CHARGE, bearer(await token())).then(
      () => expect.fail('the charge was served'),
      (error: unknown) => RpcError.from(error),
    );
    expect(refused.code).toBe(Status.UNAUTHENTICATED);
    expect(refused.rawMessage).toMatch(message);
    expect(await ledger.all()).toEqual([]);
  });
});

for (const [transport, store] of SERVICE_CASES) {
  describe.runIf(storeAvailable(store))(`payments auth on the streaming rpcs, ${transport}, ${store} store`, () => {
    async function startWithOnePayment() {
      const served = await serve(transport, store, {}, productionChain(readPaymentsConfig({ PAYMENTS_API_TOKENS: API_TOKEN })));
      const outcome = await served.ledger.charge(charge('cust-1', 'o-existing'));
      const paymentId = outcome.kind === 'created' ? outcome.payment.paymentId : '';
      return { ...served, paymentId };
    }

    it('refuses WatchPayments without a token, before sending any payment', async () => {
      const { client } = await startWithOnePayment();
      const received: unknown[] = [];
      const watching = (async () => {
        for await (const event of client.watchPayments({ customerId: '', follow: false })) received.push(event);
      })();
      await expect(watching).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
      expect(received).toEqual([]);
    });

    it('refuses ImportLedger without a token, and commits none of its entries', async () => {
      const { client, ledger } = await startWithOnePayment();
      await expect(client.importLedger([entry('k-1'), entry('k-2')])).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
      await expect(client.importLedger([entry('k-3')], bearer('a-wrong-token-0123456789'))).rejects.toMatchObject({
        code: Status.UNAUTHENTICATED,
      });
      expect((await ledger.all()).map((payment) => payment.orderId)).toEqual(['o-existing']);
    });

    it('refuses Settle without a token, and settles nothing', async () => {
      const { client, ledger, paymentId } = await startWithOnePayment();
      const settling = (async () => {
        for await (const result of client.settle([{ paymentId }])) expect.fail(`answered without a token: ${result.reason}`);
      })();
      await expect(settling).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
      const payment = await ledger.find(paymentId);
      expect(payment?.status).toBe('PAYMENT_STATUS_SUCCEEDED');
      expect(payment?.settledAt).toBeUndefined();
    });
  });
}

describe('health over loopback, with the production chain', () => {
  const Health = defineService<{ Check: Unary<{ service: string }, { status: string }> }>(
    ProtoSet.load(healthProto),
    'grpc.health.v1.Health',
  );

  it('answers grpc.health.v1 Check without a token, while PaymentService refuses the same caller', async () => {
    const app = createPaymentsApp({
      shutdownSignals: [],
      middleware: productionChain(readPaymentsConfig({ PAYMENTS_API_TOKENS: API_TOKEN })),
      providers: PAYMENTS_MODULE.providers,
    });
    const { address } = await app.listen('127.0.0.1:0');
    onTestFinished(() => app.close({ graceMs: 0 }));
    const health = createClient(Health, address);
    const payments = createClient(PaymentService, address);
    onTestFinished(() => {
      closeClient(health);
      closeClient(payments);
    });
    await expect(health.check({ service: '' })).resolves.toEqual({ status: 'SERVING' });
    await expect(health.check({ service: 'payments.v1.PaymentService' })).resolves.toEqual({ status: 'SERVING' });
    await expect(payments.getPayment({ paymentId: 'pay_1' })).rejects.toMatchObject({ code: Status.UNAUTHENTICATED });
  });
});
