import { Injectable } from '@wirekit/core';
import { ChangeFeed } from './change-feed.js';
import { fromEpochNanos, toEpochNanos } from './epoch-nanos.js';
import type { Payment } from './gen/payments.js';
import type { ChargeOutcome, Ledger, LedgerListener, ListPaymentsQuery, NewCharge, PaymentPage, SettleOutcome } from './ledger.js';
import { checkPageSize, decodeCursor, encodeCursor } from './payment-cursor.js';
import { newPaymentId } from './payment-row.js';
import { sameCharge } from './same-charge.js';

/**
 * A ledger in process memory, for tests and development: it loses everything on exit. The service runs on the
 * SQLite or PostgreSQL store (`createLedger`); this one behaves the same, as the shared behaviour suite checks.
 */
@Injectable()
export class MemoryLedger implements Ledger {
  // In recording order; a payment's position is its index + 1, as a SQL store's sequence starts at 1.
  readonly #payments: Payment[] = [];
  readonly #positions = new Map<string, number>();
  readonly #byIdempotencyKey = new Map<string, string>();
  readonly #feed = new ChangeFeed();

  async charge(charge: NewCharge): Promise<ChargeOutcome> {
    const [outcome] = this.#record([charge]);
    return outcome as ChargeOutcome;
  }

  async find(paymentId: string): Promise<Payment | undefined> {
    const position = this.#positions.get(paymentId);
    return position === undefined ? undefined : this.#payments[position - 1];
  }

  async listPayments(query: ListPaymentsQuery): Promise<PaymentPage> {
    const limit = checkPageSize(query.limit);
    const after = decodeCursor(query.after);
    const matching: { payment: Payment; position: number }[] = [];
    for (let index = Number(after); index < this.#payments.length && matching.length <= limit; index++) {
      const payment = this.#payments[index] as Payment;
      if (!query.customerId || payment.customerId === query.customerId) matching.push({ payment, position: index + 1 });
    }
    const page = matching.slice(0, limit);
    const last = page.at(-1);
    return {
      payments: page.map((entry) => entry.payment),
      cursor: last ? encodeCursor(BigInt(last.position)) : query.after,
      hasMore: matching.length > limit,
    };
  }

  async importEntries(entries: readonly NewCharge[]): Promise<ChargeOutcome[]> {
    return this.#record(entries);
  }

  async settle(paymentId: string): Promise<SettleOutcome> {
    const position = this.#positions.get(paymentId);
    const payment = position === undefined ? undefined : this.#payments[position - 1];
    if (position === undefined || !payment) return { kind: 'not_found' };
    if (payment.status === 'PAYMENT_STATUS_SETTLED') return { kind: 'already_settled', payment };
    // A new object, so a payment handed out before stays as it was when handed out (as a SQL row read would).
    const settled: Payment = { ...payment, status: 'PAYMENT_STATUS_SETTLED', settledAt: fromEpochNanos(toEpochNanos(new Date())) };
    this.#payments[position - 1] = settled;
    this.#feed.emit({ kind: 'settled', payment: settled, cursor: encodeCursor(BigInt(position)) });
    return { kind: 'settled', payment: settled };
  }

  subscribe(listener: LedgerListener): () => void {
    return this.#feed.subscribe(listener);
  }

  /** Listeners hear of a change as it is made, so they have heard of every one already. */
  async changesDelivered(): Promise<void> {}

  /**
   * Records a batch in one synchronous step, so racing calls with one key make one payment, and a batch is
   * staged whole before anything is kept: a throw (a bad timestamp) leaves the ledger as it was.
   */
  #record(charges: readonly NewCharge[]): ChargeOutcome[] {
    const staged: Payment[] = [];
    const stagedKeys = new Map<string, Payment>();
    const outcomes = charges.map((charge): ChargeOutcome => {
      if (charge.idempotencyKey !== '') {
        const previous = stagedKeys.get(charge.idempotencyKey) ?? this.#byKey(charge.idempotencyKey);
        if (previous)
          return sameCharge(previous, charge) ? { kind: 'replayed', payment: previous } : { kind: 'conflict', existing: previous };
      }
      const payment: Payment = {
        paymentId: newPaymentId(),
        orderId: charge.orderId,
        amountCents: charge.amountCents,
        currency: charge.currency,
        status: 'PAYMENT_STATUS_SUCCEEDED',
        customerId: charge.customerId,
        metadata: { ...charge.metadata },
        createdAt: fromEpochNanos(toEpochNanos(charge.createdAt ?? new Date())),
      };
      staged.push(payment);
      if (charge.idempotencyKey !== '') stagedKeys.set(charge.idempotencyKey, payment);
      return { kind: 'created', payment };
    });
    const firstPosition = this.#payments.length + 1;
    for (const payment of staged) {
      this.#payments.push(payment);
      this.#positions.set(payment.paymentId, this.#payments.length);
    }
    for (const [key, payment] of stagedKeys) this.#byIdempotencyKey.set(key, payment.paymentId);
    staged.forEach((payment, index) => {
      this.#feed.emit({ kind: 'created', payment, cursor: encodeCursor(BigInt(firstPosition + index)) });
    });
    return outcomes;
  }

  #byKey(idempotencyKey: string): Payment | undefined {
    const paymentId = this.#byIdempotencyKey.get(idempotencyKey);
    const position = paymentId === undefined ? undefined : this.#positions.get(paymentId);
    // Looked up by id: a settled payment replaces its object in #payments.
    return position === undefined ? undefined : this.#payments[position - 1];
  }
}
