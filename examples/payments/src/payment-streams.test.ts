import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, closeClient, createClient, type RpcError, Status } from '@wirekit/core';
import { createTestApp } from '@wirekit/testing';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type LedgerEntry, type PaymentEvent, PaymentService } from './gen/payments.js';
import type { Ledger, LedgerListener, ListPaymentsQuery, NewCharge } from './ledger.js';
import { LEDGER } from './ledger.js';
import { MemoryLedger } from './memory-ledger.js';
import { createPaymentsApp, PAYMENTS_MODULE } from './payments-app.js';
import { SqliteLedger } from './sqlite-ledger.js';
import { DEFAULT_STREAM_LIMITS, type PaymentStreamLimits, STREAM_LIMITS } from './stream-limits.js';

type PaymentsClient = Client<typeof PaymentService>;

/** A store that counts the pages read and the live subscriptions, so tests can see what the server holds. */
class CountingLedger implements Ledger {
  pagesRead = 0;
  subscriptions = 0;
  readonly #unsubscribed: (() => void)[] = [];
  constructor(private readonly inner: Ledger) {}
  charge(charge: NewCharge) {
    return this.inner.charge(charge);
  }
  find(paymentId: string) {
    return this.inner.find(paymentId);
  }
  listPayments(query: ListPaymentsQuery) {
    this.pagesRead++;
    return this.inner.listPayments(query);
  }
  importEntries(entries: readonly NewCharge[]) {
    return this.inner.importEntries(entries);
  }
  settle(paymentId: string) {
    return this.inner.settle(paymentId);
  }
  subscribe(listener: LedgerListener): () => void {
    const unsubscribe = this.inner.subscribe(listener);
    this.subscriptions++;
    let done = false;
    return () => {
      unsubscribe();
      if (done) return;
      done = true;
      this.subscriptions--;
      if (this.subscriptions === 0) for (const resolve of this.#unsubscribed.splice(0)) resolve();
    };
  }
  /** Resolves once no subscription is left. */
  async noSubscriptions(): Promise<void> {
    if (this.subscriptions > 0) await new Promise<void>((resolve) => this.#unsubscribed.push(resolve));
  }
  /** Every payment, oldest first. */
  async all() {
    return (await this.inner.listPayments({ limit: 1_000 })).payments;
  }
}

type Store = 'memory' | 'sqlite';
type Transport = 'in memory' | 'over loopback';

async function openStore(store: Store): Promise<Ledger> {
  if (store === 'memory') return new MemoryLedger();
  const directory = mkdtempSync(join(tmpdir(), 'wirekit-streams-'));
  const ledger = new SqliteLedger({ path: join(directory, 'payments.db') });
  await ledger.onStart();
  onTestFinished(async () => {
    await ledger.onShutdown();
    rmSync(directory, { recursive: true, force: true });
  });
  return ledger;
}

/** The service on `store` through `transport`, closed after the test; `close` closes it earlier. */
async function serve(transport: Transport, store: Store, limits: Partial<PaymentStreamLimits> = {}) {
  const ledger = new CountingLedger(await openStore(store));
  const providers = [
    { provide: LEDGER, useValue: ledger },
    { provide: STREAM_LIMITS, useValue: { ...DEFAULT_STREAM_LIMITS, ...limits } },
  ];
  let close: () => Promise<void>;
  let client: PaymentsClient;
  if (transport === 'in memory') {
    const testApp = await createTestApp({ ...PAYMENTS_MODULE, overrides: providers });
    client = testApp.client(PaymentService);
    close = () => testApp.close();
  } else {
    const app = createPaymentsApp({ shutdownSignals: [], providers: [...PAYMENTS_MODULE.providers, ...providers] });
    const { address } = await app.listen('127.0.0.1:0');
    const tcpClient = createClient(PaymentService, address);
    client = tcpClient;
    close = async () => {
      closeClient(tcpClient);
      await app.close({ graceMs: 1_000 });
    };
  }
  let closed: Promise<void> | undefined;
  const closeOnce = () => {
    closed ??= close();
    return closed;
  };
  onTestFinished(closeOnce);
  return { client, ledger, close: closeOnce };
}

const charge = (customerId: string, orderId: string): NewCharge => ({
  orderId,
  amountCents: 1_000n,
  currency: 'EUR',
  customerId,
  idempotencyKey: '',
  metadata: {},
});

const entry = (key: string, amountCents = 1_000n): LedgerEntry => ({
  orderId: `order-${key}`,
  amountCents,
  currency: 'EUR',
  customerId: 'cust-1',
  idempotencyKey: key,
});

/** Lets the event loop turn `turns` times (no timer): time for a server to run ahead if it could. */
async function eventLoopTurns(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const cases: [Transport, Store][] = [
  ['in memory', 'memory'],
  ['over loopback', 'memory'],
  ['in memory', 'sqlite'],
  ['over loopback', 'sqlite'],
];

describe.each(cases)('payment streams, %s, %s store', (transport, store) => {
  describe('WatchPayments', () => {
    it('sends the existing payments oldest first and ends without follow, filtered by customer', async () => {
      const { client, ledger } = await serve(transport, store, { watchPageSize: 2 });
      const created = await ledger.importEntries(
        ['a', 'b', 'a', 'a', 'b', 'a'].map((customer, index) => charge(`cust-${customer}`, `order-${index}`)),
      );
      const ids = created.map((outcome) => (outcome.kind === 'created' ? outcome.payment.paymentId : ''));
      const all: PaymentEvent[] = [];
      for await (const event of client.watchPayments({ customerId: '', follow: false })) all.push(event);
      expect(all.map((event) => event.kind)).toEqual(Array(6).fill('KIND_EXISTING'));
      expect(all.map((event) => event.payment?.paymentId)).toEqual(ids);
      const onlyA: PaymentEvent[] = [];
      for await (const event of client.watchPayments({ customerId: 'cust-a', follow: false })) onlyA.push(event);
      expect(onlyA.map((event) => event.payment?.orderId)).toEqual(['order-0', 'order-2', 'order-3', 'order-5']);
      const none: PaymentEvent[] = [];
      for await (const event of client.watchPayments({ customerId: 'cust-nobody', follow: false })) none.push(event);
      expect(none).toEqual([]);
      await ledger.noSubscriptions();
    });

    it('with follow, sends the existing payments, then creations and settlements of that customer as they happen', async () => {
      const { client, ledger } = await serve(transport, store);
      const first = await client.charge({ orderId: 'o-1', amountCents: 1_250n, currency: 'EUR', customerId: 'cust-1' });
      await client.charge({ orderId: 'o-other', amountCents: 1_250n, currency: 'EUR', customerId: 'cust-2' });
      const events = client.watchPayments({ customerId: 'cust-1', follow: true })[Symbol.asyncIterator]();
      expect((await events.next()).value).toMatchObject({ kind: 'KIND_EXISTING', payment: { paymentId: first.paymentId } });
      // Subscribed before the listing was read: what happens from now on reaches the watcher.
      await client.charge({ orderId: 'o-skipped', amountCents: 1_250n, currency: 'EUR', customerId: 'cust-2' });
      const second = await client.charge({ orderId: 'o-2', amountCents: 999n, currency: 'EUR', customerId: 'cust-1' });
      expect((await events.next()).value).toMatchObject({ kind: 'KIND_CREATED', payment: { paymentId: second.paymentId } });
      for await (const result of client.settle([{ paymentId: first.paymentId }])) expect(result.settled).toBe(true);
      expect((await events.next()).value).toMatchObject({
        kind: 'KIND_SETTLED',
        payment: { paymentId: first.paymentId, status: 'PAYMENT_STATUS_SETTLED' },
      });
      await events.return?.();
      await ledger.noSubscriptions();
    });

    it('with follow, ends with DEADLINE_EXCEEDED at the deadline and unsubscribes', async () => {
      const { client, ledger } = await serve(transport, store);
      await ledger.charge(charge('cust-1', 'o-1'));
      const received: PaymentEvent[] = [];
      const error = await (async () => {
        for await (const event of client.watchPayments({ customerId: '', follow: true }, { timeoutMs: 300 })) received.push(event);
      })().catch((e: unknown) => e);
      expect(received).toHaveLength(1);
      expect((error as RpcError).code).toBe(Status.DEADLINE_EXCEEDED);
      await ledger.noSubscriptions();
    });

    it('reads existing payments only as fast as a slow client consumes them', async () => {
      const { client, ledger } = await serve(transport, store, { watchPageSize: 10 });
      const total = 5_000;
      await ledger.importEntries(Array.from({ length: total }, (_, index) => charge('cust-1', `order-${index}`)));
      const events = client.watchPayments({ customerId: '', follow: false })[Symbol.asyncIterator]();
      await events.next();
      await eventLoopTurns(500);
      const whileStalled = ledger.pagesRead;
      await eventLoopTurns(500);
      // Held back by flow control: a bounded number of pages ahead of the reader, and no more while it waits.
      expect(ledger.pagesRead).toBe(whileStalled);
      expect(whileStalled).toBeLessThan(total / 10 / 2);
      let received = 1;
      while (!(await events.next()).done) received++;
      expect(received).toBe(total);
      expect(ledger.pagesRead).toBe(total / 10);
    });

    it('ends a follower that falls too far behind with RESOURCE_EXHAUSTED, saying how to resume', async () => {
      const { client, ledger } = await serve(transport, store, { watchBufferLimit: 3 });
      const outcome = await ledger.charge(charge('cust-1', 'o-1'));
      const events = client.watchPayments({ customerId: '', follow: true })[Symbol.asyncIterator]();
      await events.next();
      // Ten changes in one commit, while the server's watcher may keep at most three.
      await ledger.importEntries(Array.from({ length: 10 }, (_, index) => charge('cust-1', `burst-${index}`)));
      const error = (await (async () => {
        while (!(await events.next()).done);
      })().catch((e: unknown) => e)) as RpcError;
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(error.message).toContain('re-run WatchPayments with follow');
      expect(error.message).toContain(`events after payment ${outcome.kind === 'created' ? outcome.payment.paymentId : ''}`);
      await ledger.noSubscriptions();
    });
  });

  describe('ImportLedger', () => {
    it('charges the valid entries, rejects each invalid one with its index and reason, sums exactly', async () => {
      const { client, ledger } = await serve(transport, store);
      const summary = await client.importLedger([
        entry('k-0', 99_999_999n),
        { ...entry('k-1'), orderId: '' },
        entry('k-2', 12_345_678n),
        entry('k-3', 10n),
        { ...entry('k-4'), currency: 'usd' },
        { ...entry('k-5'), customerId: ' ' },
        entry(''),
        entry('k-0', 51n), // the key of entry 0 with another amount
        entry('k-8', 51n),
        entry('k-0', 99_999_999n), // entry 0 again: replayed, not charged twice
      ]);
      expect(summary.rejections.map((rejection) => rejection.index)).toEqual([1, 3, 4, 5, 6, 7]);
      const reasons = summary.rejections.map((rejection) => rejection.reason);
      expect(reasons[0]).toMatch(/^order_id is required/);
      expect(reasons[1]).toMatch(/^amount_cents must be from 50 to 99999999 .* got 10$/);
      expect(reasons[2]).toMatch(/^currency must be an ISO 4217 code/);
      expect(reasons[3]).toMatch(/^customer_id is required/);
      expect(reasons[4]).toMatch(/^idempotency_key is required/);
      expect(reasons[5]).toMatch(/^idempotency_key "k-0" was already used for payment pay_\S+ with different parameters/);
      expect(summary).toMatchObject({ accepted: 4, rejected: 6, acceptedAmountCents: 99_999_999n * 2n + 12_345_678n + 51n });
      expect((await ledger.all()).map((payment) => payment.orderId)).toEqual(['order-k-0', 'order-k-2', 'order-k-8']);
    });

    it('is idempotent: re-importing the same entries charges nothing new', async () => {
      const { client, ledger } = await serve(transport, store);
      const entries = [entry('k-1', 1_234n), entry('k-2', 5_678n)];
      const first = await client.importLedger(entries);
      const again = await client.importLedger(entries);
      expect(again).toEqual(first);
      expect(again).toMatchObject({ accepted: 2, rejected: 0, acceptedAmountCents: 6_912n });
      expect(await ledger.all()).toHaveLength(2);
    });

    it('commits nothing when the client cancels, mid-stream or right after its last entry', async () => {
      const { client, ledger, close } = await serve(transport, store);
      const midStream = new AbortController();
      const stalled = (async function* () {
        yield entry('k-1');
        yield entry('k-2');
        midStream.abort();
        await new Promise<never>(() => {});
      })();
      await expect(client.importLedger(stalled, { signal: midStream.signal })).rejects.toMatchObject({ code: Status.CANCELLED });
      const atTheEnd = new AbortController();
      const ended = (async function* () {
        yield entry('k-3');
        atTheEnd.abort();
      })();
      await expect(client.importLedger(ended, { signal: atTheEnd.signal })).rejects.toMatchObject({ code: Status.CANCELLED });
      // Closing waits for the server's handlers, so a late commit would show in the ledger now.
      await close();
      expect(await ledger.all()).toEqual([]);
    });

    it('commits nothing when the deadline passes first', async () => {
      const { client, ledger, close } = await serve(transport, store);
      const stalled = (async function* () {
        yield entry('k-1');
        await new Promise<never>(() => {});
      })();
      await expect(client.importLedger(stalled, { timeoutMs: 200 })).rejects.toMatchObject({ code: Status.DEADLINE_EXCEEDED });
      await close();
      expect(await ledger.all()).toEqual([]);
    });

    it('ends a stream of more than importEntryLimit entries with RESOURCE_EXHAUSTED, committing nothing', async () => {
      const { client, ledger } = await serve(transport, store, { importEntryLimit: 5 });
      const six = Array.from({ length: 6 }, (_, index) => entry(`k-${index}`));
      const error = (await client.importLedger(six).catch((e: unknown) => e)) as RpcError;
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      expect(error.message).toContain('at most 5 entries');
      expect(await ledger.all()).toEqual([]);
      await expect(client.importLedger(six.slice(0, 5))).resolves.toMatchObject({ accepted: 5 });
    });
  });

  describe('Settle', () => {
    it('answers every request in order, with many in flight, and tells settled, already settled and unknown apart', async () => {
      const { client, ledger } = await serve(transport, store);
      const outcomes = await ledger.importEntries(Array.from({ length: 50 }, (_, index) => charge('cust-1', `o-${index}`)));
      const ids = outcomes.map((outcome) => (outcome.kind === 'created' ? outcome.payment.paymentId : ''));
      const requests = [...ids, ids[0] as string, 'pay_unknown', ''].map((paymentId) => ({ paymentId }));
      const results = [];
      for await (const result of client.settle(requests)) results.push(result);
      expect(results.map((result) => result.paymentId)).toEqual(requests.map((request) => request.paymentId));
      for (const result of results.slice(0, 50)) {
        expect(result).toMatchObject({ settled: true, reason: '', payment: { status: 'PAYMENT_STATUS_SETTLED' } });
        expect(result.payment?.settledAt).toBeInstanceOf(Date);
      }
      expect(results[50]).toMatchObject({ settled: false, reason: 'already_settled', payment: { paymentId: ids[0] } });
      expect(results[51]).toEqual({ paymentId: 'pay_unknown', settled: false, reason: 'not_found' });
      expect(results[52]).toEqual({ paymentId: '', settled: false, reason: 'not_found' });
    });

    it('answers each request as soon as it is processed, before the client closes its side', async () => {
      const { client, ledger } = await serve(transport, store);
      const outcome = await ledger.charge(charge('cust-1', 'o-1'));
      const paymentId = outcome.kind === 'created' ? outcome.payment.paymentId : '';
      let answered!: () => void;
      const firstAnswered = new Promise<void>((resolve) => (answered = resolve));
      const requests = (async function* () {
        yield { paymentId };
        await firstAnswered; // the stream stays open until the first answer arrived
        yield { paymentId };
      })();
      const results = [];
      for await (const result of client.settle(requests)) {
        results.push(result);
        answered();
      }
      expect(results.map((result) => result.reason)).toEqual(['', 'already_settled']);
    });

    it('settles a payment once when two clients race', async () => {
      const { client, ledger } = await serve(transport, store);
      const outcome = await ledger.charge(charge('cust-1', 'o-1'));
      const paymentId = outcome.kind === 'created' ? outcome.payment.paymentId : '';
      const settleOnce = async () => {
        const results = [];
        for await (const result of client.settle([{ paymentId }])) results.push(result);
        return results;
      };
      const [a, b] = await Promise.all([settleOnce(), settleOnce()]);
      const all = [...(a ?? []), ...(b ?? [])];
      expect(all.filter((result) => result.settled)).toHaveLength(1);
      expect(all.filter((result) => result.reason === 'already_settled')).toHaveLength(1);
    });
  });
});
