import { fileURLToPath } from 'node:url';
import { create, createFileRegistry, fromBinary, fromJson, type JsonValue, toBinary, toJson } from '@bufbuild/protobuf';
import { DurationSchema, FileDescriptorSetSchema, Int64ValueSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtoSet } from './proto-set.js';
import { messageArbitrary } from './test-support/mapping/arbitraries.js';
import { type AnyValue, fromBufbuild, type Plain, type TimestampDate, toBufbuild } from './test-support/mapping/bufbuild-bridge.js';
import { comparable } from './test-support/mapping/comparable.js';
import { decodedForm } from './test-support/mapping/decoded-form.js';
import { longsAsStrings } from './test-support/mapping/long-strings.js';

// The proto3 canonical JSON mapping (https://protobuf.dev/programming-guides/json/) of Wirekit's codecs, against
// @bufbuild/protobuf's toJson/fromJson as the reference, on random messages of every field kind; then the
// spec's own examples one by one.

const mappingDir = fileURLToPath(new URL('./test-support/mapping', import.meta.url));
const protos = ProtoSet.load('all_kinds.proto', { includeDirs: [mappingDir] });
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, protos.toDescriptorSet()));
const AllKinds = registry.getMessage('mapping.v1.AllKinds');
const Nested = registry.getMessage('mapping.v1.AllKinds.Nested');
if (AllKinds === undefined || Nested === undefined) throw new Error('mapping.v1.AllKinds is not in the descriptor set');
const schema = AllKinds;
const codec = protos.codec<Plain>('mapping.v1.AllKinds');
const nestedCodec = protos.codec<Plain>('mapping.v1.AllKinds.Nested');

const TYPE_URL = 'type.googleapis.com/';
/** Any values the JSON mapping can print: packed messages of types the set knows, well-known types included. */
const packedAny: fc.Arbitrary<AnyValue> = fc.oneof(
  fc
    .record({ note: fc.string({ unit: 'binary', maxLength: 6 }), count: fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n) })
    .map((nested) => ({ typeUrl: `${TYPE_URL}mapping.v1.AllKinds.Nested`, value: toBinary(Nested, create(Nested, nested)) })),
  fc.record({ seconds: fc.bigInt(0n, 315_576_000_000n), nanos: fc.integer({ min: 0, max: 999_999_999 }) }).map((duration) => ({
    typeUrl: `${TYPE_URL}google.protobuf.Duration`,
    value: toBinary(DurationSchema, create(DurationSchema, duration)),
  })),
  fc.bigInt(-(2n ** 63n), 2n ** 63n - 1n).map((value) => ({
    typeUrl: `${TYPE_URL}google.protobuf.Int64Value`,
    value: toBinary(Int64ValueSchema, create(Int64ValueSchema, { value })),
  })),
);
const messages = messageArbitrary(schema, { any: packedAny });
const RUNS = 600;

/** A JSON value as it reads once written out as text (where -0 and 0 are one and the same). */
const asText = (json: unknown): unknown => JSON.parse(JSON.stringify(json));
const theirJson = (value: Plain): JsonValue => toJson(schema, toBufbuild(schema, value), { registry });

describe('JSON mapping (fast-check, against bufbuild)', () => {
  it('toJson writes what bufbuild writes', () => {
    fc.assert(
      fc.property(messages, (value) => {
        expect(asText(codec.toJson(value))).toEqual(asText(theirJson(value)));
      }),
      { numRuns: RUNS },
    );
  });

  it('fromJson reads what bufbuild writes, to the same values', () => {
    fc.assert(
      fc.property(messages, (value) => {
        expect(comparable(codec.fromJson(theirJson(value)))).toEqual(comparable(decodedForm(schema, value)));
      }),
      { numRuns: RUNS },
    );
  });

  it('bufbuild reads what toJson writes, and fromJson(toJson(x)) is x', () => {
    fc.assert(
      fc.property(messages, (value) => {
        const json = codec.toJson(value);
        expect(comparable(fromBufbuild(schema, fromJson(schema, json, { registry })))).toEqual(comparable(decodedForm(schema, value)));
        expect(comparable(codec.fromJson(json))).toEqual(comparable(decodedForm(schema, value)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe("JSON mapping with longs: 'string' (fast-check, against bufbuild)", () => {
  // The same proto loaded with 64-bit integers as decimal strings: the JSON is the same as with bigints.
  const strings = ProtoSet.load('all_kinds.proto', { includeDirs: [mappingDir], longs: 'string' }).codec<Plain>('mapping.v1.AllKinds');
  const expectedStrings = (value: Plain): unknown => comparable(longsAsStrings(schema, decodedForm(schema, value)));

  it('toJson writes what bufbuild writes', () => {
    fc.assert(
      fc.property(messages, (value) => {
        expect(asText(strings.toJson(longsAsStrings(schema, value)))).toEqual(asText(theirJson(value)));
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('fromJson reads what bufbuild writes, to the same values as strings, and fromJson(toJson(x)) is x', () => {
    fc.assert(
      fc.property(messages, (value) => {
        expect(comparable(strings.fromJson(theirJson(value)))).toEqual(expectedStrings(value));
        expect(comparable(strings.fromJson(strings.toJson(longsAsStrings(schema, value))))).toEqual(expectedStrings(value));
      }),
      { numRuns: RUNS / 2 },
    );
  });
});

describe('JSON mapping: the spec, case by case', () => {
  it('uses a custom json_name, as bufbuild does, and reads the proto name too', () => {
    expect(theirJson({ renamed: 'x' })).toEqual({ customName: 'x' });
    expect(codec.toJson({ renamed: 'x' })).toEqual({ customName: 'x' });
    expect(codec.fromJson({ renamed: 'y' }).renamed).toBe('y');
  });

  it('writes well-known types in oneofs, lists and maps in their own JSON forms', () => {
    const value = {
      moment: { case: 'momentAt', value: new Date('2024-05-01T12:00:00.250Z') },
      wrappedInt64s: [2n ** 63n - 1n, 0n],
      wrappedDoubles: [Number.NaN],
      valuesByName: { a: null, b: [1, 'x'] },
    };
    const json = {
      momentAt: '2024-05-01T12:00:00.250Z',
      wrappedInt64s: ['9223372036854775807', '0'],
      wrappedDoubles: ['NaN'],
      valuesByName: { a: null, b: [1, 'x'] },
    };
    expect(codec.toJson(value)).toEqual(json);
    expect(theirJson(value)).toEqual(json);
    expect(codec.toJson({ moment: { case: 'momentCount', value: 0 } })).toEqual({ momentCount: 0 });
  });

  it('writes 64-bit integers as decimal strings, everywhere, and reads strings or numbers', () => {
    const value = {
      anInt64: -(2n ** 63n),
      aUint64: 2n ** 64n - 1n,
      aFixed64: 1n,
      anSfixed64: -1n,
      anInt32: -5,
      int64Value: 5n,
      uint64Value: 0n,
      packedInt64: [1n, -1n],
      byInt64: { '-1': 'x' },
      byBool: { true: 2n ** 53n + 1n },
    };
    expect(codec.toJson(value)).toEqual({
      anInt64: '-9223372036854775808',
      aUint64: '18446744073709551615',
      aFixed64: '1',
      anSfixed64: '-1',
      anInt32: -5,
      int64Value: '5',
      uint64Value: '0',
      packedInt64: ['1', '-1'],
      byInt64: { '-1': 'x' },
      byBool: { true: '9007199254740993' },
    });
    expect(codec.fromJson({ anInt64: '-9223372036854775808', aUint64: 42, anInt32: '-5' })).toMatchObject({
      anInt64: -(2n ** 63n),
      aUint64: 42n,
      anInt32: -5,
    });
  });

  it('writes enums by name (a number no value names as the number) and reads either', () => {
    expect(codec.toJson({ color: 'COLOR_RED', mood: 42, packedColors: ['COLOR_GREEN', -3] })).toEqual({
      color: 'COLOR_RED',
      mood: 42,
      packedColors: ['COLOR_GREEN', -3],
    });
    expect(codec.fromJson({ color: 2, mood: 'MOOD_GRUMPY', packedColors: ['COLOR_BLUE', 7] })).toMatchObject({
      color: 'COLOR_GREEN',
      mood: 'MOOD_GRUMPY',
      packedColors: ['COLOR_BLUE', 7],
    });
  });

  it('writes bytes as standard base64 with padding and reads the URL-safe alphabet and missing padding too', () => {
    expect(codec.toJson({ aBytes: new Uint8Array([0xfb, 0xff]), blobs: [new Uint8Array([0]), new Uint8Array(0)] })).toEqual({
      aBytes: '+/8=',
      blobs: ['AA==', ''],
    });
    for (const text of ['+/8=', '-_8=', '-_8', '+/8']) {
      expect([...(codec.fromJson({ aBytes: text }).aBytes as Uint8Array)], text).toEqual([0xfb, 0xff]);
    }
  });

  it('writes a Timestamp in RFC 3339 (Z, 0/3/6/9 fraction digits) and reads offsets and nanoseconds', () => {
    expect(codec.toJson({ timestamp: new Date('1972-01-01T10:00:20.021Z') })).toEqual({ timestamp: '1972-01-01T10:00:20.021Z' });
    expect(codec.toJson({ timestamps: [new Date('1970-01-01T00:00:00Z'), new Date('0001-01-01T00:00:00Z')] })).toEqual({
      timestamps: ['1970-01-01T00:00:00Z', '0001-01-01T00:00:00Z'],
    });
    const read = codec.fromJson({ timestamp: '1972-01-01T10:00:20.021+01:00' }).timestamp as TimestampDate;
    expect(read).toBeInstanceOf(Date);
    expect(read.toISOString()).toBe('1972-01-01T09:00:20.021Z');
    const precise = codec.fromJson({ timestamp: '1972-01-01T10:00:20.000000001Z' });
    expect((precise.timestamp as TimestampDate).nanos).toBe(1);
    expect(codec.toJson(precise)).toEqual({ timestamp: '1972-01-01T10:00:20.000000001Z' });
    expect(codec.toJson(codec.fromJson({ timestamp: '1972-01-01T10:00:20.021500Z' }))).toEqual({
      timestamp: '1972-01-01T10:00:20.021500Z',
    });
  });

  it('writes a Duration as seconds with an "s" suffix, negative ones included', () => {
    expect(codec.toJson({ duration: { seconds: 1n, nanos: 340012 } })).toEqual({ duration: '1.000340012s' });
    expect(codec.toJson({ duration: { seconds: -1n, nanos: -500_000_000 } })).toEqual({ duration: '-1.500s' });
    expect(codec.toJson({ duration: { seconds: 0n, nanos: -1000 } })).toEqual({ duration: '-0.000001s' });
    expect(codec.toJson({ duration: { seconds: 3n, nanos: 0 } })).toEqual({ duration: '3s' });
    expect(codec.fromJson({ duration: '1.000340012s' }).duration).toEqual({ seconds: 1n, nanos: 340012 });
    expect(codec.fromJson({ duration: '-0.5s' }).duration).toEqual({ seconds: 0n, nanos: -500_000_000 });
  });

  it('writes a FieldMask as comma-joined lowerCamel paths and reads them back to snake_case', () => {
    expect(codec.toJson({ fieldMask: ['f.foo_bar', 'h'] })).toEqual({ fieldMask: 'f.fooBar,h' });
    expect(codec.fromJson({ fieldMask: 'f.fooBar,h' }).fieldMask).toEqual(['f.foo_bar', 'h']);
    expect(codec.fromJson({ fieldMask: '' }).fieldMask).toEqual([]);
  });

  it('writes an Any holding a message with "@type" and its fields, and one holding a well-known type with "value"', () => {
    const nested = nestedCodec.encode({ note: 'x', count: 5n });
    expect(codec.toJson({ any: { typeUrl: `${TYPE_URL}mapping.v1.AllKinds.Nested`, value: nested } })).toEqual({
      any: { '@type': `${TYPE_URL}mapping.v1.AllKinds.Nested`, note: 'x', count: '5' },
    });
    const duration = toBinary(DurationSchema, create(DurationSchema, { seconds: 1n, nanos: 500_000_000 }));
    expect(codec.toJson({ any: { typeUrl: `${TYPE_URL}google.protobuf.Duration`, value: duration } })).toEqual({
      any: { '@type': `${TYPE_URL}google.protobuf.Duration`, value: '1.500s' },
    });
    const readMessage = codec.fromJson({ any: { '@type': `${TYPE_URL}mapping.v1.AllKinds.Nested`, count: '5', note: 'x' } })
      .any as AnyValue;
    expect(readMessage.typeUrl).toBe(`${TYPE_URL}mapping.v1.AllKinds.Nested`);
    expect(nestedCodec.decode(readMessage.value)).toEqual({ note: 'x', count: 5n, mood: 'MOOD_UNSPECIFIED' });
    const readWkt = codec.fromJson({ any: { '@type': `${TYPE_URL}google.protobuf.Duration`, value: '1.500s' } }).any as AnyValue;
    expect(fromBinary(DurationSchema, readWkt.value)).toMatchObject({ seconds: 1n, nanos: 500_000_000 });
  });

  it('writes NaN and the infinities as strings, and reads them', () => {
    expect(
      codec.toJson({
        aDouble: Number.NaN,
        aFloat: Number.POSITIVE_INFINITY,
        doubleValue: Number.NEGATIVE_INFINITY,
        packedDouble: [Number.NaN, 1.5],
      }),
    ).toEqual({ aDouble: 'NaN', aFloat: 'Infinity', doubleValue: '-Infinity', packedDouble: ['NaN', 1.5] });
    const read = codec.fromJson({ aDouble: 'NaN', aFloat: '-Infinity', maybeDouble: 'Infinity' });
    expect(read.aDouble).toBeNaN();
    expect(read.aFloat).toBe(Number.NEGATIVE_INFINITY);
    expect(read.maybeDouble).toBe(Number.POSITIVE_INFINITY);
  });

  it('leaves out fields at their default, but writes fields with presence set to a default', () => {
    expect(codec.toJson({})).toEqual({});
    expect(codec.toJson(codec.decode(new Uint8Array(0)))).toEqual({});
    expect(codec.toJson({ anInt32: 0, aString: '', color: 'COLOR_UNSPECIFIED', packedInt32: [], byString: {} })).toEqual({});
    expect(
      codec.toJson({
        maybeInt32: 0,
        maybeString: '',
        choice: { case: 'choiceText', value: '' },
        int32Value: 0,
        nested: {},
        empty: {},
        struct: {},
        value: null,
        listValue: [],
      }),
    ).toEqual({
      maybeInt32: 0,
      maybeString: '',
      choiceText: '',
      int32Value: 0,
      nested: {},
      empty: {},
      struct: {},
      value: null,
      listValue: [],
    });
  });

  it('reads proto field names as well as lowerCamel ones, and null as unset', () => {
    expect(codec.fromJson({ an_int64: '7', a_string: 'x', maybe_int32: 1, choice_text: 't' })).toMatchObject({
      anInt64: 7n,
      aString: 'x',
      maybeInt32: 1,
      choice: { case: 'choiceText', value: 't' },
    });
    const nulls = codec.fromJson({ anInt32: null, nested: null, maybeInt32: null, value: null });
    expect(nulls).toMatchObject({ anInt32: 0, value: null });
    expect(nulls.nested).toBeUndefined();
    expect(nulls.maybeInt32).toBeUndefined();
  });

  it.each([
    [{ nested: { count: 'abc' } }, /nested\.count/],
    [{ nestedList: [{}, { mood: 'MOOD_NOPE' }] }, /nestedList\[1\]\.mood/],
    [{ anInt32: 1.5 }, /anInt32/],
    [{ anInt32: 2147483648 }, /anInt32/],
    [{ aUint64: '-1' }, /aUint64/],
    [{ timestamp: 'yesterday' }, /timestamp/],
    [{ duration: '1.5' }, /duration/],
    [{ byInt64: { x: 'y' } }, /byInt64/],
    [{ nestedByString: { k: { note: 5 } } }, /nestedByString\["k"\]\.note/],
    [{ choiceText: 'a', choiceNumber: '1' }, /choice/],
    [{ notAField: 1 }, /notAField/],
    [{ aBytes: '!!' }, /aBytes/],
  ])('fromJson refuses bad input and names where: %j', (json, where) => {
    expect(() => codec.fromJson(json)).toThrow(where);
  });

  it('toJson refuses a value of the wrong type and names where', () => {
    expect(() => codec.toJson({ nested: { count: '1' } })).toThrow(/nested\.count/);
    expect(() => codec.toJson({ nestedList: [{}, { note: 1 }] })).toThrow(/nestedList\[1\]\.note/);
  });
});
