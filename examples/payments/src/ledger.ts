import { InjectionToken } from '@wirekit/core';
import type { Payment } from './gen/payments.js';

/** A charge as the ledger records it. */
export interface NewCharge {
  readonly orderId: string;
  readonly amountCents: bigint;
  readonly currency: string;
  readonly customerId: string;
  /** Empty: no idempotency, every call makes a payment. */
  readonly idempotencyKey: string;
  readonly metadata: Readonly<Record<string, string>>;
  /**
   * When the charge happened; default: now. Kept to the nanosecond (a `ProtoTimestamp` keeps its digits below
   * the millisecond), so an imported ledger keeps its original times.
   */
  readonly createdAt?: Date;
}

/** The outcome of recording a charge. */
export type ChargeOutcome =
  | { readonly kind: 'created'; readonly payment: Payment }
  /** The idempotency key was used before with the same parameters: the first payment, unchanged. */
  | { readonly kind: 'replayed'; readonly payment: Payment }
  /** The idempotency key was used before with other parameters. */
  | { readonly kind: 'conflict'; readonly existing: Payment };

/** The outcome of settling a payment. */
export type SettleOutcome =
  /** This call moved the payment from SUCCEEDED to SETTLED. */
  | { readonly kind: 'settled'; readonly payment: Payment }
  /** Settled before (by another call, maybe on another replica): the payment as it is. */
  | { readonly kind: 'already_settled'; readonly payment: Payment }
  | { readonly kind: 'not_found' };

/** Which payments to list, oldest (first recorded) first. */
export interface ListPaymentsQuery {
  /** Only this customer's payments; absent or empty: every customer's. */
  readonly customerId?: string;
  /** Continue after this position: the `cursor` of the previous page. Absent: from the start. */
  readonly after?: string;
  /** At most this many payments, 1 to 1,000. */
  readonly limit: number;
}

/** One page of a listing. */
export interface PaymentPage {
  readonly payments: readonly Payment[];
  /**
   * Pass as `after` to continue: the position of the page's last payment, or the query's `after` when the page
   * is empty, so a follower can keep asking from where it stopped.
   */
  readonly cursor: string | undefined;
  /** Whether more payments matched at the time of the query. */
  readonly hasMore: boolean;
}

/**
 * A committed change, for live watchers. A store calls listeners only after the change is committed, in commit
 * order. A watcher that lists and then follows subscribes first and tells the changes its listing already
 * showed by `cursor` and by `changesDelivered` (see `LiveChanges`), never by remembering every payment it listed.
 */
export interface LedgerChange {
  readonly kind: 'created' | 'settled';
  readonly payment: Payment;
  /** Where the payment sorts in a listing: the `cursor` of a page that ends with it. */
  readonly cursor: string;
}

/** Called with each committed change; it must not throw (a store reports a throw as a process warning). */
export type LedgerListener = (change: LedgerChange) => void;

/** Where payments are kept. Amounts are integers end to end. */
export interface Ledger {
  /** Records a charge; with an idempotency key, at most one payment per key, however many replicas race. */
  charge(charge: NewCharge): Promise<ChargeOutcome>;
  find(paymentId: string): Promise<Payment | undefined>;
  /** A page of payments, oldest first; page through with `cursor` so a stream reads only as fast as it sends. */
  listPayments(query: ListPaymentsQuery): Promise<PaymentPage>;
  /**
   * Records many charges in one transaction, each with its own idempotency (a key repeated within the batch
   * replays or conflicts like a later call would). One outcome per entry, in order. When it throws, nothing of
   * the batch was committed.
   */
  importEntries(entries: readonly NewCharge[]): Promise<ChargeOutcome[]>;
  /** Moves a SUCCEEDED payment to SETTLED with `settledAt`, atomically: of racing settles, one wins. */
  settle(paymentId: string): Promise<SettleOutcome>;
  /** Calls `listener` after each committed change; returns the function that stops it. */
  subscribe(listener: LedgerListener): () => void;
  /**
   * Resolves once every change committed before the call has been passed to this instance's listeners. Immediate
   * for a store that calls them at commit; PostgreSQL's arrive later, over LISTEN, and it waits for them.
   */
  changesDelivered(): Promise<void>;
}

/** The ledger the payment service is given. */
export const LEDGER = new InjectionToken<Ledger>('Ledger');
