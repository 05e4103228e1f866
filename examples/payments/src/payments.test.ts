import { RpcError, Status } from '@wirekit/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { type PaymentsClient, SERVICE_CASES, serve } from './test-support/serve-payments.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payments service, Charge and GetPayment');

/** The same suite through the testing package's in-memory app and over a loopback port, on every store. */
for (const [transport, store] of SERVICE_CASES) {
  describe.runIf(storeAvailable(store))(`payments service, Charge and GetPayment, ${transport}, ${store} store`, () => {
    let client: PaymentsClient;
    beforeEach(async () => {
      ({ client } = await serve(transport, store));
    });

    const valid = { orderId: 'order-1', amountCents: 1250n, currency: 'EUR', customerId: 'cust-1', metadata: { channel: 'web' } };

    it('charges and finds the payment again, amounts exact', async () => {
      const payment = await client.charge(valid);
      expect(payment).toMatchObject({ orderId: 'order-1', amountCents: 1250n, currency: 'EUR', status: 'PAYMENT_STATUS_SUCCEEDED' });
      expect(payment.paymentId).toMatch(/^pay_/);
      expect(payment.createdAt).toBeInstanceOf(Date);
      expect(Math.abs((payment.createdAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
      expect(await client.getPayment({ paymentId: payment.paymentId })).toEqual(payment);
    });

    /** The field violations of the BadRequest detail `charge` is refused with (INVALID_ARGUMENT). */
    async function violationsOf(charge: Parameters<PaymentsClient['charge']>[0]) {
      const error = await client.charge(charge).then(
        (payment) => expect.fail(`charged ${payment.amountCents} ${payment.currency}`),
        (thrown: unknown) => RpcError.from(thrown),
      );
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      const details = error.findDetails('google.rpc.BadRequest');
      expect(details).toHaveLength(1);
      return {
        message: error.rawMessage,
        violations: details[0]?.fieldViolations.map(({ field, description }) => ({ field, description })),
      };
    }

    it('refuses a bad charge with INVALID_ARGUMENT and a BadRequest naming every field and what to do', async () => {
      expect(await violationsOf({ orderId: '', amountCents: 10n, currency: 'usd', customerId: ' ' })).toEqual({
        message: 'the charge is invalid: order_id, amount_cents, currency, customer_id',
        violations: [
          { field: 'order_id', description: 'order_id is required: the id of the order being paid' },
          { field: 'amount_cents', description: 'amount_cents must be from 50 to 99999999 (minor units, e.g. cents); got 10' },
          { field: 'currency', description: 'currency must be an ISO 4217 code in upper case, such as USD, EUR or JPY; got "usd"' },
          { field: 'customer_id', description: 'customer_id is required: who is charged' },
        ],
      });
      for (const currency of ['US', 'XYZ1', 'XYZ', 'eur', '']) {
        expect((await violationsOf({ ...valid, currency })).violations).toEqual([
          { field: 'currency', description: `currency must be an ISO 4217 code in upper case, such as USD, EUR or JPY; got "${currency}"` },
        ]);
      }
    });

    it('accepts amounts from 50 to 99,999,999 minor units, both included, and refuses 49 and 100,000,000', async () => {
      for (const amountCents of [49n, 0n, -1_250n, 100_000_000n]) {
        expect(await violationsOf({ ...valid, amountCents })).toEqual({
          message: 'the charge is invalid: amount_cents',
          violations: [
            {
              field: 'amount_cents',
              description: `amount_cents must be from 50 to 99999999 (minor units, e.g. cents); got ${amountCents}`,
            },
          ],
        });
      }
      await expect(client.charge({ ...valid, amountCents: 50n })).resolves.toMatchObject({ amountCents: 50n });
      await expect(client.charge({ ...valid, currency: 'JPY', amountCents: 99_999_999n })).resolves.toMatchObject({
        amountCents: 99_999_999n,
      });
    });

    it('returns the first payment for a repeated idempotency key, also when the repeats race', async () => {
      const charge = { ...valid, idempotencyKey: 'key-1' };
      const payments = await Promise.all(Array.from({ length: 20 }, () => client.charge(charge)));
      expect(new Set(payments.map((payment) => payment.paymentId)).size).toBe(1);
      await expect(client.charge({ ...charge, amountCents: 999n })).rejects.toMatchObject({ code: Status.ALREADY_EXISTS });
    });

    it('answers NOT_FOUND with a ResourceInfo for an unknown id, INVALID_ARGUMENT for an empty one', async () => {
      const missing = (await client.getPayment({ paymentId: 'pay_nope' }).catch((e: unknown) => e)) as RpcError;
      expect(missing.code).toBe(Status.NOT_FOUND);
      expect(missing.findDetails('google.rpc.ResourceInfo')[0]).toMatchObject({ resourceName: 'pay_nope' });
      await expect(client.getPayment({ paymentId: '' })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
    });
  });
}
