import type { Enum } from 'protobufjs';
import { expected } from './field-type-error.js';
import { type LongForm, longConverter } from './long-values.js';

/**
 * Converts single values of one proto type between the plain-object form and what protobufjs's generated
 * encoder accepts and decoder returns. Built once per type and shared by every field of that type.
 */
export interface ValueConverter {
  /** Checks a caller's value and returns what the encoder writes; throws `FieldTypeError` on a wrong type. */
  readonly toWire: (value: unknown) => unknown;
  /** Turns a decoded value into its plain form; `undefined` when the decoded value already is it. */
  readonly fromWire: ((value: unknown) => unknown) | undefined;
  /** Whether a `toWire` result is the type's zero value, which proto3 leaves off the wire. */
  readonly isZero: (wire: unknown) => boolean;
  /** `null` is a value of the type (google.protobuf.Value's NULL_VALUE) rather than "not set". */
  readonly nullIsValue?: boolean;
}

const isZeroNumber = (wire: unknown): boolean => wire === 0;

function integer(what: string, min: number, max: number): ValueConverter {
  return {
    toWire: (value) => {
      if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
      throw expected(what, value, typeof value === 'number' && Number.isInteger(value) ? 'out of range' : undefined);
    },
    fromWire: undefined,
    isZero: isZeroNumber,
  };
}

const FLOATING: ValueConverter = {
  toWire: (value) => {
    if (typeof value === 'number') return value;
    throw expected('a number', value);
  },
  fromWire: undefined,
  // -0 is not the zero value: protoc sends it, since its bits differ.
  isZero: (wire) => wire === 0 && 1 / (wire as number) > 0,
};

const BOOL: ValueConverter = {
  toWire: (value) => {
    if (typeof value === 'boolean') return value;
    throw expected('a boolean', value);
  },
  fromWire: undefined,
  isZero: (wire) => wire === false,
};

const STRING: ValueConverter = {
  toWire: (value) => {
    if (typeof value === 'string') return value;
    throw expected('a string', value);
  },
  fromWire: undefined,
  isZero: (wire) => wire === '',
};

const BYTES: ValueConverter = {
  toWire: (value) => {
    if (value instanceof Uint8Array) return value;
    throw expected('a Uint8Array', value);
  },
  // An unset bytes field decodes to protobufjs's shared empty array, not to bytes.
  fromWire: (value) => (value instanceof Uint8Array ? value : new Uint8Array(0)),
  isZero: (wire) => (wire as Uint8Array).length === 0,
};

// Every scalar but the 64-bit integers, whose converters depend on the plain form chosen for them.
const SCALARS: Readonly<Record<string, ValueConverter>> = Object.freeze({
  double: FLOATING,
  float: FLOATING,
  int32: integer('an int32', -2147483648, 2147483647),
  sint32: integer('an int32', -2147483648, 2147483647),
  sfixed32: integer('an int32', -2147483648, 2147483647),
  uint32: integer('a uint32', 0, 4294967295),
  fixed32: integer('a uint32', 0, 4294967295),
  bool: BOOL,
  string: STRING,
  bytes: BYTES,
});

const LONGS: Readonly<Record<LongForm, Readonly<Record<string, ValueConverter>>>> = Object.freeze({
  bigint: longConverters('bigint'),
  string: longConverters('string'),
});

function longConverters(form: LongForm): Readonly<Record<string, ValueConverter>> {
  const signed = longConverter(false, form);
  const unsigned = longConverter(true, form);
  return Object.freeze({ int64: signed, sint64: signed, sfixed64: signed, uint64: unsigned, fixed64: unsigned });
}

/**
 * The converter of a protobufjs scalar type name (`int64`, `bytes`, …), 64-bit integers in the given form.
 * Converters hold no state.
 */
export function scalarConverter(type: string, longs: LongForm = 'bigint'): ValueConverter {
  const converter = SCALARS[type] ?? LONGS[longs][type];
  if (converter === undefined) throw new Error(`unsupported scalar type "${type}"`);
  return converter;
}

/**
 * The converter of an enum: value names in plain objects, numbers on the wire. A number is accepted too, and
 * a decoded number the enum does not name (sent by a peer with a newer proto) stays a number.
 */
export function enumConverter(enumType: Enum): ValueConverter {
  const byName = new Map<string, number>(Object.entries(enumType.values));
  const byNumber = new Map<number, string>();
  // With allow_alias several names share a number; the first declared one is the name decoding gives.
  for (const [name, number] of byName) if (!byNumber.has(number)) byNumber.set(number, name);
  const names = [...byName.keys()];
  const described = `a value of enum ${enumType.fullName.slice(1)} (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''})`;
  return {
    toWire: (value) => {
      if (typeof value === 'string') {
        const number = byName.get(value);
        if (number !== undefined) return number;
      } else if (typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) {
        return value;
      }
      throw expected(described, value);
    },
    fromWire: (value) => byNumber.get(value as number) ?? value,
    isZero: isZeroNumber,
  };
}
