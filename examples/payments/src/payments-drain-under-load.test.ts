import { RpcError, Status } from '@wirekit/core';
import { describe, expect, it } from 'vitest';
import { chargeBurst, failureCodes } from './test-support/charge-burst.js';
import { importInFlight } from './test-support/held-import.js';
import { entry } from './test-support/serve-payments.js';
import { PROCESS_TEST_TIMEOUT_MS, paymentsOf, serviceRig } from './test-support/service-rig.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payments service process, SIGTERM under load');

const GRACE_MS = 1_500;

describe.each(['SQLite', 'PostgreSQL'] as const)('payments service process on %s, SIGTERM under load', (store) => {
  describe.runIf(storeAvailable(store))(`(${store})`, () => {
    it(
      'keeps every charge it answered OK, refuses calls after the drain began with UNAVAILABLE, ends at the grace period and exits 0',
      async ({ annotate }) => {
        const rig = await serviceRig(store);
        const service = await rig.start({ PAYMENTS_SHUTDOWN_GRACE_MS: String(GRACE_MS) });
        // An import held open by its client: only the server's grace timer can end it, so its CANCELLED shows the
        // drain was bounded by the grace period and not by the calls in progress.
        const held = await importInFlight(
          rig.connect(service.address),
          Array.from({ length: 20 }, (_, index) => ({ ...entry(`held-${index}`), customerId: 'cust-held' })),
          [{ ...entry('held-last'), customerId: 'cust-held' }],
        );
        const clients = Array.from({ length: 4 }, () => rig.connect(service.address));
        const burst = chargeBurst(clients, { concurrency: 8, keyPrefix: 'drain', customerId: 'cust-drain', stopOnError: false });
        await burst.until(() => burst.acknowledged().length >= 150);

        service.child.kill('SIGTERM');
        // Printed as the drain starts, before the server stops listening and sends GOAWAY, in the same turn.
        await service.line(/shutting down gracefully/);
        burst.setPhase('draining');
        const late = await rig
          .connect(service.address)
          .getPayment({ paymentId: 'pay_late' })
          .then(
            () => 'OK',
            (error: unknown) => Status[RpcError.from(error).code],
          );
        const draining = () => burst.records.filter((record) => record.phase === 'draining' && record.outcome !== undefined);
        await burst.until(() => draining().length >= 64);
        await burst.stop();

        const cancelled = await held.summary.then(
          () => undefined,
          (error: unknown) => RpcError.from(error),
        );
        expect(cancelled?.code).toBe(Status.CANCELLED);
        expect(cancelled?.message).toMatch(/grace period is over/);
        expect(await service.exited).toEqual({ code: 0, signal: null });

        // Before the drain: answered OK, or (started while the signal was on its way) refused. After: refused.
        const before = burst.records.filter((record) => record.phase === 'before');
        expect(Object.keys(failureCodes(before)).filter((code) => code !== 'UNAVAILABLE')).toEqual([]);
        expect(failureCodes(draining())).toEqual({ UNAVAILABLE: draining().length });
        expect(late).toBe('UNAVAILABLE');

        const restarted = await rig.start();
        const client = rig.connect(restarted.address);
        const acknowledged = burst.acknowledged();
        const payments = await paymentsOf(client, 'cust-drain');
        const byKey = new Map(payments.map((payment) => [payment.orderId, payment]));
        for (const { key, outcome } of acknowledged) if (outcome?.ok) expect(byKey.get(`order-${key}`)).toEqual(outcome.payment);
        // A drain answers every call it let in: nothing was committed without being acknowledged.
        expect(payments).toHaveLength(acknowledged.length);
        expect(await paymentsOf(client, 'cust-held')).toEqual([]);
        await annotate(
          `${burst.records.length} charges: ${acknowledged.length} OK, failures before the drain line ` +
            `${JSON.stringify(failureCodes(before))}, after it ${JSON.stringify(failureCodes(draining()))}; ` +
            `late call on a new connection: ${late}; held import: ${Status[cancelled?.code ?? Status.OK]}; ` +
            `exit code 0; ${payments.length} payments after restart`,
        );
      },
      PROCESS_TEST_TIMEOUT_MS,
    );
  });
});
