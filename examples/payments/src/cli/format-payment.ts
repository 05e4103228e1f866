import type { Payment } from '../gen/payments.js';

/**
 * An amount in minor units with its currency, in major units as the currency writes them: `12.50 EUR`,
 * `1250 JPY`. Currencies Node's Intl does not know get two decimals.
 */
export function formatAmount(amountCents: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amountCents < 0n ? '-' : '';
  const magnitude = (amountCents < 0n ? -amountCents : amountCents).toString();
  if (digits === 0) return `${sign}${magnitude} ${currency}`;
  const padded = magnitude.padStart(digits + 1, '0');
  return `${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)} ${currency}`;
}

function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** A payment status without its enum prefix: `SUCCEEDED`, `SETTLED`. */
export function statusWord(status: Payment['status']): string {
  return typeof status === 'number' ? `status ${status}` : status.replace(/^PAYMENT_STATUS_/, '');
}

/** A payment on one line, for streams: `pay_1  order o1  12.50 EUR  customer c1  SUCCEEDED`. */
export function paymentLine(payment: Payment): string {
  return [
    payment.paymentId,
    `order ${payment.orderId}`,
    formatAmount(payment.amountCents, payment.currency),
    `customer ${payment.customerId}`,
    statusWord(payment.status),
  ].join('  ');
}

/** A payment as a readable block of `label  value` lines. */
export function paymentSummary(payment: Payment): string {
  const rows: [string, string][] = [
    ['payment', payment.paymentId],
    ['order', payment.orderId],
    ['amount', `${formatAmount(payment.amountCents, payment.currency)} (${payment.amountCents} minor units)`],
    ['customer', payment.customerId],
    ['status', statusWord(payment.status)],
  ];
  if (payment.createdAt) rows.push(['created', payment.createdAt.toISOString()]);
  if (payment.settledAt) rows.push(['settled', payment.settledAt.toISOString()]);
  const metadata = Object.entries(payment.metadata);
  if (metadata.length > 0) rows.push(['metadata', metadata.map(([key, value]) => `${key}=${value}`).join(', ')]);
  return rows.map(([label, value]) => `${label.padEnd(9)}${value}\n`).join('');
}
