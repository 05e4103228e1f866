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

    it('refuses a bad charge with INVALID_ARGUMENT and a BadRequest naming every field', async () => {
      const error = (await client
        .charge({ orderId: '', amountCents: 10n, currency: 'usd', customerId: '' })
        .catch((e: unknown) => e)) as RpcError;
      expect(error).toBeInstanceOf(RpcError);
      expect(error.code).toBe(Status.INVALID_ARGUMENT);
      const [badRequest] = error.findDetails('google.rpc.BadRequest');
      expect(badRequest?.fieldViolations.map((violation) => violation.field)).toEqual([
        'order_id',
        'amount_cents',
        'currency',
        'customer_id',
      ]);
      for (const currency of ['US', 'XYZ1', 'XYZ']) {
        await expect(client.charge({ ...valid, currency })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
      }
      await expect(client.charge({ ...valid, amountCents: 100_000_000n })).rejects.toMatchObject({ code: Status.INVALID_ARGUMENT });
      await expect(client.charge({ ...valid, currency: 'JPY', amountCents: 99_999_999n })).resolves.toBeDefined();
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
