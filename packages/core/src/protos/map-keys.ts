import protobuf from 'protobufjs';
import { expected } from './field-type-error.js';
import { signedLongToBigInt, unsignedLongToBigInt } from './long-values.js';

/**
 * Converts the keys of a map field. Plain objects key maps by strings (integers in decimal, booleans as
 * `'true'`/`'false'`); protobufjs's encoder reads keys from an object too, but its decoder stores 64-bit keys
 * as 8-character hashes.
 */
export interface MapKeyConverter {
  /** Checks a caller's key and returns the key the encoder should see; throws `FieldTypeError` when invalid. */
  readonly toWire: (key: string) => string;
  /** Turns a decoded key into its plain form; `undefined` when decoded keys already are plain. */
  readonly fromWire: ((key: string) => string) | undefined;
}

const DECIMAL = /^-?\d+$/;

const STRING_KEY: MapKeyConverter = { toWire: (key) => key, fromWire: undefined };

const BOOL_KEY: MapKeyConverter = {
  toWire: (key) => {
    // protobufjs writes a bool key by the truthiness of the object key, so false must be an empty string.
    if (key === 'true') return 'true';
    if (key === 'false') return '';
    throw expected('a bool map key ("true" or "false")', key);
  },
  fromWire: undefined,
};

function int32Key(what: string, min: number, max: number): MapKeyConverter {
  return {
    toWire: (key) => {
      const value = Number(key);
      if (DECIMAL.test(key) && value >= min && value <= max) return String(value);
      throw expected(`${what} map key (an integer in decimal)`, key);
    },
    fromWire: undefined,
  };
}

function int64Key(unsigned: boolean): MapKeyConverter {
  const min = unsigned ? 0n : -(2n ** 63n);
  const max = unsigned ? 2n ** 64n - 1n : 2n ** 63n - 1n;
  const what = unsigned ? 'a uint64' : 'an int64';
  const toBigInt = unsigned ? unsignedLongToBigInt : signedLongToBigInt;
  return {
    toWire: (key) => {
      if (DECIMAL.test(key)) {
        const value = BigInt(key);
        // protobufjs parses decimal key strings itself, wrapping to 64 bits, which keeps unsigned values exact.
        if (value >= min && value <= max) return value.toString();
      }
      throw expected(`${what} map key (an integer in decimal)`, key);
    },
    // Decoded keys are 8-character bit hashes, except the number 0 protobufjs puts when the key is missing.
    fromWire: (key) => (key.length === 8 ? toBigInt(protobuf.util.longFromHash(key, unsigned)).toString() : key),
  };
}

const KEYS: Readonly<Record<string, MapKeyConverter>> = Object.freeze({
  string: STRING_KEY,
  bool: BOOL_KEY,
  int32: int32Key('an int32', -2147483648, 2147483647),
  sint32: int32Key('an int32', -2147483648, 2147483647),
  sfixed32: int32Key('an int32', -2147483648, 2147483647),
  uint32: int32Key('a uint32', 0, 4294967295),
  fixed32: int32Key('a uint32', 0, 4294967295),
  int64: int64Key(false),
  sint64: int64Key(false),
  sfixed64: int64Key(false),
  uint64: int64Key(true),
  fixed64: int64Key(true),
});

/** The key converter of a map's key type. */
export function mapKeyConverter(keyType: string): MapKeyConverter {
  const converter = KEYS[keyType];
  if (converter === undefined) throw new Error(`unsupported map key type "${keyType}"`);
  return converter;
}
