import { fileURLToPath } from 'node:url';
import { identityKey } from '@wirekit/middleware/auth';
import { checkContract, createTestApp, expectContract, type RecordedExchange } from '@wirekit/testing';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PaymentService } from './gen/payments.js';
import { LEDGER, type NewCharge } from './ledger.js';
import { MemoryLedger } from './memory-ledger.js';
import { PAYMENTS_MODULE, paymentsMiddleware } from './payments-app.js';
import { readPaymentsConfig } from './payments-config.js';

/** The recorded exchanges, one JSON file each, beside this test. */
const exchanges = fileURLToPath(new URL('./payments-contract', import.meta.url));

/**
 * The in-memory ledger, holding payments the recordings name by fixed ids (`pay_to_settle`), as a fixture's rows
 * would be: the ledger makes its own ids, so the fixed ones are looked up here.
 */
class FixtureLedger extends MemoryLedger {
  readonly #fixtureIds = new Map<string, string>();

  async seed(fixtureId: string | undefined, charge: Omit<NewCharge, 'idempotencyKey' | 'metadata'>): Promise<void> {
    const outcome = await this.charge({ ...charge, idempotencyKey: '', metadata: {} });
    if (outcome.kind !== 'created') throw new Error(`the fixture charge ${charge.orderId} was not created: ${outcome.kind}`);
    if (fixtureId !== undefined) this.#fixtureIds.set(fixtureId, outcome.payment.paymentId);
  }

  override find(paymentId: string) {
    return super.find(this.#fixtureIds.get(paymentId) ?? paymentId);
  }

  override settle(paymentId: string) {
    return super.settle(this.#fixtureIds.get(paymentId) ?? paymentId);
  }
}

/**
 * The service with its production middleware (auth included), the ledger replaced by the fixture one, and the
 * caller's identity set on every call, so the contract needs no token.
 */
async function paymentsUnderContract() {
  const ledger = new FixtureLedger();
  await ledger.seed('pay_to_settle', { orderId: 'order-settle', amountCents: 2_000n, currency: 'EUR', customerId: 'cust-settle' });
  await ledger.seed(undefined, { orderId: 'order-watch-1', amountCents: 700n, currency: 'JPY', customerId: 'cust-watch' });
  await ledger.seed(undefined, { orderId: 'order-watch-2', amountCents: 900n, currency: 'JPY', customerId: 'cust-watch' });
  const config = readPaymentsConfig({ PAYMENTS_API_TOKENS: 'a-token-nobody-sends-in-this-test' });
  return createTestApp({
    ...PAYMENTS_MODULE,
    middleware: paymentsMiddleware(config, { logger: pino({ level: 'silent' }), registry: new Registry() }),
    overrides: [{ provide: LEDGER, useValue: ledger }],
    callContext: (context) => context.set(identityKey, { subject: 'contract-test', method: 'test', scopes: [], roles: [], claims: {} }),
    cleanup: onTestFinished,
  });
}

describe('the payments service contract', () => {
  it('keeps every recorded exchange: Charge, GetPayment, WatchPayments, ImportLedger and Settle', async () => {
    const testApp = await paymentsUnderContract();
    await expectContract({ definition: PaymentService, testApp, exchanges });
  });

  it('would report a drifted answer field by field', async () => {
    const testApp = await paymentsUnderContract();
    const drifted: RecordedExchange = {
      name: 'settled twice',
      rpc: 'Settle',
      requests: [{ paymentId: 'pay_to_settle' }, { paymentId: 'pay_to_settle' }],
      responses: [
        { paymentId: 'pay_to_settle', settled: true, payment: '<any>' },
        { paymentId: 'pay_to_settle', settled: true, payment: '<any>' },
      ],
    };
    expect(await checkContract({ definition: PaymentService, testApp, exchanges: [drifted] })).toEqual([
      'settled twice (Settle): responses[1].reason: not expected, got "already_settled"',
      'settled twice (Settle): responses[1].settled: expected true, got nothing',
    ]);
  });
});
