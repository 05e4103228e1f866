import { expected, FieldTypeError } from './field-type-error.js';
import type { LongBits } from './long-values.js';
import { signedLongToBigInt } from './long-values.js';
import { ProtoTimestamp, TIMESTAMP_MAX_SECONDS, TIMESTAMP_MIN_SECONDS, TIMESTAMP_RANGE } from './proto-timestamp.js';
import type { ValueConverter } from './value-converters.js';
import type { FieldForm } from './well-known-types.js';

// The field forms of the well-known types (see `FieldForm`). Each converts between the field's plain form and
// the message object protobufjs reads and writes, whose keys are the field names of the well-known .proto
// files; those names are fixed by the protobuf specification.

type WireObject = Record<string, unknown>;

/** Nesting deeper than protobufjs decodes; also stops a cyclic object. */
const MAX_JSON_DEPTH = 100;

const TWO_32 = 4294967296;

/** Seconds decoded as a `Long` (or the number 0 of a default) as a number; exact over any valid Timestamp. */
function longToNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  const { low, high } = value as LongBits;
  return high * TWO_32 + (low >>> 0);
}

/** google.protobuf.Timestamp as a `Date`; decodes to a `ProtoTimestamp` carrying the nanoseconds. */
export const TIMESTAMP: ValueConverter = {
  toWire: (value) => {
    if (!(value instanceof Date)) throw expected('a Date', value);
    const millis = value.getTime();
    if (Number.isNaN(millis)) throw new FieldTypeError('expected a valid Date, got an Invalid Date');
    const seconds = Math.floor(millis / 1000);
    if (seconds < TIMESTAMP_MIN_SECONDS || seconds > TIMESTAMP_MAX_SECONDS) {
      throw new FieldTypeError(`expected a Date from ${TIMESTAMP_RANGE}, got ${value.toISOString()}`);
    }
    const nanos = value instanceof ProtoTimestamp ? value.nanos : (millis - seconds * 1000) * 1_000_000;
    // Zero fields are left off the wire, as for any proto3 message.
    const wire: WireObject = {};
    if (seconds !== 0) wire.seconds = seconds;
    if (nanos !== 0) wire.nanos = nanos;
    return wire;
  },
  fromWire: (message) => {
    if (message === null || message === undefined) return new ProtoTimestamp(0); // a map entry without its value
    const { seconds, nanos } = message as WireObject;
    const whole = longToNumber(seconds);
    if (whole < TIMESTAMP_MIN_SECONDS || whole > TIMESTAMP_MAX_SECONDS || typeof nanos !== 'number' || nanos < 0 || nanos > 999_999_999) {
      // Exact seconds in the message: a number this large would print rounded.
      throw new Error(
        `a google.protobuf.Timestamp is outside ${TIMESTAMP_RANGE} (seconds ${signedLongToBigInt(seconds ?? 0)}, nanos ${String(nanos)}); a Date cannot hold it`,
      );
    }
    return new ProtoTimestamp(whole, nanos);
  },
  isZero: () => false,
};

/**
 * A wrapper type (google.protobuf.Int64Value, …) as the scalar it wraps, given that scalar's protobufjs type
 * name and converter.
 */
export function wrapperConverter(scalarType: string, scalar: ValueConverter): ValueConverter {
  const convert = scalar.fromWire;
  // What a wrapper without its value holds (bytes: `undefined`, which the bytes converter turns into fresh bytes).
  const zero = scalarType === 'bool' ? false : scalarType === 'string' ? '' : scalarType === 'bytes' ? undefined : 0;
  return {
    toWire: (value) => {
      const wire = scalar.toWire(value);
      return scalar.isZero(wire) ? {} : { value: wire };
    },
    // An unset `value` reads as its default from the decoded message's prototype; a map entry without its
    // value decodes to null.
    fromWire: (message) => {
      const item = message === null || message === undefined ? zero : (message as WireObject).value;
      return convert === undefined ? item : convert(item);
    },
    isZero: () => false,
  };
}

/** google.protobuf.FieldMask as its paths. */
export const FIELD_MASK: ValueConverter = {
  toWire: (value) => {
    if (!Array.isArray(value)) throw expected('an array of field paths', value);
    value.forEach((path: unknown, i) => {
      if (typeof path !== 'string') {
        const error = expected('a string', path);
        error.path.unshift(`[${i}]`);
        throw error;
      }
    });
    return { paths: value };
  },
  fromWire: (message) => {
    const paths = (message as WireObject | null)?.paths;
    // The decoder made a fresh array for this message; an unset field reads a shared empty one.
    return Array.isArray(paths) && paths.length > 0 ? paths : [];
  },
  isZero: () => false,
};

/** google.protobuf.Value as a JSON value: unset is `undefined`, NULL_VALUE is `null`. */
export const VALUE: ValueConverter = {
  toWire: (value) => valueToWire(value, 0),
  fromWire: (message) => valueFromWire(message as WireObject | null),
  isZero: () => false,
  nullIsValue: true,
};

/** google.protobuf.Struct as a JSON object. */
export const STRUCT: ValueConverter = {
  toWire: (value) => {
    if (!isPlainObject(value)) throw expected('a plain object (a JSON object)', value);
    return structToWire(value, 0);
  },
  fromWire: (message) => structFromWire(message as WireObject | null),
  isZero: () => false,
};

/** google.protobuf.ListValue as a JSON array. */
export const LIST_VALUE: ValueConverter = {
  toWire: (value) => {
    if (!Array.isArray(value)) throw expected('an array (a JSON array)', value);
    return listToWire(value, 0);
  },
  fromWire: (message) => listFromWire(message as WireObject | null),
  isZero: () => false,
};

/** The converter of a field form, except wrappers, which depend on the wrapped scalar. */
export function fieldFormConverter(form: Exclude<FieldForm, 'wrapper'>): ValueConverter {
  switch (form) {
    case 'timestamp':
      return TIMESTAMP;
    case 'struct':
      return STRUCT;
    case 'value':
      return VALUE;
    case 'list-value':
      return LIST_VALUE;
    case 'field-mask':
      return FIELD_MASK;
  }
}

function valueToWire(value: unknown, depth: number): WireObject {
  if (depth > MAX_JSON_DEPTH) throw new FieldTypeError(`is nested more than ${MAX_JSON_DEPTH} levels deep (a cycle?)`);
  switch (typeof value) {
    case 'number':
      return { number_value: value };
    case 'string':
      return { string_value: value };
    case 'boolean':
      return { bool_value: value };
    case 'object':
      if (value === null) return { null_value: 0 };
      if (Array.isArray(value)) return { list_value: listToWire(value, depth + 1) };
      if (isPlainObject(value)) return { struct_value: structToWire(value, depth + 1) };
  }
  throw expected('a JSON value (null, a boolean, a number, a string, an array or a plain object)', value);
}

function structToWire(object: WireObject, depth: number): WireObject {
  const fields: WireObject = {};
  let key: string | undefined;
  try {
    for (key of Object.keys(object)) {
      const item = object[key];
      // As JSON.stringify does, a property set to undefined is left out.
      if (item !== undefined) setKey(fields, key, valueToWire(item, depth));
    }
  } catch (error: unknown) {
    if (error instanceof FieldTypeError && key !== undefined) error.path.unshift(`[${JSON.stringify(key)}]`);
    throw error;
  }
  return { fields };
}

function listToWire(list: readonly unknown[], depth: number): WireObject {
  const values = new Array<WireObject>(list.length);
  let i = 0;
  try {
    for (; i < list.length; i++) values[i] = valueToWire(list[i], depth);
  } catch (error: unknown) {
    if (error instanceof FieldTypeError) error.path.unshift(`[${i}]`);
    throw error;
  }
  return { values };
}

const VALUE_KINDS = new Set(['null_value', 'number_value', 'string_value', 'bool_value', 'struct_value', 'list_value']);

function valueFromWire(message: WireObject | null): unknown {
  if (message === null || message === undefined) return null; // a map entry without its value
  // The decoder sets the member found on the wire as an own property; when several came, the last one counts.
  let kind: string | undefined;
  for (const key of Object.keys(message)) if (VALUE_KINDS.has(key)) kind = key;
  switch (kind) {
    case 'number_value':
    case 'string_value':
    case 'bool_value':
      return message[kind];
    case 'struct_value':
      return structFromWire(message[kind] as WireObject);
    case 'list_value':
      return listFromWire(message[kind] as WireObject);
    default:
      // NULL_VALUE, or a Value with no kind set, which JSON can only show as null.
      return null;
  }
}

function structFromWire(message: WireObject | null): WireObject {
  const out: WireObject = {};
  const fields = message?.fields as WireObject | undefined;
  if (fields !== undefined) for (const key of Object.keys(fields)) setKey(out, key, valueFromWire(fields[key] as WireObject | null));
  return out;
}

function listFromWire(message: WireObject | null): unknown[] {
  const values = message?.values as (WireObject | null)[] | undefined;
  return values === undefined ? [] : values.map(valueFromWire);
}

/** Sets a key of an object, `__proto__` included, without touching the object's prototype. */
function setKey(target: WireObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isPlainObject(value: unknown): value is WireObject {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
