import { fileURLToPath } from 'node:url';
import { createFileRegistry, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FileDescriptorSetSchema, TimestampSchema } from '@bufbuild/protobuf/wkt';
import { describe, expect, it } from 'vitest';
import { anyTypeName, packAny, unpackAny } from './any-message.js';
import { durationFromMilliseconds, durationToMilliseconds } from './duration.js';
import { ProtoSet } from './proto-set.js';
import { ProtoTimestamp } from './proto-timestamp.js';

const testSupport = fileURLToPath(new URL('./test-support', import.meta.url));
const protos = ProtoSet.load('kitchen_sink.proto', { includeDirs: [testSupport] });

type Plain = Record<string, unknown>;
const sink = protos.codec<Plain>('kitchen.v1.KitchenSink');
const roundTrip = (value: Plain): Plain => sink.decode(sink.encode(value));
const encodeError = (value: Plain): string => {
  try {
    sink.encode(value);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('encode did not throw');
};
// The reference runtime, reading the same descriptors.
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, protos.toDescriptorSet()));
const theirSink = registry.getMessage('kitchen.v1.KitchenSink');
if (theirSink === undefined) throw new Error('kitchen.v1.KitchenSink is not in the descriptor set');

describe('google.protobuf.Timestamp as a Date', () => {
  it('decodes to a ProtoTimestamp, a Date that keeps the nanoseconds, and encodes it again exactly', () => {
    const wire = sink.encode({ createdAt: new ProtoTimestamp(1_700_000_000n, 123_456_789) });
    expect((fromBinary(theirSink, wire) as unknown as Plain).createdAt).toMatchObject({ seconds: 1_700_000_000n, nanos: 123_456_789 });
    const decoded = sink.decode(wire).createdAt as ProtoTimestamp;
    expect(decoded).toBeInstanceOf(Date);
    expect(decoded).toBeInstanceOf(ProtoTimestamp);
    expect(decoded.toISOString()).toBe('2023-11-14T22:13:20.123Z');
    expect(decoded.nanos).toBe(123_456_789);
    expect([...sink.encode({ createdAt: decoded })]).toEqual([...wire]);
  });

  it('encodes a timestamp the reference runtime wrote, byte for byte, after passing it through', () => {
    const theirs = toBinary(theirSink, fromBinary(theirSink, sink.encode({ history: [new Date(0)] })));
    const timestamp = toBinary(TimestampSchema, { $typeName: 'google.protobuf.Timestamp', seconds: -62_135_596_800n, nanos: 999_999_999 });
    const withEdge = new Uint8Array([...theirs, 0xca, 0x03, timestamp.length, ...timestamp]); // field 57 again
    const decoded = sink.decode(withEdge);
    expect((decoded.history as ProtoTimestamp[]).map((at) => [at.toISOString(), at.nanos])).toEqual([
      ['1970-01-01T00:00:00.000Z', 0],
      ['0001-01-01T00:00:00.999Z', 999_999_999],
    ]);
    expect([...sink.encode(decoded)]).toEqual([...withEdge]);
  });

  it('takes any Date, its nanoseconds from its milliseconds', () => {
    const decoded = roundTrip({ createdAt: new Date('2024-05-01T12:00:00.250Z'), history: [new Date(-1)] });
    expect((decoded.createdAt as ProtoTimestamp).nanos).toBe(250_000_000);
    expect(decoded.createdAt).toEqual(new Date('2024-05-01T12:00:00.250Z'));
    expect((decoded.history as ProtoTimestamp[])[0]?.nanos).toBe(999_000_000); // 1969-12-31T23:59:59.999Z
  });

  it('works in maps, oneofs and repeated fields, and leaves an unset field undefined', () => {
    const at = new ProtoTimestamp(5n, 6);
    const decoded = roundTrip({ history: [at, at], contact: { case: 'contactAfter', value: at } });
    expect((decoded.history as ProtoTimestamp[]).map((t) => t.nanos)).toEqual([6, 6]);
    expect(decoded.contact).toEqual({ case: 'contactAfter', value: at });
    expect(roundTrip({}).createdAt).toBeUndefined();
  });

  it.each([
    [new Date(Number.NaN), 'kitchen.v1.KitchenSink.createdAt: expected a valid Date, got an Invalid Date'],
    [
      new Date('+010000-01-01T00:00:00Z'),
      'kitchen.v1.KitchenSink.createdAt: expected a Date from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, got +010000-01-01T00:00:00.000Z',
    ],
    [
      new Date('0000-12-31T23:59:59.999Z'),
      'kitchen.v1.KitchenSink.createdAt: expected a Date from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z, got 0000-12-31T23:59:59.999Z',
    ],
    ['2024-05-01T12:00:00Z', 'kitchen.v1.KitchenSink.createdAt: expected a Date, got string "2024-05-01T12:00:00Z"'],
  ])('refuses %s with a TypeError naming the path', (createdAt, message) => {
    expect(encodeError({ createdAt })).toBe(message);
  });

  it('takes the extremes of the range', () => {
    const earliest = new Date('0001-01-01T00:00:00Z');
    const latest = new ProtoTimestamp(253_402_300_799n, 999_999_999);
    const decoded = roundTrip({ history: [earliest, latest] }).history as ProtoTimestamp[];
    expect(decoded.map((at) => [at.toISOString(), at.nanos])).toEqual([
      ['0001-01-01T00:00:00.000Z', 0],
      ['9999-12-31T23:59:59.999Z', 999_999_999],
    ]);
  });

  it('refuses to decode a timestamp outside the range, naming its exact seconds', () => {
    const far = toBinary(TimestampSchema, { $typeName: 'google.protobuf.Timestamp', seconds: 253_402_300_800n, nanos: 0 });
    expect(() => sink.decode(new Uint8Array([0xc2, 0x02, far.length, ...far]))).toThrow(
      /^cannot decode kitchen\.v1\.KitchenSink: a google\.protobuf\.Timestamp is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59\.999999999Z/,
    );
    const huge = toBinary(TimestampSchema, { $typeName: 'google.protobuf.Timestamp', seconds: 2n ** 62n, nanos: 0 });
    expect(() => sink.decode(new Uint8Array([0xc2, 0x02, huge.length, ...huge]))).toThrow('(seconds 4611686018427387904, nanos 0)');
  });

  it('ProtoTimestamp checks its parts and keeps the digits below the millisecond through Date setters', () => {
    expect(() => new ProtoTimestamp(0n, 1_000_000_000)).toThrow(RangeError);
    expect(() => new ProtoTimestamp(0n, -1)).toThrow(RangeError);
    expect(() => new ProtoTimestamp(253_402_300_800n)).toThrow(RangeError);
    const at = new ProtoTimestamp(10n, 123_456_789);
    at.setUTCMilliseconds(7);
    expect([at.getTime(), at.nanos]).toEqual([10_007, 7_456_789]);
    expect(new ProtoTimestamp(-1n, 1).nanos).toBe(1);
  });
});

describe('google.protobuf.Duration as { seconds, nanos }', () => {
  it('round-trips the message form', () => {
    expect(roundTrip({ timeout: { seconds: -315_576_000_000n, nanos: -999_999_999 } }).timeout).toEqual({
      seconds: -315_576_000_000n,
      nanos: -999_999_999,
    });
    expect(roundTrip({ timeout: {} }).timeout).toEqual({ seconds: 0n, nanos: 0 });
  });

  it.each([
    [{ seconds: 1n, nanos: -1 }, 'seconds and nanos must have the same sign'],
    [{ seconds: 0n, nanos: 1_000_000_000 }, 'nanos must be within ±999999999'],
    [{ seconds: 315_576_000_001n, nanos: 0 }, 'seconds must be within ±315576000000'],
    [{ seconds: -(2n ** 62n), nanos: 0 }, 'seconds must be within ±315576000000'],
  ])('refuses %o', (timeout, problem) => {
    expect(encodeError({ timeout })).toBe(`kitchen.v1.KitchenSink.timeout: is not a valid google.protobuf.Duration: ${problem}`);
  });

  it('converts from and to milliseconds', () => {
    expect(durationFromMilliseconds(1500)).toEqual({ seconds: 1n, nanos: 500_000_000 });
    expect(durationFromMilliseconds(-1500)).toEqual({ seconds: -1n, nanos: -500_000_000 });
    expect(durationFromMilliseconds(0.000001)).toEqual({ seconds: 0n, nanos: 1 });
    expect(durationFromMilliseconds(-0)).toEqual({ seconds: 0n, nanos: 0 });
    expect(durationFromMilliseconds(999.9999999)).toEqual({ seconds: 1n, nanos: 0 });
    expect(durationToMilliseconds({ seconds: -1n, nanos: -500_000_000 })).toBe(-1500);
    expect(durationToMilliseconds({ seconds: '2', nanos: 1_000_000 })).toBe(2001);
    expect(durationToMilliseconds(durationFromMilliseconds(86_400_000.25))).toBe(86_400_000.25);
    expect(() => durationFromMilliseconds(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => durationFromMilliseconds(315_576_000_001_000)).toThrow(RangeError);
  });
});

describe('wrappers as the wrapped scalar', () => {
  const all = {
    wrappedDouble: 1.5,
    wrappedFloat: 0.25,
    wrappedInt64: -(2n ** 63n),
    wrappedUint64: 2n ** 64n - 1n,
    wrappedInt32: -2,
    wrappedUint32: 4_294_967_295,
    wrappedBool: true,
    wrappedString: 'héllo',
  };

  it('round-trips every wrapper, undefined when unset', () => {
    expect(roundTrip(all)).toMatchObject(all);
    expect([...(roundTrip({ wrappedBytes: new Uint8Array([1, 2]) }).wrappedBytes as Uint8Array)]).toEqual([1, 2]);
    const unset = roundTrip({});
    for (const key of [...Object.keys(all), 'wrappedBytes']) expect(unset).not.toHaveProperty(key);
  });

  it('tells a wrapper set to its zero value from an unset one', () => {
    const zeros = {
      wrappedDouble: 0,
      wrappedInt64: 0n,
      wrappedUint32: 0,
      wrappedBool: false,
      wrappedString: '',
      wrappedBytes: new Uint8Array(0),
    };
    const bytes = sink.encode(zeros);
    expect(bytes).toHaveLength(6 * 3); // each an empty message: two tag bytes and a zero length
    expect(sink.decode(bytes)).toMatchObject(zeros);
  });

  it('maps repeated wrappers to their scalars', () => {
    expect(roundTrip({ wrappedList: [0, -1, 7] }).wrappedList).toEqual([0, -1, 7]);
  });

  it('checks the value as the scalar it wraps', () => {
    expect(encodeError({ wrappedInt64: 1.5 })).toBe(
      'kitchen.v1.KitchenSink.wrappedInt64: expected a bigint, got number 1.5 (numbers must be safe integers)',
    );
    expect(encodeError({ wrappedList: [1, 'x'] })).toBe('kitchen.v1.KitchenSink.wrappedList[1]: expected an int32, got string "x"');
  });
});

describe('Struct, Value and ListValue as JSON values', () => {
  it('round-trips nested JSON', () => {
    const details = {
      name: 'x',
      count: 2,
      ratio: -0.5,
      ok: false,
      none: null,
      list: [1, 'a', [], {}, [null]],
      nested: { deep: { deeper: true } },
    };
    const decoded = roundTrip({ details, items: [1, null, { a: 'b' }], settings: { k: [true] } });
    expect(decoded.details).toEqual(details);
    expect(decoded.items).toEqual([1, null, { a: 'b' }]);
    expect(decoded.settings).toEqual({ k: [true] });
  });

  it('tells a Value set to null from an unset one', () => {
    expect(roundTrip({ dynamic: null })).toHaveProperty('dynamic', null);
    expect(roundTrip({})).not.toHaveProperty('dynamic');
    for (const dynamic of [0, '', false, [], {}]) expect(roundTrip({ dynamic }).dynamic).toEqual(dynamic);
  });

  it('leaves out properties set to undefined, as JSON.stringify does', () => {
    expect(roundTrip({ details: { a: undefined, b: 1 } }).details).toEqual({ b: 1 });
  });

  it('keeps a "__proto__" key as data', () => {
    const details = JSON.parse('{"__proto__": {"x": 1}}') as Plain;
    const decoded = roundTrip({ details }).details as Plain;
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });

  it.each([
    [
      { details: { a: 1n } },
      'kitchen.v1.KitchenSink.details["a"]: expected a JSON value (null, a boolean, a number, a string, an array or a plain object), got bigint 1n',
    ],
    [
      { details: { a: [1, new Date(0)] } },
      'kitchen.v1.KitchenSink.details["a"][1]: expected a JSON value (null, a boolean, a number, a string, an array or a plain object), got an object (Date)',
    ],
    [
      { items: [undefined] },
      'kitchen.v1.KitchenSink.items[0]: expected a JSON value (null, a boolean, a number, a string, an array or a plain object), got undefined',
    ],
    [{ details: [] }, 'kitchen.v1.KitchenSink.details: expected a plain object (a JSON object), got an array'],
    [{ items: {} }, 'kitchen.v1.KitchenSink.items: expected an array (a JSON array), got an object'],
  ])('refuses what is not JSON, naming the path: %o', (value, message) => {
    expect(encodeError(value)).toBe(message);
  });

  it('refuses a cycle', () => {
    const cyclic: Plain = {};
    cyclic.self = cyclic;
    expect(encodeError({ details: cyclic })).toMatch(
      /^kitchen\.v1\.KitchenSink\.details(\["self"\])+: is nested more than 100 levels deep/,
    );
  });
});

describe('FieldMask, Empty and Any', () => {
  it('maps a FieldMask to its paths', () => {
    expect(roundTrip({ updateMask: ['user.display_name', 'photo'] }).updateMask).toEqual(['user.display_name', 'photo']);
    expect(roundTrip({ updateMask: [] }).updateMask).toEqual([]);
    expect(encodeError({ updateMask: ['a', 1] })).toBe('kitchen.v1.KitchenSink.updateMask[1]: expected a string, got number 1');
  });

  it('maps Empty to {}, present when set', () => {
    expect(roundTrip({ nothing: {} }).nothing).toEqual({});
    expect(roundTrip({})).not.toHaveProperty('nothing');
  });

  it('packs and unpacks a message in an Any', () => {
    const extra = packAny(protos, 'kitchen.v1.PhoneNumber', { number: '+1 555' });
    expect(extra.typeUrl).toBe('type.googleapis.com/kitchen.v1.PhoneNumber');
    const decoded = roundTrip({ extra }).extra as { typeUrl: string; value: Uint8Array };
    expect(anyTypeName(decoded)).toBe('kitchen.v1.PhoneNumber');
    expect(unpackAny(protos, decoded)).toEqual({ number: '+1 555' });
    expect(unpackAny(protos, { typeUrl: 'example.com/x/kitchen.v1.PhoneNumber', value: new Uint8Array(0) })).toEqual({ number: '' });
  });

  it('packs and unpacks with a codec, which checks that the Any holds its type', () => {
    const phones = protos.codec<{ number: string }>('kitchen.v1.PhoneNumber');
    const extra = packAny(phones, { number: '+1 555' });
    expect(extra.typeUrl).toBe('type.googleapis.com/kitchen.v1.PhoneNumber');
    expect(extra.value).toEqual(packAny(protos, 'kitchen.v1.PhoneNumber', { number: '+1 555' }).value);
    const decoded = roundTrip({ extra }).extra as { typeUrl: string; value: Uint8Array };
    expect(unpackAny(phones, decoded)).toEqual({ number: '+1 555' });
    expect(unpackAny(phones, { typeUrl: 'example.com/x/kitchen.v1.PhoneNumber', value: new Uint8Array(0) })).toEqual({ number: '' });

    const duration = packAny(protos.codec('google.protobuf.Duration'), durationFromMilliseconds(1500));
    expect(() => unpackAny(phones, duration)).toThrow(
      new Error(
        'cannot unpack a google.protobuf.Any holding "google.protobuf.Duration" (type URL "type.googleapis.com/google.protobuf.Duration") as kitchen.v1.PhoneNumber; check anyTypeName(any) before unpacking',
      ),
    );
    // From untyped code, the encoder still checks the message.
    expect(() => packAny(phones, { number: 5 } as never)).toThrow(
      new TypeError('kitchen.v1.PhoneNumber.number: expected a string, got number 5'),
    );
  });

  it('packs well-known types in their message form', () => {
    const packed = packAny(protos, '.google.protobuf.Duration', durationFromMilliseconds(1500));
    expect(packed.typeUrl).toBe('type.googleapis.com/google.protobuf.Duration');
    expect(unpackAny(protos, packed)).toEqual({ seconds: 1n, nanos: 500_000_000 });
  });

  it('names the type and the fix when it is not loaded', () => {
    expect(() => unpackAny(protos, { typeUrl: 'type.googleapis.com/other.v1.Thing', value: new Uint8Array(0) })).toThrow(
      'cannot unpack a google.protobuf.Any holding "other.v1.Thing" (type URL "type.googleapis.com/other.v1.Thing"): that message type is not in the loaded protos; load the .proto file that defines it into the ProtoSet given to unpackAny',
    );
    expect(() => packAny(protos, 'other.v1.Thing', {})).toThrow(
      /^message type "other\.v1\.Thing" is not in the loaded protos; load the \.proto file/,
    );
    expect(() => packAny(protos, 'kitchen.v1.PhoneNumber', { number: 5 })).toThrow(
      new TypeError('kitchen.v1.PhoneNumber.number: expected a string, got number 5'),
    );
  });
});

describe('64-bit integers as strings (longs: "string")', () => {
  const strings = ProtoSet.load('kitchen_sink.proto', { includeDirs: [testSupport], longs: 'string' });
  const codec = strings.codec<Plain>('kitchen.v1.KitchenSink');
  const through = (value: Plain): Plain => codec.decode(codec.encode(value));

  it('decodes every 64-bit field as decimal digits, exact over the whole range', () => {
    const value = {
      anInt64: '-9223372036854775808',
      aUint64: '18446744073709551615',
      aSint64: '-1',
      aFixed64: '9007199254740993',
      anSfixed64: '0',
      packedLongs: ['1', '-2'],
      totals: { t: '5' },
      maybeUint64: '0',
      wrappedInt64: '-7',
      choice: { case: 'choiceNumber', value: '12' },
      timeout: { seconds: '-3', nanos: -1 },
    };
    expect(through(value)).toMatchObject(value);
    expect(codec.decode(new Uint8Array(0))).toMatchObject({ anInt64: '0', aUint64: '0' });
  });

  it('takes decimal strings, bigints and safe integers, and the same bytes come out as with bigints', () => {
    const bigints = protos.codec<Plain>('kitchen.v1.KitchenSink');
    expect([...codec.encode({ anInt64: '-42', aUint64: 2n ** 63n, aSint64: 7 })]).toEqual([
      ...bigints.encode({ anInt64: -42n, aUint64: 2n ** 63n, aSint64: 7n }),
    ]);
  });

  it.each([
    [{ anInt64: '1.5' }, 'kitchen.v1.KitchenSink.anInt64: expected a string of decimal digits, got string "1.5"'],
    [{ anInt64: '0x10' }, 'kitchen.v1.KitchenSink.anInt64: expected a string of decimal digits, got string "0x10"'],
    [{ anInt64: ' 1' }, 'kitchen.v1.KitchenSink.anInt64: expected a string of decimal digits, got string " 1"'],
    [
      { anInt64: 2 ** 60 },
      'kitchen.v1.KitchenSink.anInt64: expected a string of decimal digits, got number 1152921504606847000 (numbers must be safe integers)',
    ],
    [{ aUint64: '-1' }, 'kitchen.v1.KitchenSink.aUint64: expected a decimal string from 0 to 2^64-1, got string "-1" (out of range)'],
    [
      { anInt64: '9223372036854775808' },
      'kitchen.v1.KitchenSink.anInt64: expected a decimal string from -2^63 to 2^63-1, got string "9223372036854775808" (out of range)',
    ],
  ])('refuses what is not a 64-bit integer, never rounding: %o', (value, message) => {
    expect(() => codec.encode(value)).toThrow(new TypeError(message));
  });

  it('is kept by a ProtoSet loaded from a descriptor set', () => {
    const loaded = ProtoSet.fromDescriptorSet(protos.toDescriptorSet(), { longs: 'string' });
    expect(
      loaded.codec<Plain>('kitchen.v1.UploadSummary').decode(protos.codec('kitchen.v1.UploadSummary').encode({ totalBytes: 3n })),
    ).toEqual({
      count: 0,
      totalBytes: '3',
    });
  });
});
