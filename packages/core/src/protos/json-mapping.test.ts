import { fileURLToPath } from 'node:url';
import { createFileRegistry, fromBinary, fromJson, type JsonValue, toBinary, toJson } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { packAny } from './any-message.js';
import { ProtoSet } from './proto-set.js';
import { ProtoTimestamp } from './proto-timestamp.js';

// The proto3 JSON mapping of the codecs, checked against @bufbuild/protobuf (which passes the conformance
// suite) reading the same descriptors, then case by case.

const testSupport = fileURLToPath(new URL('./test-support', import.meta.url));
const protos = ProtoSet.load(['kitchen_sink.proto', 'legacy.proto'], { includeDirs: [testSupport] });
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, protos.toDescriptorSet()));
const theirSink = registry.getMessage('kitchen.v1.KitchenSink');
if (theirSink === undefined) throw new Error('kitchen.v1.KitchenSink is not in the descriptor set');

type Plain = Record<string, unknown>;
const sink = protos.codec<Plain>('kitchen.v1.KitchenSink');
/** What the reference runtime writes for the bytes Wirekit encodes for `value`. */
const theirJson = (value: Plain): JsonValue => toJson(theirSink, fromBinary(theirSink, sink.encode(value)), { registry });
/** The bytes the reference runtime encodes for a JSON value. */
const theirBytes = (json: JsonValue): number[] => [...toBinary(theirSink, fromJson(theirSink, json, { registry }))];
const jsonError = (json: unknown): string => {
  try {
    sink.fromJson(json);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('fromJson did not throw');
};

const rich: Plain = {
  aDouble: Number.NaN,
  aFloat: Number.NEGATIVE_INFINITY,
  anInt32: -1,
  anInt64: -(2n ** 63n),
  aUint64: 2n ** 64n - 1n,
  aSint64: -3n,
  aFixed32: 4_294_967_295,
  anSfixed64: 9_007_199_254_740_993n,
  aBool: true,
  aString: 'héllo "✓"',
  aBytes: new Uint8Array([0xfb, 0xff, 0x00]),
  color: 'COLOR_RED',
  nested: { note: 'n', inner: { depth: 0 } },
  mood: 77,
  packedInts: [1, -1],
  packedLongs: [0n, -(2n ** 40n)],
  tags: ['a', ''],
  nestedList: [{}, { note: 'x' }],
  colors: ['COLOR_GREEN', 5],
  blobs: [new Uint8Array([1]), new Uint8Array(0)],
  labels: { k: 'v', '': 'empty' },
  nestedById: { '-5': { note: 'm' } },
  namesByLong: { '-9223372036854775808': 'min' },
  colorsByUlong: { '18446744073709551615': 'COLOR_GREEN' },
  countsByFlag: { true: 1, false: 0 },
  totals: { t: 2n ** 60n },
  choice: { case: 'choiceNested', value: { note: 'c' } },
  maybeInt32: 0,
  maybeString: '',
  maybeBool: false,
  createdAt: new ProtoTimestamp(1_700_000_000n, 120_000),
  timeout: { seconds: -1n, nanos: -500_000_000 },
  wrappedDouble: 0,
  wrappedInt64: 5n,
  wrappedUint64: 0n,
  wrappedBool: false,
  wrappedString: 's',
  wrappedBytes: new Uint8Array([104, 105]),
  details: { a: [1, 'b', null, { c: true }], empty: {} },
  dynamic: null,
  items: [1.5, 'x', [], false],
  updateMask: ['user.display_name', 'photo'],
  nothing: {},
  extra: packAny(protos, 'kitchen.v1.KitchenSink.Nested', { note: 'packed', inner: { depth: 2 } }),
  history: [new Date(0), new ProtoTimestamp(1n, 1_000)],
  settings: { on: true, off: null },
  wrappedList: [0, 3],
  contact: { case: 'contactAfter', value: new Date('2024-02-29T23:59:59.999Z') },
  renamed: 'r',
};

describe('JSON mapping against @bufbuild/protobuf', () => {
  it('toJson writes what the reference writes', () => {
    expect(sink.toJson(rich)).toEqual(theirJson(rich));
    expect(sink.toJson({})).toEqual({});
  });

  it('fromJson reads what the reference writes, to what decoding gives', () => {
    expect(sink.fromJson(theirJson(rich))).toEqual(sink.decode(sink.encode(rich)));
  });

  it('the reference reads what toJson writes, to the same bytes', () => {
    expect(theirBytes(sink.toJson(rich))).toEqual([...sink.encode(rich)]);
  });

  it('writes each well-known type in its own form', () => {
    expect(sink.toJson(rich)).toMatchObject({
      createdAt: '2023-11-14T22:13:20.000120Z',
      timeout: '-1.500s',
      wrappedDouble: 0,
      wrappedInt64: '5',
      wrappedUint64: '0',
      wrappedBool: false,
      wrappedBytes: 'aGk=',
      details: { a: [1, 'b', null, { c: true }], empty: {} },
      dynamic: null,
      items: [1.5, 'x', [], false],
      updateMask: 'user.displayName,photo',
      nothing: {},
      extra: { '@type': 'type.googleapis.com/kitchen.v1.KitchenSink.Nested', note: 'packed', inner: { depth: 2 } },
      history: ['1970-01-01T00:00:00Z', '1970-01-01T00:00:01.000001Z'],
      contactAfter: '2024-02-29T23:59:59.999Z',
      customName: 'r',
    });
  });
});

describe('JSON mapping, case by case', () => {
  it('writes JSON names, 64-bit integers as strings, enums by name, NaN and infinities as strings', () => {
    expect(
      sink.toJson({
        anInt64: 5n,
        aUint64: 2n ** 64n - 1n,
        color: 'COLOR_RED',
        mood: 9,
        aDouble: Number.NaN,
        aFloat: Number.POSITIVE_INFINITY,
        renamed: 'x',
      }),
    ).toEqual({
      anInt64: '5',
      aUint64: '18446744073709551615',
      color: 'COLOR_RED',
      mood: 9,
      aDouble: 'NaN',
      aFloat: 'Infinity',
      customName: 'x',
    });
  });

  it('leaves out fields at their defaults, but writes fields with presence when set', () => {
    expect(sink.toJson({ anInt32: 0, aString: '', tags: [], labels: {}, color: 'COLOR_UNSPECIFIED', maybeInt32: 0 })).toEqual({
      maybeInt32: 0,
    });
    expect(sink.toJson({ choice: { case: 'choiceText', value: '' }, wrappedInt32: 0, nested: {} })).toEqual({
      choiceText: '',
      wrappedInt32: 0,
      nested: {},
    });
  });

  it('reads JSON names and proto names, numbers as numbers or strings, enums by name or number', () => {
    expect(
      sink.fromJson({
        an_int64: 7,
        aUint64: '18446744073709551615',
        a_sint32: '-5',
        a_double: '1e3',
        aFloat: 'NaN',
        color: 2,
        mood: 'MOOD_HAPPY',
        customName: 'c',
      }),
    ).toMatchObject({
      anInt64: 7n,
      aUint64: 2n ** 64n - 1n,
      aSint32: -5,
      aDouble: 1000,
      color: 'COLOR_GREEN',
      mood: 'MOOD_HAPPY',
      renamed: 'c',
    });
    expect(sink.fromJson({ renamed: 'by proto name' }).renamed).toBe('by proto name');
    expect(sink.fromJson({ aFloat: 'NaN' }).aFloat).toBeNaN();
  });

  it('keeps a custom json_name through a descriptor set, as generated code loads its protos', () => {
    const loaded = ProtoSet.fromDescriptorSet(protos.toDescriptorSet()).codec<Plain>('kitchen.v1.KitchenSink');
    expect(loaded.toJson({ renamed: 'x', aString: 'y' })).toEqual({ customName: 'x', aString: 'y' });
    expect(loaded.fromJson({ customName: 'x' }).renamed).toBe('x');
  });

  it('reads bytes as standard or URL-safe base64, with or without padding', () => {
    for (const text of ['+/8=', '-_8=', '+/8', '-_8'])
      expect([...(sink.fromJson({ aBytes: text }).aBytes as Uint8Array)]).toEqual([251, 255]);
    expect(jsonError({ aBytes: 'a' })).toBe(
      'kitchen.v1.KitchenSink.aBytes: expected bytes as base64 (standard or URL-safe), got string "a"',
    );
  });

  it('reads timestamps in RFC 3339, offsets and up to nine fractional digits included', () => {
    const read = (text: string): [string, number] => {
      const at = sink.fromJson({ createdAt: text }).createdAt as ProtoTimestamp;
      return [at.toISOString(), at.nanos];
    };
    expect(read('2024-05-01T12:00:00Z')).toEqual(['2024-05-01T12:00:00.000Z', 0]);
    expect(read('2024-05-01T12:00:00.5Z')).toEqual(['2024-05-01T12:00:00.500Z', 500_000_000]);
    expect(read('2024-05-01T12:00:00.123456789+02:00')).toEqual(['2024-05-01T10:00:00.123Z', 123_456_789]);
    expect(read('0001-01-01T00:00:00Z')).toEqual(['0001-01-01T00:00:00.000Z', 0]);
    for (const bad of [
      '2024-02-30T00:00:00Z',
      '2024-05-01 12:00:00Z',
      '2024-05-01T12:00:00',
      '2024-05-01T24:00:00Z',
      '10000-01-01T00:00:00Z',
    ]) {
      expect(jsonError({ createdAt: bad })).toMatch(/^kitchen\.v1\.KitchenSink\.createdAt: expected an RFC 3339 timestamp/);
    }
    expect(jsonError({ createdAt: '0001-01-01T00:00:00+00:01' })).toMatch(
      /^kitchen\.v1\.KitchenSink\.createdAt: expected a timestamp from 0001/,
    );
  });

  it('writes timestamps and durations with 0, 3, 6 or 9 fractional digits', () => {
    const json = (createdAt: Date, timeout: Plain): JsonValue => sink.toJson({ createdAt, timeout });
    expect(json(new ProtoTimestamp(0n, 0), { seconds: 1n })).toEqual({ createdAt: '1970-01-01T00:00:00Z', timeout: '1s' });
    expect(json(new ProtoTimestamp(0n, 10_000_000), { nanos: 10_000_000 })).toEqual({
      createdAt: '1970-01-01T00:00:00.010Z',
      timeout: '0.010s',
    });
    expect(json(new ProtoTimestamp(0n, 10_000), { nanos: -10_000 })).toEqual({
      createdAt: '1970-01-01T00:00:00.000010Z',
      timeout: '-0.000010s',
    });
    expect(json(new ProtoTimestamp(0n, 1), { seconds: 315_576_000_000n, nanos: 999_999_999 })).toEqual({
      createdAt: '1970-01-01T00:00:00.000000001Z',
      timeout: '315576000000.999999999s',
    });
  });

  it('reads durations', () => {
    expect(sink.fromJson({ timeout: '-0.5s' }).timeout).toEqual({ seconds: 0n, nanos: -500_000_000 });
    expect(sink.fromJson({ timeout: '3.000000001s' }).timeout).toEqual({ seconds: 3n, nanos: 1 });
    for (const bad of ['1', '1.5 s', '1.1234567891s', '315576000001s', 5]) {
      expect(jsonError({ timeout: bad })).toMatch(/^kitchen\.v1\.KitchenSink\.timeout: expected a duration/);
    }
  });

  it('maps field masks to lowerCamelCase paths joined by commas', () => {
    expect(sink.fromJson({ updateMask: 'user.displayName,photo' }).updateMask).toEqual(['user.display_name', 'photo']);
    expect(sink.fromJson({ updateMask: '' }).updateMask).toEqual([]);
    expect(() => sink.toJson({ updateMask: ['Bad_Name'] })).toThrow(
      new TypeError(
        'kitchen.v1.KitchenSink.updateMask: cannot be shown in JSON: the field mask path "Bad_Name" has no lowerCamelCase form that reads back',
      ),
    );
  });

  it('reads null as "not set", and as NULL_VALUE for a google.protobuf.Value', () => {
    const decoded = sink.fromJson({
      anInt64: null,
      nested: null,
      wrappedInt32: null,
      tags: null,
      dynamic: null,
      contactNote: null,
      settings: { n: null },
    });
    expect(decoded).not.toHaveProperty('nested');
    expect(decoded).not.toHaveProperty('wrappedInt32');
    expect(decoded).toMatchObject({
      anInt64: 0n,
      tags: [],
      dynamic: null,
      contact: { case: 'contactNote', value: null },
      settings: { n: null },
    });
    expect(sink.fromJson({ choiceText: null, choiceNumber: '1' }).choice).toEqual({ case: 'choiceNumber', value: 1n });
  });

  it('puts Any payloads of well-known types under "value", and resolves types in its ProtoSet', () => {
    const extra = packAny(protos, 'google.protobuf.Duration', { seconds: 3n });
    expect(sink.toJson({ extra })).toEqual({ extra: { '@type': 'type.googleapis.com/google.protobuf.Duration', value: '3s' } });
    const read = (json: JsonValue): [unknown, number[]] => {
      const { typeUrl, value } = sink.fromJson(json).extra as { typeUrl: string; value: Uint8Array };
      return [typeUrl, [...value]];
    };
    expect(read(sink.toJson({ extra }))).toEqual([extra.typeUrl, [...extra.value]]);
    const order = packAny(protos, 'legacy.v1.Order', { id: 'o1' });
    expect(read({ extra: { '@type': 'type.googleapis.com/legacy.v1.Order', id: 'o1' } })).toEqual([order.typeUrl, [...order.value]]);
    expect(sink.toJson({ extra: { typeUrl: '', value: new Uint8Array(0) } })).toEqual({ extra: {} });
    const unknown = { typeUrl: 'type.googleapis.com/other.v1.Thing', value: new Uint8Array(0) };
    const message =
      'kitchen.v1.KitchenSink.extra: holds a message of type "other.v1.Thing" ("type.googleapis.com/other.v1.Thing"), which is not in the loaded protos; load the .proto file that defines it into this ProtoSet';
    expect(() => sink.toJson({ extra: unknown })).toThrow(new TypeError(message));
    expect(jsonError({ extra: { '@type': unknown.typeUrl } })).toBe(message);
  });

  it('maps the well-known types themselves as codecs of their own', () => {
    const timestamp = protos.codec<Plain>('google.protobuf.Timestamp');
    expect(timestamp.toJson({ seconds: 1n, nanos: 5_000_000 })).toBe('1970-01-01T00:00:01.005Z');
    expect(timestamp.fromJson('1970-01-01T00:00:01.005Z')).toEqual({ seconds: 1n, nanos: 5_000_000 });
    expect(protos.codec('google.protobuf.Empty').toJson({})).toEqual({});
    expect(protos.codec('google.protobuf.Int64Value').fromJson('12')).toEqual({ value: 12n });
  });

  it('keeps map keys as they are in plain objects: decimal integers and "true"/"false"', () => {
    const json = { namesByLong: { '-1': 'a', '007': 'b' }, countsByFlag: { false: 2 } };
    expect(sink.fromJson(json)).toMatchObject({ namesByLong: { '-1': 'a', '7': 'b' }, countsByFlag: { false: 2 } });
    expect(jsonError({ namesByLong: { '1': 'a', '01': 'b' } })).toBe(
      'kitchen.v1.KitchenSink.namesByLong["01"]: is given twice (as another spelling of the same key)',
    );
  });

  it.each([
    [{ nope: 1 }, /^kitchen\.v1\.KitchenSink: has no field "nope" \(fields: aDouble, aFloat, /],
    [{ renamed: 'a', customName: 'b' }, 'kitchen.v1.KitchenSink: sets field "customName" twice, as "renamed" and as "customName"'],
    [
      { choiceText: 'a', choiceNumber: 1 },
      'kitchen.v1.KitchenSink: sets "choiceText" and "choiceNumber", which belong to oneof "choice"; set at most one',
    ],
    [{ anInt32: 1.5 }, 'kitchen.v1.KitchenSink.anInt32: expected an int32, got number 1.5'],
    [{ anInt32: '1 ' }, 'kitchen.v1.KitchenSink.anInt32: expected an int32 (a JSON number or numeric string), got string "1 "'],
    [{ anInt64: '1.5' }, 'kitchen.v1.KitchenSink.anInt64: expected an int64 (a decimal string or an integer number), got string "1.5"'],
    [{ aFloat: 1e39 }, 'kitchen.v1.KitchenSink.aFloat: expected a float, got number 1e+39 (out of range)'],
    [{ aBool: 'true' }, 'kitchen.v1.KitchenSink.aBool: expected a boolean, got string "true"'],
    [{ color: 'PURPLE' }, /^kitchen\.v1\.KitchenSink\.color: expected a value of enum kitchen\.v1\.Color/],
    [{ tags: ['a', null] }, 'kitchen.v1.KitchenSink.tags[1]: a list item cannot be null'],
    [{ labels: { a: null } }, 'kitchen.v1.KitchenSink.labels["a"]: a map value cannot be null'],
    [
      { nested: { inner: { depth: 'deep' } } },
      'kitchen.v1.KitchenSink.nested.inner.depth: expected an int32 (a JSON number or numeric string), got string "deep"',
    ],
    [[], 'kitchen.v1.KitchenSink: expected a JSON object (a kitchen.v1.KitchenSink), got an array'],
  ])('refuses bad JSON with a TypeError naming the path: %o', (json, message) => {
    if (typeof message === 'string') expect(jsonError(json)).toBe(message);
    else expect(jsonError(json)).toMatch(message);
  });

  it('refuses in toJson what JSON cannot show, naming the path', () => {
    expect(() => sink.toJson({ details: { x: [Number.NaN] } })).toThrow(
      new TypeError('kitchen.v1.KitchenSink.details["x"][0]: cannot be shown in JSON: a google.protobuf.Value holding NaN'),
    );
    expect(() => protos.codec('google.protobuf.Timestamp').toJson({ seconds: 253_402_300_800n })).toThrow(
      /^google\.protobuf\.Timestamp: cannot be shown in JSON/,
    );
    expect(() => sink.toJson({ anInt64: 'x' })).toThrow(new TypeError('kitchen.v1.KitchenSink.anInt64: expected a bigint, got string "x"'));
  });

  it('gives 64-bit integers as strings in plain messages too with longs: "string"', () => {
    const strings = ProtoSet.load('kitchen_sink.proto', { includeDirs: [testSupport], longs: 'string' }).codec<Plain>(
      'kitchen.v1.KitchenSink',
    );
    expect(strings.fromJson({ anInt64: 5, wrappedUint64: '6' })).toMatchObject({ anInt64: '5', wrappedUint64: '6' });
    expect(strings.toJson({ anInt64: '-5' })).toEqual({ anInt64: '-5' });
  });

  it('reads and writes proto2 messages, required fields included', () => {
    const order = protos.codec<Plain>('legacy.v1.Order');
    expect(order.toJson({ id: 'o', quantity: 0, extra: { note: 'n' } })).toEqual({ id: 'o', quantity: 0, extra: { note: 'n' } });
    expect(() => order.fromJson({ quantity: 1 })).toThrow(new TypeError('legacy.v1.Order.id: is required, but not set'));
  });
});
