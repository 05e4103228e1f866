/** The seconds of 0001-01-01T00:00:00Z, the earliest google.protobuf.Timestamp. */
export const TIMESTAMP_MIN_SECONDS = -62_135_596_800;
/** The seconds of 9999-12-31T23:59:59Z, the latest second a google.protobuf.Timestamp may hold. */
export const TIMESTAMP_MAX_SECONDS = 253_402_300_799;
/** The range a google.protobuf.Timestamp may hold, for error messages. */
export const TIMESTAMP_RANGE = '0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z';

/**
 * A `Date` that carries a google.protobuf.Timestamp to the nanosecond. Decoded Timestamp fields are
 * instances, so a timestamp that is passed on is encoded again exactly; any plain `Date` is accepted when
 * encoding (its nanoseconds then come from its milliseconds).
 *
 * Digits below the millisecond are kept by the instance and stay when its Date setters change the rest.
 *
 * @example
 * const at = new ProtoTimestamp(1_700_000_000n, 123_456_789);
 * at.toISOString(); // '2023-11-14T22:13:20.123Z'
 * at.nanos; // 123456789
 *
 * @throws RangeError when the seconds or nanos are outside the range a Timestamp allows.
 */
export class ProtoTimestamp extends Date {
  readonly #subMillisecondNanos: number;

  /**
   * @param seconds Seconds since 1970-01-01T00:00:00Z, from 0001-01-01 to 9999-12-31.
   * @param nanos Nanoseconds within the second, 0 to 999,999,999.
   */
  constructor(seconds: bigint | number, nanos = 0) {
    const wholeSeconds = Number(seconds);
    if (!Number.isInteger(wholeSeconds) || wholeSeconds < TIMESTAMP_MIN_SECONDS || wholeSeconds > TIMESTAMP_MAX_SECONDS) {
      throw new RangeError(`ProtoTimestamp: seconds ${String(seconds)} are outside ${TIMESTAMP_RANGE}`);
    }
    if (!Number.isInteger(nanos) || nanos < 0 || nanos > 999_999_999) {
      throw new RangeError(`ProtoTimestamp: nanos must be an integer from 0 to 999999999, got ${nanos}`);
    }
    super(wholeSeconds * 1000 + Math.floor(nanos / 1_000_000));
    this.#subMillisecondNanos = nanos % 1_000_000;
  }

  /** Nanoseconds within the second, 0 to 999,999,999: the Date's milliseconds and the digits below them. */
  get nanos(): number {
    const millis = this.getTime() % 1000;
    return (millis < 0 ? millis + 1000 : millis) * 1_000_000 + this.#subMillisecondNanos;
  }
}
