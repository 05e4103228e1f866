import { setTimeout as sleepFor } from 'node:timers/promises';
import { closeClient, createChannel, createClient } from '@wirekit/core';
import { retry } from '@wirekit/middleware/retry';
import { describe, expect, it, onTestFinished } from 'vitest';
import { PaymentService } from './gen/payments.js';
import { chargeBurst, failureCodes } from './test-support/charge-burst.js';
import { PROCESS_TEST_TIMEOUT_MS, paymentsOf, RIG_TOKEN, serviceRig } from './test-support/service-rig.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payments service process, a retrying client across a restart');

describe.each(['SQLite', 'PostgreSQL'] as const)('payments service process on %s, restarted under a retrying client', (store) => {
  describe.runIf(storeAvailable(store))(`(${store})`, () => {
    it(
      'keeps every Charge of a client with retries succeeding across kill -9 and a restart on the same port, charging none twice',
      async ({ annotate }) => {
        const rig = await serviceRig(store);
        const first = await rig.start();
        let retries = 0;
        const channel = createChannel(first.address);
        // Attempts bounded by each call's deadline rather than by a count: the outage lasts as long as a restart.
        const withRetry = retry({
          maxAttempts: 10_000,
          initialBackoffMs: 25,
          maxBackoffMs: 250,
          sleep: (ms, signal) => {
            retries++;
            return sleepFor(ms, undefined, { signal });
          },
        });
        const client = createClient(PaymentService, withRetry(channel));
        onTestFinished(() => closeClient(client));
        onTestFinished(() => channel.close());
        // The idempotency key travels twice: in the request, where the service dedupes by it, and as the header
        // that tells the retry wrapper the call may be sent again.
        const burst = chargeBurst([client], {
          concurrency: 4,
          keyPrefix: 'retry',
          customerId: 'cust-retry',
          stopOnError: true,
          callOptions: (key) => ({ timeoutMs: 45_000, metadata: { authorization: `Bearer ${RIG_TOKEN}`, 'idempotency-key': key } }),
        });
        await burst.until(() => burst.acknowledged().length >= 40);
        burst.setPhase('down');
        expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
        const second = await rig.start({ PAYMENTS_ADDR: first.address });
        expect(second.address).toBe(first.address);
        burst.setPhase('restarted');
        await burst.until(() => burst.acknowledged().filter((record) => record.phase === 'restarted').length >= 40);
        await burst.stop();

        expect(failureCodes(burst.records)).toEqual({});
        expect(burst.acknowledged()).toHaveLength(burst.records.length);
        // The calls cut by the kill, and those made while the server was down, went through by retrying.
        expect(retries).toBeGreaterThan(0);
        const payments = await paymentsOf(rig.connect(second.address), 'cust-retry');
        const byKey = new Map(payments.map((payment) => [payment.orderId, payment]));
        expect(payments).toHaveLength(burst.records.length);
        for (const { key, outcome } of burst.records) if (outcome?.ok) expect(byKey.get(`order-${key}`)).toEqual(outcome.payment);
        const across = burst.records.filter((record) => record.phase !== 'restarted' && record.endPhase === 'restarted').length;
        await annotate(
          `${burst.records.length} charges, all OK (${across} of them started before the restart and answered after it), ` +
            `${retries} retries; ${payments.length} payments, one per key`,
        );
      },
      PROCESS_TEST_TIMEOUT_MS,
    );
  });
});
