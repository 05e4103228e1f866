import { randomUUID } from 'node:crypto';
import { Injectable } from '@wirekit/core';
import type { Payment } from './gen/payments.js';
import type { ChargeOutcome, Ledger, NewCharge } from './ledger.js';

/**
 * A ledger in process memory: the first version's store, for development. It loses everything on exit; the
 * durable SQLite and PostgreSQL stores replace it (see the payments issue).
 */
@Injectable()
export class MemoryLedger implements Ledger {
  readonly #payments = new Map<string, Payment>();
  readonly #byIdempotencyKey = new Map<string, { charge: NewCharge; paymentId: string }>();

  async charge(charge: NewCharge): Promise<ChargeOutcome> {
    // Check and insert happen in one synchronous step, so concurrent charges with one key make one payment.
    if (charge.idempotencyKey !== '') {
      const previous = this.#byIdempotencyKey.get(charge.idempotencyKey);
      if (previous) {
        const existing = this.#payments.get(previous.paymentId) as Payment;
        return sameCharge(previous.charge, charge) ? { kind: 'replayed', payment: existing } : { kind: 'conflict', existing };
      }
    }
    const payment: Payment = {
      paymentId: `pay_${randomUUID().replaceAll('-', '')}`,
      orderId: charge.orderId,
      amountCents: charge.amountCents,
      currency: charge.currency,
      status: 'PAYMENT_STATUS_SUCCEEDED',
      customerId: charge.customerId,
      metadata: { ...charge.metadata },
      createdAt: new Date(),
    };
    this.#payments.set(payment.paymentId, payment);
    if (charge.idempotencyKey !== '') this.#byIdempotencyKey.set(charge.idempotencyKey, { charge, paymentId: payment.paymentId });
    return { kind: 'created', payment };
  }

  async find(paymentId: string): Promise<Payment | undefined> {
    return this.#payments.get(paymentId);
  }
}

function sameCharge(a: NewCharge, b: NewCharge): boolean {
  const metadataA = Object.entries(a.metadata).sort();
  const metadataB = Object.entries(b.metadata).sort();
  return (
    a.orderId === b.orderId &&
    a.amountCents === b.amountCents &&
    a.currency === b.currency &&
    a.customerId === b.customerId &&
    JSON.stringify(metadataA) === JSON.stringify(metadataB)
  );
}
