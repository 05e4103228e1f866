import { durationProblem } from './duration.js';
import { expected, FieldTypeError } from './field-type-error.js';
import { type JsonConverter, notInJson, scalarJson } from './json-scalars.js';
import type { JsonObject, JsonValue } from './json-value.js';
import { wireToBigInt } from './long-values.js';
import { TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS, TIMESTAMP_RANGE } from './proto-timestamp.js';
import { scalarConverter } from './value-converters.js';
import { LIST_VALUE, STRUCT, VALUE } from './well-known-converters.js';

// The JSON forms of the well-known types with one of their own, between JSON and the message objects
// protobufjs's encoder reads (keys as in the well-known .proto files). Any is in json-mapping.ts, since it
// needs the other types of its ProtoSet.

type WireObject = Record<string, unknown>;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;
const DURATION = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/;

/** Seconds as the encoder takes them (a number, or bits past 2^53) as a number; only needs to be exact in range. */
function secondsOf(wire: WireObject): number {
  const seconds = wire.seconds;
  return seconds === undefined ? 0 : typeof seconds === 'number' ? seconds : Number(wireToBigInt(seconds, false));
}

/** 0, 3, 6 or 9 digits of a fraction of a second, as the JSON mapping writes it (`.5` → `.500`). */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos + 1_000_000_000).slice(1);
  if (digits.endsWith('000000')) return `.${digits.slice(0, 3)}`;
  if (digits.endsWith('000')) return `.${digits.slice(0, 6)}`;
  return `.${digits}`;
}

function validDateTime(year: number, month: number, day: number, hour: number, minute: number, second: number): boolean {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  return month >= 1 && month <= 12 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 59;
}

/** Nanoseconds of the fraction digits after a decimal point. */
function nanosOf(digits: string | undefined): number {
  return digits === undefined ? 0 : Number(digits.padEnd(9, '0'));
}

/** google.protobuf.Timestamp as RFC 3339 text in UTC: `2024-05-01T12:00:00.250Z`. */
export const TIMESTAMP_JSON: JsonConverter = {
  toJson: (wire) => {
    const seconds = secondsOf(wire as WireObject);
    const nanos = ((wire as WireObject).nanos as number | undefined) ?? 0;
    if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS || nanos < 0 || nanos > 999_999_999) {
      throw notInJson(`a google.protobuf.Timestamp outside ${TIMESTAMP_RANGE} (seconds ${seconds}, nanos ${nanos})`);
    }
    // toISOString writes 6-digit years with a sign; the range keeps them to four.
    return new Date(seconds * 1000).toISOString().replace('.000Z', `${fraction(nanos)}Z`);
  },
  fromJson: (json) => {
    const match = typeof json === 'string' ? RFC3339.exec(json) : null;
    if (match === null) throw expected('an RFC 3339 timestamp ("2024-05-01T12:00:00Z")', json);
    const [, year, month, day, hour, minute, second, digits, zone] = match;
    // Date.parse would roll an impossible date (February 30) over to another one.
    if (!validDateTime(Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second))) {
      throw expected('an RFC 3339 timestamp', json, 'not a valid date and time');
    }
    const millis = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`);
    const seconds = millis / 1000;
    if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS) throw expected(`a timestamp from ${TIMESTAMP_RANGE}`, json);
    const nanos = nanosOf(digits);
    const wire: WireObject = {};
    if (seconds !== 0) wire.seconds = seconds;
    if (nanos !== 0) wire.nanos = nanos;
    return wire;
  },
};

/** google.protobuf.Duration as seconds with up to 9 fractional digits and an `s`: `"-1.5s"`. */
export const DURATION_JSON: JsonConverter = {
  toJson: (wire) => {
    const seconds = secondsOf(wire as WireObject);
    const nanos = ((wire as WireObject).nanos as number | undefined) ?? 0;
    const problem = durationProblem(seconds, nanos);
    if (problem !== undefined) throw notInJson(`a google.protobuf.Duration whose ${problem}`);
    const sign = seconds < 0 || nanos < 0 ? '-' : '';
    return `${sign}${Math.abs(seconds)}${fraction(Math.abs(nanos))}s`;
  },
  fromJson: (json) => {
    const match = typeof json === 'string' ? DURATION.exec(json) : null;
    if (match === null) throw expected('a duration in seconds ("1.5s")', json);
    const [, minus, whole, digits] = match;
    const sign = minus === undefined ? 1 : -1;
    const seconds = sign * Number(whole);
    const nanos = sign * nanosOf(digits);
    if (durationProblem(seconds, nanos) !== undefined) throw expected('a duration within ±315576000000s', json);
    const wire: WireObject = {};
    if (seconds !== 0) wire.seconds = seconds;
    if (nanos !== 0) wire.nanos = nanos;
    return wire;
  },
};

/** google.protobuf.FieldMask as its paths in lowerCamelCase, joined by commas: `"user.displayName,photo"`. */
export const FIELD_MASK_JSON: JsonConverter = {
  toJson: (wire) => {
    const paths = ((wire as WireObject).paths as string[] | undefined) ?? [];
    return paths
      .map((path) => {
        const camel = camelPath(path);
        if (snakePath(camel) !== path) throw notInJson(`the field mask path "${path}" has no lowerCamelCase form that reads back`);
        return camel;
      })
      .join(',');
  },
  fromJson: (json) => {
    if (typeof json !== 'string') throw expected('field mask paths joined by commas', json);
    if (json === '') return {};
    return {
      paths: json.split(',').map((path) => {
        if (path.includes('_')) throw expected('field mask paths in lowerCamelCase', json);
        return snakePath(path);
      }),
    };
  },
};

/** protobuf's lowerCamelCase of a path: `_` dropped, the letter after it upper-cased, digits as they are. */
function camelPath(path: string): string {
  let out = '';
  let upper = false;
  for (const char of path) {
    if (char === '_') upper = true;
    else {
      out += upper && !/\d/.test(char) ? char.toUpperCase() : char;
      upper = false;
    }
  }
  return out;
}

function snakePath(path: string): string {
  return path.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/** google.protobuf.Value as any JSON value. */
export const VALUE_JSON: JsonConverter = {
  toJson: (wire) => valueToJson(wire as WireObject),
  // The field converter checks JSON values already: JSON in is what the plain form holds.
  fromJson: (json) => VALUE.toWire(json),
  nullIsValue: true,
};

/** google.protobuf.Struct as a JSON object. */
export const STRUCT_JSON: JsonConverter = {
  toJson: (wire) => structToJson(wire as WireObject),
  fromJson: (json) => STRUCT.toWire(json),
};

/** google.protobuf.ListValue as a JSON array. */
export const LIST_VALUE_JSON: JsonConverter = {
  toJson: (wire) => listToJson(wire as WireObject),
  fromJson: (json) => LIST_VALUE.toWire(json),
};

/** A wrapper (google.protobuf.Int64Value, …) as the JSON of the scalar it wraps. */
export function wrapperJson(scalarType: string): JsonConverter {
  const scalar = scalarJson(scalarType);
  const { isZero } = scalarConverter(scalarType);
  const zero = scalarType === 'bool' ? false : scalarType === 'string' ? '' : scalarType === 'bytes' ? new Uint8Array(0) : 0;
  return {
    toJson: (wire) => scalar.toJson((wire as WireObject).value ?? zero),
    fromJson: (json) => {
      const wire = scalar.fromJson(json);
      return isZero(wire) ? {} : { value: wire };
    },
  };
}

function valueToJson(wire: WireObject): JsonValue {
  if ('null_value' in wire) return null;
  if ('number_value' in wire) {
    const number = wire.number_value as number;
    if (!Number.isFinite(number)) throw notInJson(`a google.protobuf.Value holding ${number}`);
    return number;
  }
  if ('string_value' in wire) return wire.string_value as string;
  if ('bool_value' in wire) return wire.bool_value as boolean;
  if ('struct_value' in wire) return structToJson(wire.struct_value as WireObject);
  if ('list_value' in wire) return listToJson(wire.list_value as WireObject);
  throw notInJson('a google.protobuf.Value with no kind set');
}

function structToJson(wire: WireObject): JsonObject {
  const out: JsonObject = {};
  const fields = (wire.fields ?? {}) as Record<string, WireObject>;
  let key: string | undefined;
  try {
    for (key of Object.keys(fields)) {
      const value = valueToJson(fields[key] as WireObject);
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
  } catch (error: unknown) {
    if (error instanceof FieldTypeError && key !== undefined) error.path.unshift(`[${JSON.stringify(key)}]`);
    throw error;
  }
  return out;
}

function listToJson(wire: WireObject): JsonValue[] {
  const values = (wire.values ?? []) as WireObject[];
  return values.map((value, i) => {
    try {
      return valueToJson(value);
    } catch (error: unknown) {
      if (error instanceof FieldTypeError) error.path.unshift(`[${i}]`);
      throw error;
    }
  });
}
