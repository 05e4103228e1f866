import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Payment } from './gen/payments.js';
import type { Ledger, LedgerChange } from './ledger.js';
import { LiveChanges } from './live-changes.js';
import { PostgresLedger } from './postgres-ledger.js';
import { charge } from './test-support/serve-payments.js';
import { ALL_STORES, POSTGRES_URL, storeAvailable, storesOf, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('live changes of a follower');

/** The kind and order id of changes, for comparing a stream. */
const described = (changes: readonly LedgerChange[]) => changes.map((change) => `${change.kind} ${change.payment.orderId}`);

/** The next `count` changes `live` sends; fails the test if it overflows. */
async function take(live: LiveChanges, count: number): Promise<LedgerChange[]> {
  const taken: LedgerChange[] = [];
  while (taken.length < count) {
    const change = await live.next(AbortSignal.timeout(10_000));
    if (change === 'overflow') throw new Error(`overflowed after ${taken.length} changes`);
    taken.push(change);
  }
  return taken;
}

/** Settles `payment` in `ledger`, checking it was this call that settled it. */
async function settle(ledger: Ledger, payment: Payment | undefined): Promise<void> {
  if (!payment) throw new Error('no payment to settle');
  expect((await ledger.settle(payment.paymentId)).kind).toBe('settled');
}

for (const store of ALL_STORES) {
  describe.runIf(storeAvailable(store))(`live changes of a follower, ${store} store`, () => {
    it('holds nothing per listed payment: only the changes it must still send, however large the ledger', async () => {
      const stores = storesOf(store);
      onTestFinished(() => stores.close());
      const ledger = await stores.open();
      const total = 2_000;
      const pageSize = 50;
      const outcomes = await ledger.importEntries(Array.from({ length: total }, (_, index) => charge('cust-1', `order-${index}`)));
      const payments = outcomes.map((outcome) => (outcome.kind === 'created' ? outcome.payment : undefined));
      // The import's own changes must not reach the follower: thousands at once would overflow its small buffer.
      await ledger.changesDelivered();
      const live = new LiveChanges(ledger, '', 10);
      onTestFinished(() => live.close());
      const listed: Payment[] = [];
      let after: string | undefined;
      let mustSend = 0;
      for (let pageIndex = 0; ; pageIndex++) {
        const page = await live.readPage(() => ledger.listPayments({ after, limit: pageSize }));
        listed.push(...page.payments);
        // Between pages: a change to a payment already listed must be sent; one to a payment of a later page is
        // shown by that page, so it is dropped; a new payment is listed at the end.
        if (pageIndex === 3) {
          await settle(ledger, payments[10]);
          mustSend++;
          await settle(ledger, payments[pageSize * 4 + 5]);
          await ledger.charge(charge('cust-1', 'made-while-listing'));
          await ledger.changesDelivered();
        }
        // What it holds is the changes it must send, never anything for the thousands of payments it listed.
        expect(live.retained()).toEqual({ waiting: mustSend, undecided: 0 });
        if (!page.hasMore) break;
        after = page.cursor;
      }
      expect(listed).toHaveLength(total + 1);
      expect(listed.at(-1)?.orderId).toBe('made-while-listing');
      expect(listed[pageSize * 4 + 5]?.status).toBe('PAYMENT_STATUS_SETTLED');
      expect(live.retained()).toEqual({ waiting: 1, undecided: 0 });
      await ledger.charge(charge('cust-1', 'after-listing'));
      expect(described(await take(live, 2))).toEqual(['settled order-10', 'created after-listing']);
      expect(live.retained()).toEqual({ waiting: 0, undecided: 0 });
    });

    it('checks the changes made while a page is read against that page: each is sent once, or shown once', async () => {
      const stores = storesOf(store);
      onTestFinished(() => stores.close());
      const ledger = await stores.open();
      const outcomes = await ledger.importEntries(Array.from({ length: 4 }, (_, index) => charge('cust-1', `order-${index}`)));
      const payments = outcomes.map((outcome) => (outcome.kind === 'created' ? outcome.payment : undefined));
      const live = new LiveChanges(ledger, '', 10);
      onTestFinished(() => live.close());
      // Made before the read (the page shows them) and after it (it does not), while the page is being read.
      const first = await live.readPage(async () => {
        await settle(ledger, payments[0]);
        const page = await ledger.listPayments({ limit: 2 });
        await settle(ledger, payments[1]);
        await settle(ledger, payments[3]);
        return page;
      });
      expect(first.payments.map((payment) => payment.status)).toEqual(['PAYMENT_STATUS_SETTLED', 'PAYMENT_STATUS_SUCCEEDED']);
      const last = await live.readPage(async () => {
        const page = await ledger.listPayments({ after: first.cursor, limit: 2 });
        await ledger.charge(charge('cust-1', 'order-4'));
        await settle(ledger, payments[2]);
        return page;
      });
      expect(last.hasMore).toBe(false);
      expect(last.payments.map((payment) => [payment.orderId, payment.status])).toEqual([
        ['order-2', 'PAYMENT_STATUS_SUCCEEDED'],
        ['order-3', 'PAYMENT_STATUS_SETTLED'],
      ]);
      await ledger.charge(charge('cust-1', 'order-5'));
      expect(described(await take(live, 4))).toEqual(['settled order-1', 'created order-4', 'settled order-2', 'created order-5']);
      expect(live.retained()).toEqual({ waiting: 0, undecided: 0 });
    });
  });
}

describe.runIf(POSTGRES_URL)('live changes of a follower, PostgreSQL positions committed out of order', () => {
  it('sends the creation of a payment that sorts before the listing’s cursor but committed after its page was read', async () => {
    const schema = `wk_live_${process.pid}_${randomBytes(4).toString('hex')}`;
    const ledger = new PostgresLedger({ connectionString: POSTGRES_URL as string, schema, poolSize: 2 });
    await ledger.onStart();
    const raw = new pg.Client({ connectionString: POSTGRES_URL });
    await raw.connect();
    onTestFinished(async () => {
      await raw.end();
      await ledger.dropSchema();
      await ledger.onShutdown();
    });
    // A transaction that takes position 1 and commits only after a later payment was listed.
    await raw.query('BEGIN');
    await raw.query(
      `INSERT INTO "${schema}".payments (payment_id, order_id, amount_cents, currency, status, customer_id, metadata, created_at_ns)
       VALUES ('pay_late', 'order-late', 1000, 'EUR', 'PAYMENT_STATUS_SUCCEEDED', 'cust-1', '{}', 0)`,
    );
    await ledger.charge(charge('cust-1', 'order-listed'));
    const live = new LiveChanges(ledger, '', 10);
    onTestFinished(() => live.close());
    const page = await live.readPage(() => ledger.listPayments({ limit: 10 }));
    expect(page.payments.map((payment) => payment.orderId)).toEqual(['order-listed']);
    expect(page.hasMore).toBe(false);
    await raw.query('COMMIT');
    expect(described(await take(live, 1))).toEqual(['created order-late']);
    expect(live.retained()).toEqual({ waiting: 0, undecided: 0 });
  });
});
