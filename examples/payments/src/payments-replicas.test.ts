import { describe, expect, it, onTestFinished } from 'vitest';
import type { PaymentEvent } from './gen/payments.js';
import { serveLedger } from './test-support/serve-payments.js';
import { POSTGRES_URL, postgresStores, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payments service, two replicas');

/** Two apps over loopback, each with its own PostgreSQL pool, on one schema: what two deployed replicas are. */
async function twoReplicas() {
  const stores = postgresStores();
  const replicas: Awaited<ReturnType<typeof serveLedger>>[] = [];
  onTestFinished(async () => {
    try {
      for (const replica of replicas) await replica.close();
    } finally {
      await stores.close();
    }
  });
  for (let index = 0; index < 2; index++) replicas.push(await serveLedger('over loopback', await stores.open()));
  const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
  return { a: a.client, b: b.client };
}

describe.runIf(POSTGRES_URL)('payments service, two replicas on one PostgreSQL schema', () => {
  const charge = { orderId: 'order-1', amountCents: 1250n, currency: 'EUR', customerId: 'cust-1', idempotencyKey: 'key-1' };

  it('makes one payment of the same Charge racing on both replicas', async () => {
    const { a, b } = await twoReplicas();
    const payments = await Promise.all(Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? a : b).charge(charge)));
    expect(new Set(payments.map((payment) => payment.paymentId)).size).toBe(1);
    const listed: PaymentEvent[] = [];
    for await (const event of b.watchPayments({ customerId: '', follow: false })) listed.push(event);
    expect(listed).toHaveLength(1);
  });

  it('tells a watcher on replica A of a charge and a settle made on replica B (LISTEN/NOTIFY)', async () => {
    const { a, b } = await twoReplicas();
    const events = a.watchPayments({ customerId: 'cust-1', follow: true })[Symbol.asyncIterator]();
    // The watcher subscribes before it reads the listing, so receiving an existing payment (made for the purpose)
    // proves it is live before replica B charges.
    const existing = await b.charge({ ...charge, idempotencyKey: 'before' });
    expect((await events.next()).value).toMatchObject({ kind: 'KIND_EXISTING', payment: { paymentId: existing.paymentId } });
    const made = await b.charge(charge);
    expect((await events.next()).value).toMatchObject({ kind: 'KIND_CREATED', payment: { paymentId: made.paymentId } });
    for await (const result of b.settle([{ paymentId: made.paymentId }])) expect(result.settled).toBe(true);
    expect((await events.next()).value).toMatchObject({ kind: 'KIND_SETTLED', payment: { paymentId: made.paymentId } });
    await events.return?.();
  });
});
