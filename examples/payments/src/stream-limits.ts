import { InjectionToken } from '@wirekit/core';

/** How far the payments streams may go before they push back on a client. */
export interface PaymentStreamLimits {
  /** WatchPayments reads existing payments this many at a time, as the client consumes them (1 to 1,000). */
  readonly watchPageSize: number;
  /**
   * Live events a follower may have waiting; past this the watch ends with RESOURCE_EXHAUSTED rather than
   * buffering without bound for a client that reads too slowly.
   */
  readonly watchBufferLimit: number;
  /** Entries one ImportLedger stream may send; past this the call ends with RESOURCE_EXHAUSTED, committing nothing. */
  readonly importEntryLimit: number;
}

/** The limits the service runs with: pages of 100, 1,000 waiting live events, 100,000 entries per import. */
export const DEFAULT_STREAM_LIMITS: PaymentStreamLimits = {
  watchPageSize: 100,
  watchBufferLimit: 1_000,
  importEntryLimit: 100_000,
};

/**
 * The limits the payment service is given; `PAYMENTS_MODULE` provides `DEFAULT_STREAM_LIMITS`.
 *
 * @example
 * createTestApp({ ...PAYMENTS_MODULE, overrides: [{ provide: STREAM_LIMITS, useValue: { ...DEFAULT_STREAM_LIMITS, importEntryLimit: 3 } }] });
 */
export const STREAM_LIMITS = new InjectionToken<PaymentStreamLimits>('PaymentStreamLimits');
