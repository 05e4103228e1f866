// What the three end-to-end servers share: the payments service's own handlers (PaymentHandlers) over its
// in-memory ledger, so Charge and GetPayment run the same validation and ledger code whichever protocol carries
// them, and no database is measured. The `x-delay-ms` request header (gRPC metadata or HTTP header) makes a call
// wait that long on the server before it runs: the slow call of the head-of-line test.
import { setTimeout as delay } from 'node:timers/promises';
import { DEFAULT_STREAM_LIMITS } from '../../../examples/payments/dist/stream-limits.js';

export { LEDGER } from '../../../examples/payments/dist/ledger.js';
export { MemoryLedger } from '../../../examples/payments/dist/memory-ledger.js';
export { PaymentHandlers } from '../../../examples/payments/dist/payment-service.js';
export { STREAM_LIMITS } from '../../../examples/payments/dist/stream-limits.js';
export { DEFAULT_STREAM_LIMITS };

/** The header (gRPC metadata key) that asks the server to hold a call this many milliseconds first. */
export const DELAY_HEADER = 'x-delay-ms';

/** The longest delay a call may ask for, so a wrong header cannot stall a run. */
const MAX_DELAY_MS = 5_000;

/** Waits what the `x-delay-ms` header asks (nothing when absent); a bad value is an error, not a silent zero. */
export async function holdAsAsked(value) {
  if (value === undefined || value === '') return;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_DELAY_MS)
    throw new RangeError(`${DELAY_HEADER} must be 0 to ${MAX_DELAY_MS}, got ${value}`);
  if (ms > 0) await delay(ms);
}
