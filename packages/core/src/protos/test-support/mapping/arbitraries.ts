import { type DescEnum, type DescField, type DescMessage, type JsonObject, type JsonValue, ScalarType } from '@bufbuild/protobuf';
import fc from 'fast-check';
import type { AnyValue, Plain } from './bufbuild-bridge.js';

// fast-check arbitraries of plain messages in Wirekit's mapping, built from a message's reflection (bufbuild's
// descriptors of the same proto): every field kind, biased toward the values codecs get wrong.

/** What `messageArbitrary` generates. */
export interface MessageArbitraryOptions {
  /** How deep messages nest inside the top one; message fields below it are left unset. */
  readonly maxDepth?: number;
  /** The longest list (and the most map entries) of an ordinary run. */
  readonly maxLength?: number;
  /** google.protobuf.Any values; by default any type URL and any bytes. */
  readonly any?: fc.Arbitrary<AnyValue>;
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

const int32 = fc.oneof(fc.constantFrom(-2147483648, 2147483647, -1, 0), fc.integer({ min: -2147483648, max: 2147483647 }));
const uint32 = fc.oneof(fc.constantFrom(0, 4294967295, 2147483648), fc.integer({ min: 0, max: 4294967295 }));
const int64 = fc.oneof(
  fc.constantFrom(INT64_MIN, INT64_MAX, -1n, 0n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 32n),
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
);
const uint64 = fc.oneof(fc.constantFrom(0n, UINT64_MAX, 2n ** 63n, 2n ** 53n + 1n), fc.bigInt({ min: 0n, max: UINT64_MAX }));
const double = fc.oneof(
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, Number.MAX_VALUE, Number.MIN_VALUE),
  fc.double(),
);
const float = fc.oneof(fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0), fc.float());
const text = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('', 'héllo ✓', '𝄞 😀 👩‍👩‍👧', 'null\u0000byte', '\u{10ffff}') },
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 16 }) },
);
const bytes = fc.uint8Array({ maxLength: 24 });

/** The arbitrary of a scalar type, extremes included: min int64, max uint64, NaN, ±Infinity, -0, astral strings. */
export function scalarArbitrary(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.DOUBLE:
      return double;
    case ScalarType.FLOAT:
      return float;
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return int32;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return uint32;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return int64;
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return uint64;
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.STRING:
      return text;
    case ScalarType.BYTES:
      return bytes;
  }
}

/** Object keys that are easy to get wrong: ones `Object.prototype` has, and the empty one. */
const trickyKey = fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '');
const stringKey = fc.oneof({ weight: 1, arbitrary: trickyKey }, { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) });

/** A map key as plain objects write it: integers in decimal, booleans as "true"/"false". */
function mapKeyArbitrary(type: ScalarType): fc.Arbitrary<string> {
  if (type === ScalarType.BOOL) return fc.constantFrom('true', 'false');
  if (type === ScalarType.STRING) return stringKey;
  return scalarArbitrary(type).map(String);
}

/** Enum values by name, and now and then a number the enum does not name (as a newer peer may send). */
export function enumArbitrary(enumType: DescEnum): fc.Arbitrary<string | number> {
  const known = new Set(enumType.values.map((value) => value.number));
  const unknown = fc.integer({ min: -2147483648, max: 2147483647 }).filter((number) => !known.has(number));
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...enumType.values.map((value) => value.name)) },
    { weight: 1, arbitrary: fc.oneof(fc.constantFrom(...[99, -1, 2147483647].filter((n) => !known.has(n))), unknown) },
  );
}

const finiteDouble = fc.double({ noNaN: true, noDefaultInfinity: true });
const jsonLeaf: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  finiteDouble,
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const jsonKey = fc.oneof({ weight: 1, arbitrary: trickyKey }, { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) });

function jsonValueArbitrary(depth: number): fc.Arbitrary<JsonValue> {
  if (depth <= 0) return jsonLeaf;
  return fc.oneof(
    { weight: 3, arbitrary: jsonLeaf },
    { weight: 1, arbitrary: fc.array(jsonValueArbitrary(depth - 1), { maxLength: 3 }) },
    { weight: 1, arbitrary: jsonObjectArbitrary(depth - 1) },
  );
}

function jsonObjectArbitrary(depth: number): fc.Arbitrary<JsonObject> {
  return fc.dictionary(jsonKey, jsonValueArbitrary(depth), { maxKeys: 3, noNullPrototype: true });
}

// The valid range of google.protobuf.Timestamp (years 1 to 9999) and Duration (about ±10,000 years).
const timestamp = fc.date({ min: new Date('0001-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true });
const MAX_DURATION_SECONDS = 315_576_000_000n;
const duration = fc
  .tuple(
    fc.oneof(fc.constantFrom(0n, MAX_DURATION_SECONDS, -MAX_DURATION_SECONDS), fc.bigInt(-MAX_DURATION_SECONDS, MAX_DURATION_SECONDS)),
    fc.integer({ min: 0, max: 999_999_999 }),
    fc.boolean(),
  )
  // Seconds and nanos share their sign (and an int32 has no -0).
  .map(([seconds, nanos, negative]) => ({
    seconds,
    nanos: nanos !== 0 && (seconds < 0n || (seconds === 0n && negative)) ? -nanos : nanos,
  }));
const fieldPath = fc
  .array(fc.stringMatching(/^[a-z]{1,5}(_[a-z]{1,5}){0,2}$/), { minLength: 1, maxLength: 3 })
  .map((segments) => segments.join('.'));

/** Plain messages of one type, in Wirekit's mapping. */
export function messageArbitrary(message: DescMessage, options: MessageArbitraryOptions = {}): fc.Arbitrary<Plain> {
  return new Builder(options).message(message, 0);
}

/** Messages whose list fields are each either empty or 10,000 elements long, and nothing else set. */
export function largeListsArbitrary(message: DescMessage, length = 10_000): fc.Arbitrary<Plain> {
  const builder = new Builder({ maxDepth: 1 });
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of message.fields) {
    if (field.fieldKind !== 'list') continue;
    const element = builder.element(field, 1);
    if (element !== undefined)
      model[field.localName] = fc.oneof(fc.constant([]), fc.array(element, { minLength: length, maxLength: length }));
  }
  return fc.record(model, { noNullPrototype: true });
}

/**
 * One message (the same for a given seed) whose every repeated field holds `length` elements and every map
 * field `length` entries, and nothing else set; a map with bool keys holds both keys, all it can.
 */
export function allListsLong(message: DescMessage, length = 10_000, seed = 10_000): Plain {
  // Elements are at depth 1; messages in them may hold one more level.
  const builder = new Builder({ maxDepth: 2 });
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of message.fields) {
    if (field.fieldKind !== 'list' && field.fieldKind !== 'map') continue;
    const element = builder.element(field, 1);
    if (element === undefined) throw new Error(`${field.name}: no arbitrary for its elements`);
    if (field.fieldKind === 'list') {
      model[field.localName] = fc.array(element, { minLength: length, maxLength: length });
    } else {
      const keyCount = field.mapKey === ScalarType.BOOL ? 2 : length;
      const keys = fc.uniqueArray(mapKeyArbitrary(field.mapKey), { minLength: keyCount, maxLength: keyCount });
      const values = fc.array(element, { minLength: keyCount, maxLength: keyCount });
      model[field.localName] = fc
        .tuple(keys, values)
        .map(([names, items]) => Object.fromEntries(names.map((name, index) => [name, items[index]])));
    }
  }
  const [value] = fc.sample(fc.record(model, { noNullPrototype: true }), { numRuns: 1, seed });
  if (value === undefined) throw new Error('fast-check gave no sample');
  return value;
}

class Builder {
  readonly #maxDepth: number;
  readonly #maxLength: number;
  readonly #any: fc.Arbitrary<AnyValue>;

  constructor({ maxDepth = 3, maxLength = 4, any }: MessageArbitraryOptions) {
    this.#maxDepth = maxDepth;
    this.#maxLength = maxLength;
    this.#any = any ?? fc.record({ typeUrl: text, value: bytes }, { noNullPrototype: true });
  }

  message(message: DescMessage, depth: number): fc.Arbitrary<Plain> {
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of message.fields) {
      if (field.oneof !== undefined) continue;
      const value = this.field(field, depth);
      if (value !== undefined) model[field.localName] = value;
    }
    for (const oneof of message.oneofs) {
      const members = oneof.fields.flatMap((member) => {
        const value = this.singular(member, depth);
        return value === undefined ? [] : [value.map((item) => ({ case: member.localName, value: item }))];
      });
      if (members.length > 0) model[oneof.localName] = fc.oneof(...members);
    }
    // Any property may be left out: unset, which is what its default or absence looks like.
    return fc.record(model, { requiredKeys: [], noNullPrototype: true });
  }

  field(field: DescField, depth: number): fc.Arbitrary<unknown> | undefined {
    switch (field.fieldKind) {
      case 'list': {
        const element = this.element(field, depth);
        return element === undefined ? undefined : fc.array(element, { maxLength: this.#maxLength });
      }
      case 'map': {
        const value = this.element(field, depth);
        if (value === undefined) return undefined;
        return fc.dictionary(mapKeyArbitrary(field.mapKey), value, { maxKeys: this.#maxLength, noNullPrototype: true });
      }
      default:
        return this.singular(field, depth);
    }
  }

  /** The element of a list, or the value of a map. */
  element(field: DescField & { fieldKind: 'list' | 'map' }, depth: number): fc.Arbitrary<unknown> | undefined {
    if (field.fieldKind === 'list') {
      if (field.listKind === 'scalar') return scalarArbitrary(field.scalar);
      if (field.listKind === 'enum') return enumArbitrary(field.enum);
      return this.messageValue(field.message, depth);
    }
    if (field.mapKind === 'scalar') return scalarArbitrary(field.scalar);
    if (field.mapKind === 'enum') return enumArbitrary(field.enum);
    return this.messageValue(field.message, depth);
  }

  singular(field: DescField, depth: number): fc.Arbitrary<unknown> | undefined {
    switch (field.fieldKind) {
      case 'scalar':
        return scalarArbitrary(field.scalar);
      case 'enum':
        return enumArbitrary(field.enum);
      case 'message':
        return this.messageValue(field.message, depth);
      default:
        return undefined;
    }
  }

  /** A message-typed value: a well-known type in its own mapping, or a nested plain message. */
  messageValue(message: DescMessage, depth: number): fc.Arbitrary<unknown> | undefined {
    switch (message.typeName) {
      case 'google.protobuf.Timestamp':
        return timestamp;
      case 'google.protobuf.Duration':
        return duration;
      case 'google.protobuf.Struct':
        return jsonObjectArbitrary(2);
      case 'google.protobuf.Value':
        return jsonValueArbitrary(2);
      case 'google.protobuf.ListValue':
        return fc.array(jsonValueArbitrary(1), { maxLength: 3 });
      case 'google.protobuf.FieldMask':
        return fc.array(fieldPath, { maxLength: 3 });
      case 'google.protobuf.Empty':
        return fc.constant({});
      case 'google.protobuf.Any':
        return this.#any;
    }
    const wrapped = wrappedScalar(message);
    if (wrapped !== undefined) return scalarArbitrary(wrapped);
    if (depth >= this.#maxDepth) return undefined;
    return this.message(message, depth + 1);
  }
}

/** The scalar type a google.protobuf wrapper message wraps, or `undefined` for any other message. */
export function wrappedScalar(message: DescMessage): ScalarType | undefined {
  if (!/^google\.protobuf\.[A-Za-z0-9]+Value$/.test(message.typeName)) return undefined;
  const value = message.fields[0];
  return message.fields.length === 1 && value?.fieldKind === 'scalar' ? value.scalar : undefined;
}
