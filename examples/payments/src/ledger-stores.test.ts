import { ProtoTimestamp } from '@wirekit/core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Payment } from './gen/payments.js';
import type { Ledger, LedgerChange, NewCharge } from './ledger.js';
import type { SqliteLedger } from './sqlite-ledger.js';
import {
  memoryStores,
  POSTGRES_URL,
  postgresStores,
  type StoreFactory,
  sqliteStores,
  warnIfPostgresMissing,
} from './test-support/stores.js';

warnIfPostgresMissing('ledger stores');

const charge: NewCharge = {
  orderId: 'order-1',
  amountCents: 1250n,
  currency: 'EUR',
  customerId: 'cust-1',
  idempotencyKey: '',
  metadata: { channel: 'web' },
};

/** Resolves with the first `count` changes a ledger reports, or rejects after a few seconds. */
function nextChanges(ledger: Ledger, count: number): Promise<LedgerChange[]> {
  return new Promise((resolve, reject) => {
    const changes: LedgerChange[] = [];
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`heard ${changes.length} of ${count} changes`));
    }, 5000);
    const unsubscribe = ledger.subscribe((change) => {
      changes.push(change);
      if (changes.length === count) {
        clearTimeout(timer);
        unsubscribe();
        resolve(changes);
      }
    });
  });
}

/** The behaviour every store must have, written once. */
function ledgerBehaviour(makeStores: () => StoreFactory): void {
  let stores: StoreFactory;
  let ledger: Ledger;
  beforeEach(async () => {
    stores = makeStores();
    ledger = await stores.open();
  });
  afterEach(async () => {
    await stores.close();
  });

  it('charges and finds the payment again, amounts exact', async () => {
    const outcome = await ledger.charge({ ...charge, amountCents: 99_999_999n });
    expect(outcome.kind).toBe('created');
    const payment = (outcome as { payment: Payment }).payment;
    const { idempotencyKey: _none, ...fields } = charge;
    expect(payment).toMatchObject({ ...fields, amountCents: 99_999_999n, status: 'PAYMENT_STATUS_SUCCEEDED' });
    expect(payment.paymentId).toMatch(/^pay_[0-9a-f]{32}$/);
    expect(typeof payment.amountCents).toBe('bigint');
    expect(await ledger.find(payment.paymentId)).toEqual(payment);
  });

  it('answers undefined for an unknown id', async () => {
    expect(await ledger.find('pay_nope')).toBeUndefined();
  });

  it('keeps created_at to the nanosecond as given, and stamps now by default', async () => {
    const createdAt = new ProtoTimestamp(1_700_000_000n, 123_456_789);
    const given = await ledger.charge({ ...charge, createdAt });
    const found = (await ledger.find((given as { payment: Payment }).payment.paymentId)) as Payment;
    expect(found.createdAt).toBeInstanceOf(ProtoTimestamp);
    expect((found.createdAt as ProtoTimestamp).nanos).toBe(123_456_789);
    expect(found.createdAt?.getTime()).toBe(createdAt.getTime());
    const now = (await ledger.charge(charge)) as { payment: Payment };
    expect(Math.abs((now.payment.createdAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
  });

  it('returns the first payment unchanged for a repeated idempotency key', async () => {
    const keyed = { ...charge, idempotencyKey: 'key-1', metadata: { b: '2', a: '1' } };
    const first = await ledger.charge(keyed);
    const again = await ledger.charge({ ...keyed, metadata: { a: '1', b: '2' }, createdAt: new Date(0) });
    expect(first.kind).toBe('created');
    expect(again).toEqual({ kind: 'replayed', payment: (first as { payment: Payment }).payment });
  });

  it('makes one payment of 50 identical charges racing (from separate connections where the store has them)', async () => {
    const ledgers = stores.shared
      ? [ledger, ...(await Promise.all([stores.open(), stores.open(), stores.open(), stores.open()]))]
      : [ledger];
    const keyed = { ...charge, idempotencyKey: 'race-1' };
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, index) => (ledgers[index % ledgers.length] as Ledger).charge(keyed)));
    expect(outcomes.filter((outcome) => outcome.kind === 'created')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'replayed')).toHaveLength(49);
    expect(new Set(outcomes.map((outcome) => (outcome as { payment: Payment }).payment.paymentId)).size).toBe(1);
    expect((await ledger.listPayments({ limit: 100 })).payments).toHaveLength(1);
  });

  it('answers conflict for the same key with different parameters', async () => {
    const first = (await ledger.charge({ ...charge, idempotencyKey: 'key-2' })) as { payment: Payment };
    for (const changed of [{ amountCents: 999n }, { orderId: 'order-2' }, { currency: 'USD' }, { customerId: 'c2' }, { metadata: {} }]) {
      expect(await ledger.charge({ ...charge, idempotencyKey: 'key-2', ...changed })).toEqual({
        kind: 'conflict',
        existing: first.payment,
      });
    }
  });

  it('lists payments oldest first in pages, for one customer or all', async () => {
    const made: Payment[] = [];
    for (let index = 0; index < 7; index++) {
      const outcome = await ledger.charge({ ...charge, orderId: `order-${index}`, customerId: index % 2 === 0 ? 'even' : 'odd' });
      made.push((outcome as { payment: Payment }).payment);
    }
    const seen: Payment[] = [];
    let page = await ledger.listPayments({ limit: 3 });
    seen.push(...page.payments);
    while (page.hasMore) {
      page = await ledger.listPayments({ limit: 3, after: page.cursor });
      seen.push(...page.payments);
    }
    expect(seen.map((payment) => payment.orderId)).toEqual(made.map((payment) => payment.orderId));
    const even = await ledger.listPayments({ customerId: 'even', limit: 10 });
    expect(even.payments.map((payment) => payment.orderId)).toEqual(['order-0', 'order-2', 'order-4', 'order-6']);
    expect(even.hasMore).toBe(false);
    // A follower asks again from the last cursor and gets only what came since.
    const empty = await ledger.listPayments({ customerId: 'even', limit: 10, after: even.cursor });
    expect(empty).toEqual({ payments: [], cursor: even.cursor, hasMore: false });
    await ledger.charge({ ...charge, orderId: 'order-7', customerId: 'even' });
    expect((await ledger.listPayments({ customerId: 'even', limit: 10, after: even.cursor })).payments.map((p) => p.orderId)).toEqual([
      'order-7',
    ]);
    await expect(ledger.listPayments({ limit: 0 })).rejects.toThrow(RangeError);
    await expect(ledger.listPayments({ limit: 1, after: 'nope' })).rejects.toThrow(RangeError);
  });

  it('imports entries in one transaction with per-entry idempotency', async () => {
    const before = (await ledger.charge({ ...charge, idempotencyKey: 'old' })) as { payment: Payment };
    const outcomes = await ledger.importEntries([
      { ...charge, orderId: 'i-1', idempotencyKey: 'imp-1' },
      { ...charge, idempotencyKey: 'old' },
      { ...charge, orderId: 'i-1', idempotencyKey: 'imp-1' },
      { ...charge, orderId: 'i-other', idempotencyKey: 'imp-1' },
      { ...charge, orderId: 'i-2', idempotencyKey: '' },
      { ...charge, idempotencyKey: 'old', amountCents: 1n },
    ]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['created', 'replayed', 'replayed', 'conflict', 'created', 'conflict']);
    expect(outcomes[1]).toEqual({ kind: 'replayed', payment: before.payment });
    expect((await ledger.listPayments({ limit: 10 })).payments.map((payment) => payment.orderId)).toEqual(['order-1', 'i-1', 'i-2']);
  });

  it('commits nothing of an import that throws', async () => {
    const bad = { ...charge, orderId: 'bad', createdAt: new Date(Number.NaN) };
    await expect(ledger.importEntries([{ ...charge, orderId: 'good', idempotencyKey: 'g' }, bad])).rejects.toThrow();
    expect((await ledger.listPayments({ limit: 10 })).payments).toEqual([]);
    expect((await ledger.charge({ ...charge, orderId: 'good', idempotencyKey: 'g' })).kind).toBe('created');
  });

  it('settles a payment once, also when two settles race', async () => {
    const { payment } = (await ledger.charge(charge)) as { payment: Payment };
    const other = stores.shared ? await stores.open() : ledger;
    const [a, b] = await Promise.all([ledger.settle(payment.paymentId), other.settle(payment.paymentId)]);
    expect([a?.kind, b?.kind].sort()).toEqual(['already_settled', 'settled']);
    const settled = (await ledger.find(payment.paymentId)) as Payment;
    expect(settled).toMatchObject({ paymentId: payment.paymentId, status: 'PAYMENT_STATUS_SETTLED', amountCents: 1250n });
    expect(Math.abs((settled.settledAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(await ledger.settle(payment.paymentId)).toEqual({ kind: 'already_settled', payment: settled });
    expect(await ledger.settle('pay_nope')).toEqual({ kind: 'not_found' });
  });

  it('tells subscribers of created and settled payments after commit, until they unsubscribe', async () => {
    const heard = nextChanges(ledger, 3);
    const outcomes = await ledger.importEntries([charge, { ...charge, orderId: 'order-2' }]);
    const first = (outcomes[0] as { payment: Payment }).payment;
    await ledger.settle(first.paymentId);
    const changes = await heard;
    expect(changes.map((change) => [change.kind, change.payment.orderId])).toEqual([
      ['created', 'order-1'],
      ['created', 'order-2'],
      ['settled', 'order-1'],
    ]);
    expect(changes[0]?.payment).toEqual(first);
    expect(changes[2]?.payment.status).toBe('PAYMENT_STATUS_SETTLED');
    const after: LedgerChange[] = [];
    ledger.subscribe((change) => after.push(change))();
    await ledger.charge(charge);
    expect(after).toEqual([]);
  });

  it('reports each change with the cursor of its payment, and has delivered every committed change by changesDelivered', async () => {
    const heard: LedgerChange[] = [];
    const unsubscribe = ledger.subscribe((change) => heard.push(change));
    try {
      // Big metadata for one: on PostgreSQL it is too large for a notification and is read back, in order.
      const outcomes = await ledger.importEntries([
        charge,
        { ...charge, orderId: 'order-2', metadata: { big: 'x'.repeat(9000) } },
        { ...charge, orderId: 'order-3' },
      ]);
      await ledger.settle((outcomes[1] as { payment: Payment }).payment.paymentId);
      await ledger.changesDelivered();
      expect(heard.map((change) => [change.kind, change.payment.orderId])).toEqual([
        ['created', 'order-1'],
        ['created', 'order-2'],
        ['created', 'order-3'],
        ['settled', 'order-2'],
      ]);
      const cursors: (string | undefined)[] = [];
      for (let page = await ledger.listPayments({ limit: 1 }); page.payments.length > 0; ) {
        cursors.push(page.cursor);
        page = await ledger.listPayments({ after: page.cursor, limit: 1 });
      }
      expect(heard.map((change) => change.cursor)).toEqual([...cursors, cursors[1]]);
    } finally {
      unsubscribe();
    }
  });
}

describe('ledger stores, memory', () => ledgerBehaviour(memoryStores));
describe('ledger stores, SQLite', () => {
  ledgerBehaviour(sqliteStores);

  it('opens in WAL mode and keeps payments across a restart', async () => {
    const stores = sqliteStores();
    try {
      const ledger = (await stores.open()) as SqliteLedger;
      const { payment } = (await ledger.charge(charge)) as { payment: Payment };
      await ledger.onShutdown();
      const reopened = await stores.open();
      expect(await reopened.find(payment.paymentId)).toEqual(payment);
    } finally {
      await stores.close();
    }
  });
});

describe.runIf(POSTGRES_URL)('ledger stores, PostgreSQL', () => {
  ledgerBehaviour(postgresStores);

  const stores = postgresStores();
  afterAll(() => stores.close());

  it("tells one replica's subscribers of another replica's changes (LISTEN/NOTIFY)", async () => {
    const replicaA = await stores.open();
    const replicaB = await stores.open();
    const heard = nextChanges(replicaB, 2);
    const { payment } = (await replicaA.charge({ ...charge, metadata: { big: 'x'.repeat(9000) } })) as { payment: Payment };
    await replicaA.settle(payment.paymentId);
    const changes = await heard;
    expect(changes.map((change) => change.kind)).toEqual(['created', 'settled']);
    expect(changes[0]?.payment.paymentId).toBe(payment.paymentId);
    expect(changes[1]?.payment.status).toBe('PAYMENT_STATUS_SETTLED');
  });
});
