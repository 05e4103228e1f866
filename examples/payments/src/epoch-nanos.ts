import { ProtoTimestamp } from '@wirekit/core';

const NANOS_PER_SECOND = 1_000_000_000n;

/**
 * A time as integer nanoseconds since 1970, the form the SQL stores keep (INTEGER/BIGINT columns, never a float
 * and never a text date that would drop the nanoseconds). Covers 1677 to 2262, wider than any payment needs.
 */
export function toEpochNanos(date: Date): bigint {
  const millis = date.getTime();
  if (!Number.isFinite(millis)) throw new RangeError('an invalid Date has no time to store');
  const seconds = Math.floor(millis / 1000);
  const nanos = date instanceof ProtoTimestamp ? date.nanos : (millis - seconds * 1000) * 1_000_000;
  return BigInt(seconds) * NANOS_PER_SECOND + BigInt(nanos);
}

/** The `ProtoTimestamp` of integer nanoseconds since 1970, exact to the nanosecond. */
export function fromEpochNanos(epochNanos: bigint): ProtoTimestamp {
  let seconds = epochNanos / NANOS_PER_SECOND;
  let nanos = epochNanos % NANOS_PER_SECOND;
  // BigInt division truncates toward zero; a Timestamp's nanos count forward from the second below.
  if (nanos < 0n) {
    nanos += NANOS_PER_SECOND;
    seconds -= 1n;
  }
  return new ProtoTimestamp(seconds, Number(nanos));
}
