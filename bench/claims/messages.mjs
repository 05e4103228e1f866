// The payments messages the claims are measured on, built the same way on every run (a seeded generator, fixed
// times), so sizes are reproducible to the byte. Ids, amounts and metadata have the shapes the payments service
// gives them (`pay_` + 32 hex digits, amounts in cents, a few metadata pairs); the rejection reasons are the
// service's own words, produced by its `entryRejection` for entries that break its rules.

import { protos } from '../../examples/payments/dist/gen/payments.js';
import { entryRejection } from '../../examples/payments/dist/ledger-import.js';

/** The codecs of the messages measured, from the payments service's generated definitions. */
export const codecs = {
  ChargeRequest: protos.codec('payments.v1.ChargeRequest'),
  Payment: protos.codec('payments.v1.Payment'),
  ImportSummary: protos.codec('payments.v1.ImportSummary'),
  PaymentEvent: protos.codec('payments.v1.PaymentEvent'),
  GetPaymentRequest: protos.codec('payments.v1.GetPaymentRequest'),
};

/** A small deterministic generator (mulberry32), so every run builds the same messages. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'SEK'];
const CHANNELS = ['web', 'ios', 'android', 'pos'];
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-northeast-1'];
const BASE_MS = Date.UTC(2026, 2, 14, 9, 30, 15, 123);

function hex(random, digits) {
  let text = '';
  for (let index = 0; index < digits; index++) text += Math.floor(random() * 16).toString(16);
  return text;
}

function pick(random, list) {
  return list[Math.floor(random() * list.length)];
}

/** One payment as the service returns it: succeeded or settled, with metadata and its timestamps. */
function paymentOf(random, index) {
  const settled = random() < 0.5;
  const createdMs = BASE_MS + index * 1_733;
  const payment = {
    paymentId: `pay_${hex(random, 32)}`,
    orderId: `ord_2026_${String(184_467 + index).padStart(9, '0')}`,
    amountCents: BigInt(50 + Math.floor(random() * 250_000)),
    currency: pick(random, CURRENCIES),
    status: settled ? 'PAYMENT_STATUS_SETTLED' : 'PAYMENT_STATUS_SUCCEEDED',
    customerId: `cus_${hex(random, 16)}`,
    metadata: { channel: pick(random, CHANNELS), region: pick(random, REGIONS), cart_id: `c_${hex(random, 16)}` },
    createdAt: new Date(createdMs),
  };
  if (settled) payment.settledAt = new Date(createdMs + 86_400_000 + Math.floor(random() * 3_600_000));
  return payment;
}

/** Ledger entries that each break one of the import's rules, in turn. */
function badEntry(random, index) {
  const entry = {
    orderId: `ord_2026_${String(900_000 + index).padStart(9, '0')}`,
    amountCents: BigInt(50 + Math.floor(random() * 250_000)),
    currency: pick(random, CURRENCIES),
    idempotencyKey: `imp_${hex(random, 24)}`,
    customerId: `cus_${hex(random, 16)}`,
  };
  switch (index % 4) {
    case 0:
      return { ...entry, amountCents: 0n };
    case 1:
      return { ...entry, currency: entry.currency.toLowerCase() };
    case 2:
      return { ...entry, idempotencyKey: '' };
    default:
      return { ...entry, customerId: '' };
  }
}

/**
 * The four messages of the size and speed claims, each with its codec and how many protobuf messages it is:
 * a ChargeRequest, a settled Payment with metadata and both timestamps, an ImportSummary with 100 rejections,
 * and a WatchPayments stream of 1,000 PaymentEvents (one message per event on the wire).
 */
export function claimMessages() {
  const random = seeded(20_260_314);
  const charge = {
    orderId: 'ord_2026_000184467',
    amountCents: 129_900n,
    currency: 'EUR',
    idempotencyKey: `idem_${hex(random, 32)}`,
    metadata: { channel: 'web', region: 'eu-west-1', campaign: 'spring-sale', cart_id: 'c_8f14e45fceea167a' },
    customerId: 'cus_7c9e6679f4254ad5',
  };
  const payment = {
    paymentId: 'pay_01hzx3k8m2q7v9t4r6w1y5n0bc8d2e4f',
    orderId: charge.orderId,
    amountCents: charge.amountCents,
    currency: charge.currency,
    status: 'PAYMENT_STATUS_SETTLED',
    customerId: charge.customerId,
    metadata: charge.metadata,
    createdAt: new Date(BASE_MS),
    settledAt: new Date(BASE_MS + 86_400_000 + 4_511),
  };
  const rejections = Array.from({ length: 100 }, (_, index) => {
    const reason = entryRejection(badEntry(random, index));
    if (reason === undefined) throw new Error(`entry ${index} was meant to be rejected`);
    return { index: index * 9 + 3, reason };
  });
  const importSummary = {
    accepted: 900,
    rejected: rejections.length,
    acceptedAmountCents: 112_345_678n,
    rejections,
  };
  const events = Array.from({ length: 1_000 }, (_, index) => ({ kind: 'KIND_EXISTING', payment: paymentOf(random, index) }));
  return [
    { name: 'ChargeRequest', label: 'ChargeRequest', codec: codecs.ChargeRequest, values: [charge] },
    { name: 'Payment', label: 'Payment (metadata, 2 timestamps)', codec: codecs.Payment, values: [payment] },
    { name: 'ImportSummary', label: 'ImportSummary (100 rejections)', codec: codecs.ImportSummary, values: [importSummary] },
    { name: 'PaymentEvent×1000', label: 'PaymentEvent stream (1,000 events)', codec: codecs.PaymentEvent, values: events },
  ];
}

/** A value with bigints, Dates and nested objects in a form `isDeepStrictEqual` compares by meaning. */
export function comparable(value) {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return `date:${value.toISOString()}`;
  if (Array.isArray(value)) return value.map(comparable);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, field]) => field !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([key, field]) => [key, comparable(field)]),
    );
  }
  return value;
}
