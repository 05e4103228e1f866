import { expected } from './field-type-error.js';
const TWO_32 = 4294967296;
// Below this magnitude of the high word, high * 2^32 + low is exact in a double.
const HIGH_EXACT = 0x200000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;
const isZeroNumber = (wire) => wire === 0;
function integer(what, min, max) {
    return {
        toWire: (value) => {
            if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max)
                return value;
            throw expected(what, value, typeof value === 'number' && Number.isInteger(value) ? 'out of range' : undefined);
        },
        fromWire: undefined,
        isZero: isZeroNumber,
    };
}
const FLOATING = {
    toWire: (value) => {
        if (typeof value === 'number')
            return value;
        throw expected('a number', value);
    },
    fromWire: undefined,
    // -0 is not the zero value: protoc sends it, since its bits differ.
    isZero: (wire) => wire === 0 && 1 / wire > 0,
};
const BOOL = {
    toWire: (value) => {
        if (typeof value === 'boolean')
            return value;
        throw expected('a boolean', value);
    },
    fromWire: undefined,
    isZero: (wire) => wire === false,
};
const STRING = {
    toWire: (value) => {
        if (typeof value === 'string')
            return value;
        throw expected('a string', value);
    },
    fromWire: undefined,
    isZero: (wire) => wire === '',
};
const BYTES = {
    toWire: (value) => {
        if (value instanceof Uint8Array)
            return value;
        throw expected('a Uint8Array', value);
    },
    // An unset bytes field decodes to protobufjs's shared empty array, not to bytes.
    fromWire: (value) => (value instanceof Uint8Array ? value : new Uint8Array(0)),
    isZero: (wire) => wire.length === 0,
};
function int64(unsigned) {
    const min = unsigned ? 0n : INT64_MIN;
    const max = unsigned ? UINT64_MAX : INT64_MAX;
    const what = unsigned ? 'a bigint from 0 to 2^64-1' : 'a bigint from -2^63 to 2^63-1';
    return {
        toWire: (value) => {
            if (typeof value === 'bigint') {
                if (value < min || value > max)
                    throw expected(what, value, 'out of range');
                // Small values go as numbers, which protobufjs writes without allocating.
                if (value >= -9007199254740991n && value <= 9007199254740991n)
                    return Number(value);
                return { low: Number(BigInt.asIntN(32, value)), high: Number(BigInt.asIntN(32, value >> 32n)) };
            }
            if (typeof value === 'number' && Number.isSafeInteger(value) && (!unsigned || value >= 0))
                return value;
            throw expected('a bigint', value, typeof value === 'number' ? 'numbers must be safe integers' : undefined);
        },
        fromWire: unsigned ? unsignedLongToBigInt : signedLongToBigInt,
        isZero: isZeroNumber,
    };
}
/** A decoded signed 64-bit value (a `Long`, or the number 0 protobufjs uses as a map value default) as a bigint. */
export function signedLongToBigInt(value) {
    if (typeof value === 'number')
        return BigInt(value);
    const { low, high } = value;
    if (high > -HIGH_EXACT && high < HIGH_EXACT)
        return BigInt(high * TWO_32 + (low >>> 0));
    return BigInt(high) * 4294967296n + BigInt(low >>> 0);
}
/** A decoded unsigned 64-bit value as a bigint. */
export function unsignedLongToBigInt(value) {
    if (typeof value === 'number')
        return BigInt(value);
    const { low } = value;
    const high = value.high >>> 0;
    if (high < HIGH_EXACT)
        return BigInt(high * TWO_32 + (low >>> 0));
    return BigInt(high) * 4294967296n + BigInt(low >>> 0);
}
const SCALARS = Object.freeze({
    double: FLOATING,
    float: FLOATING,
    int32: integer('an int32', -2147483648, 2147483647),
    sint32: integer('an int32', -2147483648, 2147483647),
    sfixed32: integer('an int32', -2147483648, 2147483647),
    uint32: integer('a uint32', 0, 4294967295),
    fixed32: integer('a uint32', 0, 4294967295),
    int64: int64(false),
    sint64: int64(false),
    sfixed64: int64(false),
    uint64: int64(true),
    fixed64: int64(true),
    bool: BOOL,
    string: STRING,
    bytes: BYTES,
});
/** The converter of a protobufjs scalar type name (`int64`, `bytes`, …). Converters hold no state. */
export function scalarConverter(type) {
    const converter = SCALARS[type];
    if (converter === undefined)
        throw new Error(`unsupported scalar type "${type}"`);
    return converter;
}
/**
 * The converter of an enum: value names in plain objects, numbers on the wire. A number is accepted too, and
 * a decoded number the enum does not name (sent by a peer with a newer proto) stays a number.
 */
export function enumConverter(enumType) {
    const byName = new Map(Object.entries(enumType.values));
    const byNumber = new Map();
    // With allow_alias several names share a number; the first declared one is the name decoding gives.
    for (const [name, number] of byName)
        if (!byNumber.has(number))
            byNumber.set(number, name);
    const names = [...byName.keys()];
    const described = `a value of enum ${enumType.fullName.slice(1)} (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''})`;
    return {
        toWire: (value) => {
            if (typeof value === 'string') {
                const number = byName.get(value);
                if (number !== undefined)
                    return number;
            }
            else if (typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) {
                return value;
            }
            throw expected(described, value);
        },
        fromWire: (value) => byNumber.get(value) ?? value,
        isZero: isZeroNumber,
    };
}
