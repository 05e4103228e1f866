import { expected } from './field-type-error.js';
import type { ValueConverter } from './value-converters.js';

/**
 * How 64-bit integers appear in plain messages: `bigint` (the default), or `string` of decimal digits for code
 * that must hand them to JSON or to libraries without bigint support. Never a `number`, which would round
 * values past 2^53.
 */
export type LongForm = 'bigint' | 'string';

/** What protobufjs decodes 64-bit integers into (a `Long`), or accepts in their place. */
export interface LongBits {
  readonly low: number;
  readonly high: number;
}

const TWO_32 = 4294967296;
// Below this magnitude of the high word, high * 2^32 + low is exact in a double.
const HIGH_EXACT = 0x200000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const DECIMAL = /^-?\d+$/;

/** A decoded signed 64-bit value (a `Long`, or the number 0 protobufjs uses as a map value default) as a bigint. */
export function signedLongToBigInt(value: unknown): bigint {
  if (typeof value === 'number') return BigInt(value);
  const { low, high } = value as LongBits;
  if (high > -HIGH_EXACT && high < HIGH_EXACT) return BigInt(high * TWO_32 + (low >>> 0));
  return BigInt(high) * 4294967296n + BigInt(low >>> 0);
}

/** A decoded unsigned 64-bit value as a bigint. */
export function unsignedLongToBigInt(value: unknown): bigint {
  if (typeof value === 'number') return BigInt(value);
  const { low } = value as LongBits;
  const high = (value as LongBits).high >>> 0;
  if (high < HIGH_EXACT) return BigInt(high * TWO_32 + (low >>> 0));
  return BigInt(high) * 4294967296n + BigInt(low >>> 0);
}

/** A decoded signed 64-bit value as decimal digits, without a bigint when the value fits a double exactly. */
function signedLongToString(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const { low, high } = value as LongBits;
  if (high > -HIGH_EXACT && high < HIGH_EXACT) return String(high * TWO_32 + (low >>> 0));
  return (BigInt(high) * 4294967296n + BigInt(low >>> 0)).toString();
}

function unsignedLongToString(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const { low } = value as LongBits;
  const high = (value as LongBits).high >>> 0;
  if (high < HIGH_EXACT) return String(high * TWO_32 + (low >>> 0));
  return (BigInt(high) * 4294967296n + BigInt(low >>> 0)).toString();
}

/** A 64-bit value in the form the encoder takes: a number when exact (written without allocating), else its bits. */
export function bigIntToWire(value: bigint): number | LongBits {
  if (value >= -9007199254740991n && value <= 9007199254740991n) return Number(value);
  return { low: Number(BigInt.asIntN(32, value)), high: Number(BigInt.asIntN(32, value >> 32n)) };
}

/** An encoder-ready 64-bit value (a safe integer, or bits) as a bigint. */
export function wireToBigInt(wire: unknown, unsigned: boolean): bigint {
  return unsigned ? unsignedLongToBigInt(wire) : signedLongToBigInt(wire);
}

/** The converter of a 64-bit integer type, in the given plain form. */
export function longConverter(unsigned: boolean, form: LongForm): ValueConverter {
  const min = unsigned ? 0n : INT64_MIN;
  const max = unsigned ? UINT64_MAX : INT64_MAX;
  const range = unsigned ? 'from 0 to 2^64-1' : 'from -2^63 to 2^63-1';
  const inRange = (value: bigint, given: unknown, what: string): number | LongBits => {
    if (value < min || value > max) throw expected(`${what} ${range}`, given, 'out of range');
    return bigIntToWire(value);
  };
  const safeNumber = (value: unknown): value is number =>
    typeof value === 'number' && Number.isSafeInteger(value) && (!unsigned || value >= 0);
  if (form === 'string') {
    return {
      toWire: (value) => {
        if (typeof value === 'string' && DECIMAL.test(value)) return inRange(BigInt(value), value, 'a decimal string');
        if (typeof value === 'bigint') return inRange(value, value, 'a decimal string');
        if (safeNumber(value)) return value;
        throw expected('a string of decimal digits', value, typeof value === 'number' ? 'numbers must be safe integers' : undefined);
      },
      fromWire: unsigned ? unsignedLongToString : signedLongToString,
      isZero: isZeroNumber,
    };
  }
  return {
    toWire: (value) => {
      if (typeof value === 'bigint') return inRange(value, value, 'a bigint');
      if (safeNumber(value)) return value;
      throw expected('a bigint', value, typeof value === 'number' ? 'numbers must be safe integers' : undefined);
    },
    fromWire: unsigned ? unsignedLongToBigInt : signedLongToBigInt,
    isZero: isZeroNumber,
  };
}

function isZeroNumber(wire: unknown): boolean {
  return wire === 0;
}
