import { InjectionToken } from '@wirekit/core';
import type { Payment } from './gen/payments.js';

/** A charge as the ledger records it. */
export interface NewCharge {
  readonly orderId: string;
  readonly amountCents: bigint;
  readonly currency: string;
  readonly customerId: string;
  readonly idempotencyKey: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The outcome of recording a charge. */
export type ChargeOutcome =
  | { readonly kind: 'created'; readonly payment: Payment }
  /** The idempotency key was used before with the same parameters: the first payment, unchanged. */
  | { readonly kind: 'replayed'; readonly payment: Payment }
  /** The idempotency key was used before with other parameters. */
  | { readonly kind: 'conflict'; readonly existing: Payment };

/** Where payments are kept. Amounts are integers end to end. */
export interface Ledger {
  charge(charge: NewCharge): Promise<ChargeOutcome>;
  find(paymentId: string): Promise<Payment | undefined>;
}

/** The ledger the payment service is given. */
export const LEDGER = new InjectionToken<Ledger>('Ledger');
