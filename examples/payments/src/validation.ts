import type { FieldViolation } from '@wirekit/core';
import { ISO_4217_CODES } from './currencies.js';

/** The smallest and largest amounts a single charge may have, in the currency's minor unit. */
export const MIN_AMOUNT_CENTS = 50n;
export const MAX_AMOUNT_CENTS = 99_999_999n;

/** What a charge or a ledger entry must state. */
export interface ChargeFields {
  readonly orderId: string;
  readonly amountCents: bigint;
  readonly currency: string;
  readonly customerId: string;
}

/** Every rule a charge breaks, with the proto field name and what to do about it; empty when valid. */
export function chargeViolations(charge: ChargeFields): FieldViolation[] {
  const violations: FieldViolation[] = [];
  if (charge.orderId.trim() === '')
    violations.push({ field: 'order_id', description: 'order_id is required: the id of the order being paid' });
  if (charge.amountCents < MIN_AMOUNT_CENTS || charge.amountCents > MAX_AMOUNT_CENTS) {
    violations.push({
      field: 'amount_cents',
      description: `amount_cents must be from ${MIN_AMOUNT_CENTS} to ${MAX_AMOUNT_CENTS} (minor units, e.g. cents); got ${charge.amountCents}`,
    });
  }
  if (!ISO_4217_CODES.has(charge.currency)) {
    violations.push({
      field: 'currency',
      description: `currency must be an ISO 4217 code in upper case, such as USD, EUR or JPY; got "${charge.currency}"`,
    });
  }
  if (charge.customerId.trim() === '') violations.push({ field: 'customer_id', description: 'customer_id is required: who is charged' });
  return violations;
}
