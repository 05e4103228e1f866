import { type RpcError, Status } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import { entry, SERVICE_CASES, serve } from './test-support/serve-payments.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payment streams, ImportLedger');

for (const [transport, store] of SERVICE_CASES) {
  describe.runIf(storeAvailable(store))(`payment streams, ImportLedger, ${transport}, ${store} store`, () => {
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
}
