import type { Enum } from 'protobufjs';
import { expected, FieldTypeError } from './field-type-error.js';
import type { JsonValue } from './json-value.js';
import { longConverter, wireToBigInt } from './long-values.js';
import { scalarConverter, type ValueConverter } from './value-converters.js';

/**
 * Converts values of one type between the objects protobufjs's encoder reads (what a value converter's
 * `toWire` returns) and the proto3 JSON mapping (https://protobuf.dev/programming-guides/json/).
 */
export interface JsonConverter {
  /** The JSON of an encoder-ready value; throws `FieldTypeError` for what JSON cannot show. */
  readonly toJson: (wire: unknown) => JsonValue;
  /** The encoder-ready value of a JSON value; throws `FieldTypeError` when it is not this type's JSON. */
  readonly fromJson: (json: unknown) => unknown;
  /** JSON `null` is a value of the type (google.protobuf.Value, NullValue) rather than "not set". */
  readonly nullIsValue?: boolean;
}

// The largest finite float32; JSON numbers beyond it cannot be a float field's value.
const FLOAT_MAX = 3.4028234663852886e38;
const INTEGER_TEXT = /^-?\d+$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** A JSON number, or a string holding one (the mapping allows both for every numeric type). */
function numberFromJson(json: unknown, what: string): number {
  if (typeof json === 'number') return json;
  // Number() would read '', ' 1', '0x10' and 'Infinity'; the mapping's numbers are plain decimal text.
  if (typeof json === 'string' && /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(json)) return Number(json);
  throw expected(what, json);
}

function int32Json(type: string): JsonConverter {
  const scalar = scalarConverter(type);
  const what =
    type.startsWith('u') || type === 'fixed32'
      ? 'a uint32 (a JSON number or numeric string)'
      : 'an int32 (a JSON number or numeric string)';
  return {
    toJson: (wire) => wire as number,
    fromJson: (json) => scalar.toWire(numberFromJson(json, what)),
  };
}

function longJson(unsigned: boolean): JsonConverter {
  const scalar = longConverter(unsigned, 'bigint');
  const what = unsigned ? 'a uint64 (a decimal string or an integer number)' : 'an int64 (a decimal string or an integer number)';
  return {
    // 64-bit integers are strings in JSON: numbers would round past 2^53.
    toJson: (wire) => (typeof wire === 'number' ? String(wire) : wireToBigInt(wire, unsigned).toString()),
    fromJson: (json) => {
      if (typeof json === 'string' && INTEGER_TEXT.test(json)) return scalar.toWire(BigInt(json));
      const value = numberFromJson(json, what);
      if (!Number.isInteger(value)) throw expected(what, json);
      return scalar.toWire(BigInt(value));
    },
  };
}

function floatingJson(float: boolean): JsonConverter {
  const what = float ? 'a float' : 'a double';
  return {
    toJson: (wire) => {
      const value = wire as number;
      if (Number.isFinite(value)) return value;
      return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    },
    fromJson: (json) => {
      if (json === 'NaN') return Number.NaN;
      if (json === 'Infinity') return Number.POSITIVE_INFINITY;
      if (json === '-Infinity') return Number.NEGATIVE_INFINITY;
      const value = numberFromJson(json, `${what} (a JSON number, a numeric string, "NaN", "Infinity" or "-Infinity")`);
      if (!Number.isFinite(value) || (float && Math.abs(value) > FLOAT_MAX)) throw expected(what, json, 'out of range');
      return value;
    },
  };
}

const BOOL_JSON: JsonConverter = {
  toJson: (wire) => wire as boolean,
  fromJson: (json) => {
    if (typeof json === 'boolean') return json;
    throw expected('a boolean', json);
  },
};

const STRING_JSON: JsonConverter = {
  toJson: (wire) => wire as string,
  fromJson: (json) => {
    if (typeof json === 'string') return json;
    throw expected('a string', json);
  },
};

const BYTES_JSON: JsonConverter = {
  toJson: (wire) => {
    const bytes = wire as Uint8Array;
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  },
  fromJson: (json) => {
    // Standard or URL-safe base64, padded or not, as the mapping allows; Node's decoder reads all of them.
    if (typeof json === 'string' && BASE64.test(json) && json.replace(/=+$/, '').length % 4 !== 1) {
      return new Uint8Array(Buffer.from(json, 'base64'));
    }
    throw expected('bytes as base64 (standard or URL-safe)', json);
  },
};

const SCALAR_JSON: Readonly<Record<string, JsonConverter>> = Object.freeze({
  double: floatingJson(false),
  float: floatingJson(true),
  int32: int32Json('int32'),
  sint32: int32Json('sint32'),
  sfixed32: int32Json('sfixed32'),
  uint32: int32Json('uint32'),
  fixed32: int32Json('fixed32'),
  int64: longJson(false),
  sint64: longJson(false),
  sfixed64: longJson(false),
  uint64: longJson(true),
  fixed64: longJson(true),
  bool: BOOL_JSON,
  string: STRING_JSON,
  bytes: BYTES_JSON,
});

/** The JSON converter of a protobufjs scalar type name. Converters hold no state. */
export function scalarJson(type: string): JsonConverter {
  const converter = SCALAR_JSON[type];
  if (converter === undefined) throw new Error(`unsupported scalar type "${type}"`);
  return converter;
}

/**
 * The JSON converter of an enum: value names out (numbers the enum does not name stay numbers), names or
 * numbers in. google.protobuf.NullValue is JSON `null`.
 */
export function enumJson(enumType: Enum, values: ValueConverter): JsonConverter {
  if (enumType.fullName === '.google.protobuf.NullValue') {
    return {
      toJson: () => null,
      fromJson: (json) => (json === null ? 0 : values.toWire(json)),
      nullIsValue: true,
    };
  }
  const byNumber = new Map<number, string>();
  for (const [name, number] of Object.entries(enumType.values)) if (!byNumber.has(number)) byNumber.set(number, name);
  return {
    toJson: (wire) => byNumber.get(wire as number) ?? (wire as number),
    // The value converter takes names and numbers alike, and says which names there are when neither fits.
    fromJson: (json) => {
      if (typeof json === 'string' || typeof json === 'number') return values.toWire(json);
      throw expected(`a value of enum ${enumType.fullName.slice(1)} (a name or a number)`, json);
    },
  };
}

/** A FieldTypeError for JSON a type cannot show. */
export function notInJson(detail: string): FieldTypeError {
  return new FieldTypeError(`cannot be shown in JSON: ${detail}`);
}
