import { fileURLToPath } from 'node:url';
import { create, createFileRegistry, type DescEnum, type DescField, fromBinary, ScalarType, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtoSet } from './proto-set.js';
import {
  allListsLong,
  enumArbitrary,
  INT64_MAX,
  INT64_MIN,
  largeListsArbitrary,
  messageArbitrary,
  scalarArbitrary,
  UINT64_MAX,
} from './test-support/mapping/arbitraries.js';
import { fromBufbuild, type Plain, type TimestampDate, toBufbuild } from './test-support/mapping/bufbuild-bridge.js';
import { comparable } from './test-support/mapping/comparable.js';
import { decodedForm } from './test-support/mapping/decoded-form.js';
import { longsAsStrings } from './test-support/mapping/long-strings.js';

// Property-based proofs of the plain-object mapping against @bufbuild/protobuf as the reference: random
// messages of a proto using every field kind, encoded by one side and decoded by the other, and by Wirekit
// alone. bufbuild reads the same schema, from the descriptor set Wirekit writes.

const mappingDir = fileURLToPath(new URL('./test-support/mapping', import.meta.url));
const protos = ProtoSet.load('all_kinds.proto', { includeDirs: [mappingDir] });
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, protos.toDescriptorSet()));
const AllKinds = registry.getMessage('mapping.v1.AllKinds');
if (AllKinds === undefined) throw new Error('mapping.v1.AllKinds is not in the descriptor set');
const schema = AllKinds;
const codec = protos.codec<Plain>('mapping.v1.AllKinds');

const messages = messageArbitrary(schema);
const RUNS = 1000;

/** Wirekit's decoding of bytes, as comparable to the expected form. */
const decodeOurs = (bytes: Uint8Array): unknown => comparable(codec.decode(bytes));
const expectedOf = (value: Plain): unknown => comparable(decodedForm(schema, value));

describe('mapping round trips (fast-check, every field kind)', () => {
  it('(a) Wirekit encode → bufbuild decode gives the same values', () => {
    fc.assert(
      fc.property(messages, (value) => {
        const decoded = fromBinary(schema, codec.encode(value));
        expect(comparable(fromBufbuild(schema, decoded))).toEqual(expectedOf(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('(b) bufbuild encode → Wirekit decode gives the same values', () => {
    fc.assert(
      fc.property(messages, (value) => {
        expect(decodeOurs(toBinary(schema, toBufbuild(schema, value)))).toEqual(expectedOf(value));
      }),
      { numRuns: RUNS },
    );
  });

  it('(c) Wirekit encode → Wirekit decode is the identity, and re-encoding a decoded message changes nothing', () => {
    fc.assert(
      fc.property(messages, (value) => {
        const decoded = codec.decode(codec.encode(value));
        expect(comparable(decoded)).toEqual(expectedOf(value));
        expect(comparable(codec.decode(codec.encode(decoded)))).toEqual(comparable(decoded));
      }),
      { numRuns: RUNS },
    );
  });

  it('keeps 10,000-element repeated fields (and empty ones) exact both ways', () => {
    fc.assert(
      fc.property(largeListsArbitrary(schema), (value) => {
        const bytes = codec.encode(value);
        expect(comparable(fromBufbuild(schema, fromBinary(schema, bytes)))).toEqual(expectedOf(value));
        expect(decodeOurs(toBinary(schema, toBufbuild(schema, value)))).toEqual(expectedOf(value));
      }),
      { numRuns: 5 },
    );
  });

  it('keeps one message whose every repeated and map field is 10,000 long exact both ways', () => {
    const value = allListsLong(schema);
    // Not vacuous: every list and map field is there, at full length (a bool-keyed map holds its two keys).
    for (const field of schema.fields) {
      if (field.fieldKind === 'list') expect(value[field.localName], field.name).toHaveLength(10_000);
      if (field.fieldKind === 'map') {
        expect(Object.keys(value[field.localName] as Plain), field.name).toHaveLength(field.mapKey === ScalarType.BOOL ? 2 : 10_000);
      }
    }
    const bytes = codec.encode(value);
    expect(comparable(fromBufbuild(schema, fromBinary(schema, bytes)))).toEqual(expectedOf(value));
    expect(decodeOurs(toBinary(schema, toBufbuild(schema, value)))).toEqual(expectedOf(value));
    expect(decodeOurs(bytes)).toEqual(expectedOf(value));
  });

  it('reads packed and unpacked encodings of every repeated scalar and enum field, whichever is declared, even mixed', () => {
    const lists = schema.fields.flatMap(packableList);
    const model = Object.fromEntries(
      lists.map((list) => [
        list.field.localName,
        fc.array(list.field.listKind === 'enum' ? enumArbitrary(list.field.enum) : scalarArbitrary(list.scalar), { maxLength: 6 }),
      ]),
    );
    fc.assert(
      fc.property(fc.record(model, { noNullPrototype: true }), fc.nat(), (value: Plain, split) => {
        const writer = new BinaryWriter();
        for (const list of lists) {
          const items = value[list.field.localName] as unknown[];
          const cut = items.length === 0 ? 0 : split % (items.length + 1);
          // The first part in the form not declared, the rest in the declared form: readers must take both.
          writeList(writer, list, items.slice(0, cut), !list.field.packed);
          writeList(writer, list, items.slice(cut), list.field.packed);
        }
        expect(decodeOurs(writer.finish())).toEqual(expectedOf(value));
      }),
      { numRuns: 300 },
    );
  });

  it('decodes Timestamps as Dates that carry the exact nanoseconds, and re-encodes them exactly', () => {
    const seconds = fc.bigInt(-62_135_596_800n, 253_402_300_799n); // 0001-01-01 to 9999-12-31
    fc.assert(
      fc.property(seconds, fc.integer({ min: 0, max: 999_999_999 }), (s, nanos) => {
        const decoded = codec.decode(toBinary(schema, create(schema, { timestamp: { seconds: s, nanos } })));
        const date = decoded.timestamp as TimestampDate;
        expect(date).toBeInstanceOf(Date);
        expect(date.getTime()).toBe(Number(s) * 1000 + Math.floor(nanos / 1_000_000));
        expect(date.nanos).toBe(nanos);
        const back = fromBinary(schema, codec.encode(decoded)) as unknown as Plain;
        expect(back.timestamp).toMatchObject({ seconds: s, nanos });
      }),
      { numRuns: 500 },
    );
  });
});

describe('mapping round trips: chosen cases', () => {
  const roundTrip = (value: Plain): Plain => codec.decode(codec.encode(value));

  it('tells an empty message from an absent one, for nested messages, Empty, Any, Duration and wrappers', () => {
    const empty = roundTrip({ nested: {}, empty: {}, any: {}, duration: {}, int32Value: 0, stringValue: '', boolValue: false });
    expect(comparable(empty)).toMatchObject({
      nested: { note: '', count: 0n, mood: 'MOOD_UNSPECIFIED' },
      empty: {},
      any: { typeUrl: '', value: { bytes: '' } },
      duration: { seconds: 0n, nanos: 0 },
      int32Value: 0,
      stringValue: '',
      boolValue: false,
    });
    const absent = roundTrip({});
    for (const key of ['nested', 'empty', 'any', 'duration', 'int32Value', 'stringValue', 'boolValue', 'timestamp', 'struct', 'value']) {
      expect(absent[key], key).toBeUndefined();
    }
  });

  it('sends proto3 optional scalars and oneof members set to their zero value', () => {
    const zeros = {
      maybeInt32: 0,
      maybeInt64: 0n,
      maybeBool: false,
      maybeString: '',
      maybeMood: 'MOOD_UNSPECIFIED',
      choice: { case: 'choiceNumber', value: 0n },
    };
    const decoded = fromBufbuild(schema, fromBinary(schema, codec.encode(zeros)));
    expect(decoded).toMatchObject(zeros);
    expect(roundTrip(zeros)).toMatchObject(zeros);
    expect(roundTrip({}).choice).toBeUndefined();
  });

  it('keeps an enum number no value names, in singular, repeated, map and oneof positions', () => {
    const value = {
      color: 42,
      mood: -7,
      packedColors: ['COLOR_RED', 99],
      colorsByUint64: { '1': 1234 },
      choice: { case: 'choiceColor', value: 5 },
    };
    expect(roundTrip(value)).toMatchObject(value);
    expect(fromBufbuild(schema, fromBinary(schema, codec.encode(value)))).toMatchObject(value);
  });

  it('keeps 64-bit extremes exact as bigints, in every 64-bit type', () => {
    const value = {
      anInt64: -(2n ** 63n),
      aUint64: 2n ** 64n - 1n,
      aSint64: -(2n ** 63n),
      aFixed64: 2n ** 64n - 1n,
      anSfixed64: 2n ** 63n - 1n,
      byInt64: { '-9223372036854775808': 'min' },
      colorsByUint64: { '18446744073709551615': 'COLOR_RED' },
      int64Value: -(2n ** 63n),
      uint64Value: 2n ** 64n - 1n,
    };
    expect(roundTrip(value)).toMatchObject(value);
    expect(fromBufbuild(schema, fromBinary(schema, codec.encode(value)))).toMatchObject(value);
  });

  it('keeps NaN, ±Infinity and -0 in doubles, floats and their wrappers', () => {
    const decoded = roundTrip({
      aDouble: Number.NaN,
      aFloat: Number.NEGATIVE_INFINITY,
      doubleValue: -0,
      floatValue: Number.POSITIVE_INFINITY,
    });
    expect(decoded.aDouble).toBeNaN();
    expect(decoded.aFloat).toBe(Number.NEGATIVE_INFINITY);
    expect(Object.is(decoded.doubleValue, -0)).toBe(true);
    expect(decoded.floatValue).toBe(Number.POSITIVE_INFINITY);
  });

  it('maps well-known types in oneofs, lists and maps as bufbuild has them on the wire: wrappers there stay messages', () => {
    // Built with bufbuild directly, not through the bridge, so the bridge's view of boxed wrappers is checked too.
    const theirs = create(schema, {
      moment: { case: 'momentCount', value: { value: 0 } },
      wrappedInt64s: [{ value: INT64_MIN }, { value: 0n }],
      wrappedStrings: [{ value: '' }, { value: 'x' }],
      wrappedDoubles: [{ value: Number.NaN }],
      valuesByName: { a: { kind: { case: 'nullValue', value: 0 } }, b: { kind: { case: 'stringValue', value: 'z' } } },
      renamed: 'custom',
    } as never);
    const expected = {
      moment: { case: 'momentCount', value: 0 },
      wrappedInt64s: [INT64_MIN, 0n],
      wrappedStrings: ['', 'x'],
      wrappedDoubles: [Number.NaN],
      valuesByName: { a: null, b: 'z' },
      renamed: 'custom',
    };
    const decoded = codec.decode(toBinary(schema, theirs));
    expect(decoded).toMatchObject(expected);
    expect(comparable(fromBufbuild(schema, theirs))).toMatchObject(comparable(expected) as Plain);
    expect(toBinary(schema, fromBinary(schema, codec.encode(decoded)))).toEqual(toBinary(schema, theirs));

    const at = roundTrip({ moment: { case: 'momentAt', value: new Date('2024-05-01T12:00:00.250Z') } }).moment as { value: TimestampDate };
    expect(at.value.toISOString()).toBe('2024-05-01T12:00:00.250Z');
    expect(roundTrip({ moment: { case: 'momentNote', value: { deep: [1, null] } } }).moment).toEqual({
      case: 'momentNote',
      value: { deep: [1, null] },
    });
  });

  it('maps Struct, Value and ListValue to JSON values, null included', () => {
    const value = { struct: { a: [1, 'x', null, { b: true }] }, value: null, listValue: [{}, [], 'z'] };
    expect(roundTrip(value)).toMatchObject(value);
    expect(roundTrip({ value: { nested: { deeper: [false] } } }).value).toEqual({ nested: { deeper: [false] } });
  });
});

describe("mapping round trips with longs: 'string' (fast-check, every field kind)", () => {
  // The same proto loaded with 64-bit integers as decimal strings; the messages are the random ones above, with
  // their 64-bit values written as strings, and bufbuild (always bigints) as the reference.
  const strings = ProtoSet.load('all_kinds.proto', { includeDirs: [mappingDir], longs: 'string' }).codec<Plain>('mapping.v1.AllKinds');
  const expectedStrings = (value: Plain): unknown => comparable(longsAsStrings(schema, decodedForm(schema, value)));

  it('(a) Wirekit encode → bufbuild decode gives the same values', () => {
    fc.assert(
      fc.property(messages, (value) => {
        const decoded = fromBinary(schema, strings.encode(longsAsStrings(schema, value)));
        expect(comparable(fromBufbuild(schema, decoded))).toEqual(expectedOf(value));
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('(b) bufbuild encode → Wirekit decode gives the same values, as strings', () => {
    fc.assert(
      fc.property(messages, (value) => {
        expect(comparable(strings.decode(toBinary(schema, toBufbuild(schema, value))))).toEqual(expectedStrings(value));
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('(c) Wirekit encode → Wirekit decode is the identity, and the bytes are those of the bigint form', () => {
    fc.assert(
      fc.property(messages, (value) => {
        const bytes = strings.encode(longsAsStrings(schema, value));
        expect(comparable(strings.decode(bytes))).toEqual(expectedStrings(value));
        expect(decodeOurs(bytes)).toEqual(expectedOf(value));
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('keeps the extremes of all five 64-bit types exact as strings, in every position', () => {
    const value = {
      anInt64: String(INT64_MIN),
      aUint64: String(UINT64_MAX),
      aSint64: String(INT64_MIN),
      aFixed64: String(UINT64_MAX),
      anSfixed64: String(INT64_MAX),
      packedInt64: [String(INT64_MIN), String(INT64_MAX), '0'],
      unpackedSint64: [String(INT64_MAX), String(INT64_MIN)],
      packedUint64: [String(UINT64_MAX), '0'],
      unpackedSfixed64: [String(INT64_MIN), String(INT64_MAX)],
      byBool: { true: String(INT64_MIN), false: String(INT64_MAX) },
      byInt64: { [String(INT64_MIN)]: 'min', [String(INT64_MAX)]: 'max' },
      colorsByUint64: { [String(UINT64_MAX)]: 'COLOR_RED' },
      choice: { case: 'choiceNumber', value: String(INT64_MIN) },
      maybeInt64: String(INT64_MAX),
      maybeUint64: String(UINT64_MAX),
      int64Value: String(INT64_MIN),
      uint64Value: String(UINT64_MAX),
      wrappedInt64s: [String(INT64_MAX), String(INT64_MIN)],
      nested: { count: String(INT64_MIN) },
    };
    const bytes = strings.encode(value);
    expect(strings.decode(bytes)).toMatchObject(value);
    const theirs = fromBinary(schema, bytes) as unknown as Plain;
    expect(theirs).toMatchObject({
      anInt64: INT64_MIN,
      aUint64: UINT64_MAX,
      aSint64: INT64_MIN,
      aFixed64: UINT64_MAX,
      anSfixed64: INT64_MAX,
      unpackedSfixed64: [INT64_MIN, INT64_MAX],
      choice: { case: 'choiceNumber', value: INT64_MIN },
    });
    expect(strings.decode(toBinary(schema, fromBinary(schema, bytes)))).toMatchObject(value);
  });
});

/** A repeated field whose elements may be packed (scalars and enums, except strings and bytes), with its wire type. */
interface PackableList {
  readonly field: DescField & { fieldKind: 'list' };
  /** The element type; enums as int32, which they are on the wire. */
  readonly scalar: ScalarType;
}

function packableList(field: DescField): PackableList[] {
  if (field.fieldKind !== 'list') return [];
  if (field.listKind === 'enum') return [{ field, scalar: ScalarType.INT32 }];
  if (field.listKind !== 'scalar' || field.scalar === ScalarType.STRING || field.scalar === ScalarType.BYTES) return [];
  return [{ field, scalar: field.scalar }];
}

function writeList(writer: BinaryWriter, { field, scalar }: PackableList, items: unknown[], packed: boolean): void {
  if (items.length === 0) return;
  const numbers = field.listKind === 'enum' ? items.map((item) => enumNumber(field.enum, item)) : items;
  if (packed) {
    writer.tag(field.number, WireType.LengthDelimited).fork();
    for (const item of numbers) writeScalar(writer, scalar, item);
    writer.join();
    return;
  }
  for (const item of numbers) {
    writer.tag(field.number, wireType(scalar));
    writeScalar(writer, scalar, item);
  }
}

function enumNumber(enumType: DescEnum, item: unknown): number {
  if (typeof item === 'number') return item;
  return enumType.values.find((value) => value.name === item)?.number ?? 0;
}

function wireType(scalar: ScalarType): WireType {
  switch (scalar) {
    case ScalarType.DOUBLE:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return WireType.Bit64;
    case ScalarType.FLOAT:
    case ScalarType.FIXED32:
    case ScalarType.SFIXED32:
      return WireType.Bit32;
    default:
      return WireType.Varint;
  }
}

function writeScalar(writer: BinaryWriter, scalar: ScalarType, item: unknown): void {
  const number = item as number;
  const long = item as bigint;
  switch (scalar) {
    case ScalarType.DOUBLE:
      writer.double(number);
      break;
    case ScalarType.FLOAT:
      writer.float(number);
      break;
    case ScalarType.INT32:
      writer.int32(number);
      break;
    case ScalarType.UINT32:
      writer.uint32(number);
      break;
    case ScalarType.SINT32:
      writer.sint32(number);
      break;
    case ScalarType.FIXED32:
      writer.fixed32(number);
      break;
    case ScalarType.SFIXED32:
      writer.sfixed32(number);
      break;
    case ScalarType.INT64:
      writer.int64(long);
      break;
    case ScalarType.UINT64:
      writer.uint64(long);
      break;
    case ScalarType.SINT64:
      writer.sint64(long);
      break;
    case ScalarType.FIXED64:
      writer.fixed64(long);
      break;
    case ScalarType.SFIXED64:
      writer.sfixed64(long);
      break;
    case ScalarType.BOOL:
      writer.bool(item as boolean);
      break;
    default:
      throw new Error(`not packable: ${ScalarType[scalar]}`);
  }
}
