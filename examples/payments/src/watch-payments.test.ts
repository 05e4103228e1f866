import { RpcError, Status } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import type { PaymentEvent } from './gen/payments.js';
import { charge, SERVICE_CASES, serve } from './test-support/serve-payments.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payment streams, WatchPayments');

/** Lets the event loop turn `turns` times (no timer): time for a server to run ahead if it could. */
async function eventLoopTurns(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Gives the server `rounds` chances to read another page: each round lets the event loop turn and makes one
 * round trip to the store, which is as long as a page read takes (instant in memory, a query on PostgreSQL).
 */
async function serverRounds(ledger: { find(paymentId: string): Promise<unknown> }, rounds: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    await eventLoopTurns(100);
    await ledger.find('pay_none');
  }
}

for (const [transport, store] of SERVICE_CASES) {
  describe.runIf(storeAvailable(store))(`payment streams, WatchPayments, ${transport}, ${store} store`, () => {
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

    it('with follow, sends each change made while the listing is read exactly once: in the listing or live, in order', async () => {
      const { client, ledger } = await serve(transport, store, { watchPageSize: 2 });
      const created = await ledger.importEntries(Array.from({ length: 5 }, (_, index) => charge('cust-1', `o${index}`)));
      const ids = created.map((outcome) => (outcome.kind === 'created' ? outcome.payment.paymentId : ''));
      const settle = async (paymentId: string | undefined) => {
        expect((await ledger.settle(paymentId ?? '')).kind).toBe('settled');
      };
      const make = async (orderId: string) => {
        const outcome = await ledger.charge(charge('cust-1', orderId));
        ids.push(outcome.kind === 'created' ? outcome.payment.paymentId : '');
      };
      // Pages of two: [o0 o1] [o2 o3] [o4 o5] [o6]. Changes right after a page is read (not in it) and right
      // before one is (in it), to payments of pages read before, of that page, and of pages still to come.
      ledger.afterPageRead = async (pageIndex) => {
        if (pageIndex === 0) {
          await settle(ids[0]); // listed as it was: sent live
          await settle(ids[3]); // listed later, settled
          await make('o5'); // listed later
        }
        if (pageIndex === 3) {
          await make('o7'); // after the last page: sent live
          await settle(ids[6]); // listed as it was: sent live
        }
      };
      ledger.beforePageRead = async (pageIndex) => {
        if (pageIndex !== 1) return;
        await settle(ids[1]); // listed before: sent live
        await settle(ids[2]); // in the page read next, settled
        await make('o6'); // listed later
      };
      const received: string[] = [];
      for await (const event of client.watchPayments({ customerId: 'cust-1', follow: true })) {
        received.push(`${event.kind} ${event.payment?.orderId} ${event.payment?.status}`);
        // A change made after the listing ended is the last event expected: the test ends with it.
        if (event.kind === 'KIND_SETTLED' && event.payment?.orderId === 'o6') await settle(ids[7]);
        if (event.kind === 'KIND_SETTLED' && event.payment?.orderId === 'o7') break;
      }
      expect(received).toEqual([
        'KIND_EXISTING o0 PAYMENT_STATUS_SUCCEEDED',
        'KIND_EXISTING o1 PAYMENT_STATUS_SUCCEEDED',
        'KIND_EXISTING o2 PAYMENT_STATUS_SETTLED',
        'KIND_EXISTING o3 PAYMENT_STATUS_SETTLED',
        'KIND_EXISTING o4 PAYMENT_STATUS_SUCCEEDED',
        'KIND_EXISTING o5 PAYMENT_STATUS_SUCCEEDED',
        'KIND_EXISTING o6 PAYMENT_STATUS_SUCCEEDED',
        'KIND_SETTLED o0 PAYMENT_STATUS_SETTLED',
        'KIND_SETTLED o1 PAYMENT_STATUS_SETTLED',
        'KIND_CREATED o7 PAYMENT_STATUS_SUCCEEDED',
        'KIND_SETTLED o6 PAYMENT_STATUS_SETTLED',
        'KIND_SETTLED o7 PAYMENT_STATUS_SETTLED',
      ]);
      expect(ledger.pagesRead).toBe(4);
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
      // Until the server stops reading ahead: a store slower than memory takes longer to fill the window.
      let whileStalled: number;
      do {
        whileStalled = ledger.pagesRead;
        await serverRounds(ledger, 5);
      } while (ledger.pagesRead !== whileStalled && ledger.pagesRead < total / 10);
      await serverRounds(ledger, 20);
      // Held back by flow control: a bounded number of pages ahead of the reader however long it waits (on a
      // loaded machine the server may still be filling the window, so the bound, not a standstill, is checked).
      expect(whileStalled).toBeLessThan(total / 10 / 2);
      expect(ledger.pagesRead).toBeLessThan(total / 10 / 2);
      let received = 1;
      while (!(await events.next()).done) received++;
      expect(received).toBe(total);
      expect(ledger.pagesRead).toBe(total / 10);
    });

    it('ends a follower that stops reading while events keep coming, once the windows and its buffer are full', async () => {
      const bufferLimit = 3;
      const { client, ledger } = await serve(transport, store, { watchBufferLimit: bufferLimit });
      await ledger.charge(charge('cust-1', 'o-existing'));
      const slow = client.watchPayments({ customerId: '', follow: true })[Symbol.asyncIterator]();
      const fast = client.watchPayments({ customerId: '', follow: true })[Symbol.asyncIterator]();
      expect((await slow.next()).value).toMatchObject({ kind: 'KIND_EXISTING' });
      expect((await fast.next()).value).toMatchObject({ kind: 'KIND_EXISTING' });
      expect(ledger.subscriptions).toBe(2);
      // From here the slow watcher reads nothing while payments are made one at a time, each its own commit, and
      // each made once the fast watcher received the one before: events come no faster than the server sends
      // them. It keeps sending to the slow watcher until the flow-control windows (HTTP/2's, the client's buffer)
      // are full, then keeps `bufferLimit` waiting, and on the next gives up on it: it stops listening for it.
      const chargeLimit = 20_000;
      let charged = 0;
      while (ledger.subscriptions === 2) {
        if (charged === chargeLimit) throw new Error(`${chargeLimit} live events and the slow watcher still listens`);
        await ledger.charge(charge('cust-1', `live-${charged}`));
        expect((await fast.next()).value).toMatchObject({ kind: 'KIND_CREATED', payment: { orderId: `live-${charged}` } });
        charged++;
      }
      // The watcher that keeps up is not affected.
      expect(ledger.subscriptions).toBe(1);
      await fast.return?.();

      const delivered: PaymentEvent[] = [];
      const error = await (async () => {
        for (let next = await slow.next(); !next.done; next = await slow.next()) delivered.push(next.value);
      })().then(
        () => expect.fail(`the watch ended OK after ${delivered.length} events`),
        (thrown: unknown) => RpcError.from(thrown),
      );
      expect(error.code).toBe(Status.RESOURCE_EXHAUSTED);
      // What the windows held arrives first, in order, and was more than the buffer; the events that waited past
      // them never arrive, and the message names the last payment delivered, after which a new watch takes over.
      expect(delivered.length).toBeGreaterThan(bufferLimit);
      expect(delivered.length).toBe(charged - (bufferLimit + 1));
      expect(delivered.map((event) => [event.kind, event.payment?.orderId])).toEqual(
        delivered.map((_, index) => ['KIND_CREATED', `live-${index}`]),
      );
      expect(error.rawMessage).toContain(`more than ${bufferLimit} live events waited for this watcher, which reads too slowly`);
      expect(error.rawMessage).toContain(`events after payment ${delivered.at(-1)?.payment?.paymentId} were not delivered`);
      expect(error.rawMessage).toContain('re-run WatchPayments with follow to resume');
      await ledger.noSubscriptions();
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
}
