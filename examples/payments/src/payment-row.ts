import { randomUUID } from 'node:crypto';
import { fromEpochNanos } from './epoch-nanos.js';
import type { Payment, PaymentStatus } from './gen/payments.js';
import type { PaymentPage } from './ledger.js';
import { encodeCursor } from './payment-cursor.js';

/**
 * A payments row as the SQL stores read it. 64-bit integers arrive as `bigint` from SQLite (`safeIntegers`) and
 * as decimal text from PostgreSQL (pg's default for int8, which we keep rather than risk a float).
 */
export interface PaymentRow {
  readonly seq: bigint | string;
  readonly payment_id: string;
  readonly order_id: string;
  readonly amount_cents: bigint | string;
  readonly currency: string;
  readonly status: string;
  readonly customer_id: string;
  readonly metadata: string;
  readonly idempotency_key: string | null;
  readonly created_at_ns: bigint | string;
  readonly settled_at_ns: bigint | string | null;
}

/** The `Payment` of a row; timestamps come back as `ProtoTimestamp`s with their nanoseconds. */
export function paymentFromRow(row: PaymentRow): Payment {
  const payment: Payment = {
    paymentId: row.payment_id,
    orderId: row.order_id,
    amountCents: BigInt(row.amount_cents),
    currency: row.currency,
    status: row.status as PaymentStatus,
    customerId: row.customer_id,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    createdAt: fromEpochNanos(BigInt(row.created_at_ns)),
  };
  if (row.settled_at_ns !== null) payment.settledAt = fromEpochNanos(BigInt(row.settled_at_ns));
  return payment;
}

/** A new payment id: `pay_` and 32 hex digits. */
export function newPaymentId(): string {
  return `pay_${randomUUID().replaceAll('-', '')}`;
}

/**
 * A page of a listing from the rows a store read: it asks for one row more than `limit`, which tells whether a
 * next page exists; the cursor stays where it was when the page is empty, so a follower can ask again.
 */
export function pageFromRows(rows: readonly PaymentRow[], limit: number, after: string | undefined): PaymentPage {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    payments: page.map(paymentFromRow),
    cursor: last ? encodeCursor(BigInt(last.seq)) : after,
    hasMore: rows.length > limit,
  };
}
