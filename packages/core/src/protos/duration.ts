/** The largest magnitude of a google.protobuf.Duration's seconds: about 10,000 years. */
export const DURATION_MAX_SECONDS = 315_576_000_000;

/**
 * A google.protobuf.Duration of a number of milliseconds, fractions down to the nanosecond, rounded to the
 * nearest nanosecond. Seconds and nanos get the sign of `milliseconds`.
 *
 * @example
 * durationFromMilliseconds(1500); // { seconds: 1n, nanos: 500_000_000 }
 *
 * @throws RangeError when `milliseconds` is not finite or beyond the ±315,576,000,000 s a Duration holds.
 */
export function durationFromMilliseconds(milliseconds: number): { seconds: bigint; nanos: number } {
  if (!Number.isFinite(milliseconds)) throw new RangeError(`durationFromMilliseconds: ${milliseconds} is not a finite number`);
  let seconds = Math.trunc(milliseconds / 1000);
  let nanos = Math.round((milliseconds - seconds * 1000) * 1_000_000);
  // Rounding may carry a whole second.
  if (nanos >= 1_000_000_000) [seconds, nanos] = [seconds + 1, nanos - 1_000_000_000];
  else if (nanos <= -1_000_000_000) [seconds, nanos] = [seconds - 1, nanos + 1_000_000_000];
  if (Math.abs(seconds) > DURATION_MAX_SECONDS) {
    throw new RangeError(`durationFromMilliseconds: ${milliseconds} ms is beyond the ±${DURATION_MAX_SECONDS} s a Duration holds`);
  }
  // `+ 0` turns -0 into 0, which compares and prints as the plain zero.
  return { seconds: BigInt(seconds), nanos: nanos + 0 };
}

/**
 * The milliseconds of a google.protobuf.Duration, with a fraction for nanoseconds (exact to the millisecond
 * over the whole range a Duration holds). Seconds may be given as a bigint, or a decimal string (`longs: 'string'`).
 *
 * @example
 * durationToMilliseconds({ seconds: 1n, nanos: 500_000_000 }); // 1500
 */
export function durationToMilliseconds(duration: { readonly seconds: bigint | string | number; readonly nanos: number }): number {
  return Number(duration.seconds) * 1000 + duration.nanos / 1_000_000;
}

/** What is wrong with a Duration's seconds and nanos, or `undefined` when they are valid. */
export function durationProblem(seconds: number, nanos: number): string | undefined {
  if (!Number.isSafeInteger(seconds) || Math.abs(seconds) > DURATION_MAX_SECONDS) {
    return `seconds must be within ±${DURATION_MAX_SECONDS}`;
  }
  if (!Number.isInteger(nanos) || Math.abs(nanos) > 999_999_999) return 'nanos must be within ±999999999';
  if ((seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) return 'seconds and nanos must have the same sign';
  return undefined;
}
