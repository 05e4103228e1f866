import { RpcError, Status } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import type { ChargeRequest, LedgerEntry } from './gen/payments.js';
import { chargeBurst, failureCodes } from './test-support/charge-burst.js';
import { importInFlight } from './test-support/held-import.js';
import { entry } from './test-support/serve-payments.js';
import { PROCESS_TEST_TIMEOUT_MS, paymentsOf, serviceRig } from './test-support/service-rig.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payments service process, kill -9');

// Each test starts the built dist/main.js (twice: before and after the fault) on a database of its own.
describe.each(['SQLite', 'PostgreSQL'] as const)('payments service process on %s, kill -9 and racing keys', (store) => {
  describe.runIf(storeAvailable(store))(`(${store})`, () => {
    it(
      'loses no acknowledged charge when killed during a burst, and charges none twice when the burst is sent again',
      async ({ annotate }) => {
        const rig = await serviceRig(store);
        const first = await rig.start();
        const clients = Array.from({ length: 4 }, () => rig.connect(first.address));
        const burst = chargeBurst(clients, { concurrency: 8, keyPrefix: 'burst', customerId: 'cust-burst', stopOnError: true });
        // Killed while 32 calls are in flight: some committed and answered, some committed but not answered, some not.
        await burst.until(() => burst.acknowledged().length >= 150);
        expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
        await burst.done;
        const acknowledged = burst.acknowledged();
        // A call cut by the kill fails UNAVAILABLE (the connection dropped); nothing else is expected.
        expect(Object.keys(failureCodes(burst.records))).toEqual(['UNAVAILABLE']);

        const second = await rig.start();
        const client = rig.connect(second.address);
        for (const { outcome } of acknowledged) {
          if (!outcome?.ok) continue;
          await expect(client.getPayment({ paymentId: outcome.payment.paymentId })).resolves.toEqual(outcome.payment);
        }
        const afterRestart = await paymentsOf(client, 'cust-burst');
        // Every acknowledged charge, plus those committed whose answer the kill cut off (at most one per call in flight).
        expect(afterRestart.length).toBeGreaterThanOrEqual(acknowledged.length);
        expect(afterRestart.length).toBeLessThanOrEqual(burst.records.length);

        // The whole burst again, same keys: each charge is answered with its first payment, or made now, never twice.
        const again = await Promise.all(burst.records.map(({ request }) => client.charge(request)));
        for (const [index, record] of burst.records.entries()) {
          if (record.outcome?.ok) expect(again[index]).toEqual(record.outcome.payment);
        }
        const payments = await paymentsOf(client, 'cust-burst');
        expect(payments).toHaveLength(burst.records.length);
        expect(new Set(payments.map((payment) => payment.orderId)).size).toBe(burst.records.length);
        await annotate(
          `${burst.records.length} charges sent, ${acknowledged.length} acknowledged before the kill, ` +
            `failures ${JSON.stringify(failureCodes(burst.records))}; after restart ${afterRestart.length} found, ` +
            `${payments.length} after re-sending the whole burst`,
        );
      },
      PROCESS_TEST_TIMEOUT_MS,
    );

    it(
      'commits nothing of an import cut by kill -9, and the re-run imports it once',
      async ({ annotate }) => {
        const rig = await serviceRig(store);
        const first = await rig.start();
        const ledger: LedgerEntry[] = Array.from({ length: 600 }, (_, index) => ({
          ...entry(`import-${index}`),
          customerId: 'cust-import',
        }));
        // 300 entries (about 20 KB) sent and read by the server, which holds them until the client closes its side.
        const { summary } = await importInFlight(rig.connect(first.address), ledger.slice(0, 300), ledger.slice(300));
        expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
        const cut = await summary.then(
          () => 'OK',
          (error: unknown) => Status[RpcError.from(error).code],
        );
        expect(cut).toBe('UNAVAILABLE');

        const second = await rig.start();
        const client = rig.connect(second.address);
        expect(await paymentsOf(client, 'cust-import')).toEqual([]);
        await expect(client.importLedger(ledger)).resolves.toMatchObject({ accepted: 600, rejected: 0, acceptedAmountCents: 600_000n });
        // Run again (as after a lost answer): accepted again, as replays, and nothing more is charged.
        await expect(client.importLedger(ledger)).resolves.toMatchObject({ accepted: 600, rejected: 0 });
        const payments = await paymentsOf(client, 'cust-import');
        expect(payments.map((payment) => payment.orderId)).toEqual(ledger.map((sent) => sent.orderId));
        await annotate(`import of 600 cut after 300 entries: ${cut}; after restart 0 found; re-run twice: ${payments.length} payments`);
      },
      PROCESS_TEST_TIMEOUT_MS,
    );

    it(
      'makes exactly one payment of one key charged concurrently from several connections',
      async ({ annotate }) => {
        const rig = await serviceRig(store);
        const service = await rig.start();
        const clients = Array.from({ length: 6 }, () => rig.connect(service.address));
        const charge: ChargeRequest = {
          orderId: 'order-race',
          amountCents: 4_200n,
          currency: 'EUR',
          customerId: 'cust-race',
          idempotencyKey: 'race-key',
          metadata: { attempt: 'same' },
        };
        // Every call is sent before any is answered: 6 connections, 40 calls each.
        const payments = await Promise.all(clients.flatMap((client) => Array.from({ length: 40 }, () => client.charge(charge))));
        expect(new Set(payments.map((payment) => payment.paymentId)).size).toBe(1);
        const listed = await paymentsOf(rig.connect(service.address), 'cust-race');
        expect(listed).toHaveLength(1);
        expect(listed[0]).toEqual(payments[0]);
        await annotate(`${payments.length} concurrent Charges with one key over ${clients.length} connections: ${listed.length} payment`);
      },
      PROCESS_TEST_TIMEOUT_MS,
    );
  });
});
