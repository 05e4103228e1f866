import { describe, expect, it } from 'vitest';
import { charge, SERVICE_CASES, serve } from './test-support/serve-payments.js';
import { storeAvailable, warnIfPostgresMissing } from './test-support/stores.js';

warnIfPostgresMissing('payment streams, Settle');

for (const [transport, store] of SERVICE_CASES) {
  describe.runIf(storeAvailable(store))(`payment streams, Settle, ${transport}, ${store} store`, () => {
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
}
