import type { Payment } from './gen/payments.js';
import type { NewCharge } from './ledger.js';

/** Metadata as JSON with its keys sorted, so equal maps give equal text (stored, and compared on a replay). */
export function canonicalMetadata(metadata: Readonly<Record<string, string>>): string {
  const entries = Object.entries(metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(Object.fromEntries(entries));
}

/**
 * Whether a repeated charge asks for the same thing as the payment its idempotency key made: a replay when it
 * does, a conflict when not. The time of the call is not a parameter.
 */
export function sameCharge(payment: Payment, charge: NewCharge): boolean {
  return (
    payment.orderId === charge.orderId &&
    payment.amountCents === charge.amountCents &&
    payment.currency === charge.currency &&
    payment.customerId === charge.customerId &&
    canonicalMetadata(payment.metadata) === canonicalMetadata(charge.metadata)
  );
}
