import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from './gen/payments.js';
import { entry, SERVICE_CASES, serve } from './test-support/serve-payments.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payment streams, concurrent ImportLedger calls');

/** How many times the race is run: on PostgreSQL, before the fix, every round deadlocked. */
const ROUNDS = 5;
/** Keys per import: enough that two imports inserting them in opposite orders overlap in time. */
const KEYS = 100;

for (const [transport, store] of SERVICE_CASES) {
  describe.runIf(storeAvailable(store))(`payment streams, concurrent ImportLedger calls, ${transport}, ${store} store`, () => {
    it('two imports of the same keys in opposite orders, started together, both succeed with one payment per key', async () => {
      const { client, ledger } = await serve(transport, store);
      for (let round = 0; round < ROUNDS; round++) {
        const keys = Array.from({ length: KEYS }, (_, index) => `r${round}-k${String(index).padStart(3, '0')}`);
        const forward: LedgerEntry[] = keys.map((key) => entry(key, 1_000n));
        // The same entries the other way round, plus one invalid entry and one key both use for different
        // charges: whichever import commits first charges it, and the other reports it as a rejection.
        const backward: LedgerEntry[] = [
          { ...entry(`r${round}-invalid`), currency: 'usd' },
          ...forward.toReversed(),
          entry(`r${round}-contested`, 2_000n),
        ];
        const both = await Promise.all([
          client.importLedger([...forward, entry(`r${round}-contested`, 3_000n)]),
          client.importLedger(backward),
        ]);
        const [first, second] = both;
        const contested = (await ledger.all()).find((payment) => payment.orderId === `order-r${round}-contested`);
        const forwardWon = contested?.amountCents === 3_000n;
        expect(first).toMatchObject({
          accepted: forwardWon ? KEYS + 1 : KEYS,
          rejected: forwardWon ? 0 : 1,
          acceptedAmountCents: BigInt(KEYS) * 1_000n + (forwardWon ? 3_000n : 0n),
        });
        expect(first?.rejections.map((rejection) => rejection.index)).toEqual(forwardWon ? [] : [KEYS]);
        expect(second).toMatchObject({
          accepted: forwardWon ? KEYS : KEYS + 1,
          rejected: forwardWon ? 2 : 1,
          acceptedAmountCents: BigInt(KEYS) * 1_000n + (forwardWon ? 0n : 2_000n),
        });
        expect(second?.rejections.map((rejection) => rejection.index)).toEqual(forwardWon ? [0, KEYS + 1] : [0]);
      }
      const payments = await ledger.all();
      expect(payments).toHaveLength(ROUNDS * (KEYS + 1));
      expect(new Set(payments.map((payment) => payment.orderId)).size).toBe(payments.length);
    });

    it('keeps the order of the stream in the ledger, whatever the order of the keys', async () => {
      const { client, ledger } = await serve(transport, store);
      const keys = ['k-m', 'k-z', 'k-a', 'k-q'];
      await expect(client.importLedger(keys.map((key) => entry(key)))).resolves.toMatchObject({ accepted: 4 });
      expect((await ledger.all()).map((payment) => payment.orderId)).toEqual(keys.map((key) => `order-${key}`));
    });
  });
}
