import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeFileDescriptorSet } from './descriptor-objects.js';
import { ProtoSet } from './proto-set.js';

const testSupport = fileURLToPath(new URL('./test-support', import.meta.url));
const protos = ProtoSet.load(['kitchen_sink.proto', 'legacy.proto'], { includeDirs: [testSupport] });

type Plain = Record<string, unknown>;
const sink = protos.codec<Plain>('kitchen.v1.KitchenSink');
const tree = protos.codec<Plain>('kitchen.v1.TreeNode');
const order = protos.codec<Plain>('legacy.v1.Order');

const roundTrip = (value: Plain): Plain => sink.decode(sink.encode(value));
const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
/** Buffers (what decoding gives) compared as the Uint8Arrays they are. */
const asBytes = (value: unknown): number[] => [...(value as Uint8Array)];
const encodeError = (value: unknown): string => {
  try {
    sink.encode(value as Plain);
  } catch (error: unknown) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as Error).message;
  }
  throw new Error('encode did not throw');
};

describe('MessageCodec: scalars', () => {
  it('decodes an empty message to every proto3 default, and leaves fields with presence out', () => {
    const decoded = sink.decode(new Uint8Array(0));
    expect(decoded).toEqual({
      aDouble: 0,
      aFloat: 0,
      anInt32: 0,
      anInt64: 0n,
      aUint32: 0,
      aUint64: 0n,
      aSint32: 0,
      aSint64: 0n,
      aFixed32: 0,
      aFixed64: 0n,
      anSfixed32: 0,
      anSfixed64: 0n,
      aBool: false,
      aString: '',
      aBytes: new Uint8Array(0),
      color: 'COLOR_UNSPECIFIED',
      mood: 'MOOD_UNSPECIFIED',
      packedInts: [],
      unpackedInts: [],
      packedLongs: [],
      tags: [],
      nestedList: [],
      colors: [],
      blobs: [],
      labels: {},
      nestedById: {},
      namesByLong: {},
      colorsByUlong: {},
      countsByFlag: {},
      totals: {},
      history: [],
      settings: {},
      wrappedList: [],
      renamed: '',
    });
    for (const key of ['nested', 'choice', 'maybeInt32', 'maybeColor', 'createdAt', 'wrappedInt32', 'dynamic', 'contact']) {
      expect(key in decoded).toBe(false);
    }
    expect(decoded.aBytes).toBeInstanceOf(Uint8Array);
  });

  it('treats a missing field as its default and leaves zero values of plain proto3 scalars off the wire', () => {
    expect(sink.encode({})).toHaveLength(0);
    expect(sink.encode({ anInt32: 0, anInt64: 0n, aString: '', aBool: false, aBytes: bytes(), color: 'COLOR_UNSPECIFIED' })).toHaveLength(
      0,
    );
    expect(sink.encode({ anInt32: undefined, aString: null })).toHaveLength(0);
  });

  it('round-trips every scalar type', () => {
    const value = {
      aDouble: 1.5,
      aFloat: 0.25,
      anInt32: -123,
      aUint32: 4294967295,
      aSint32: -2147483648,
      aFixed32: 4294967295,
      anSfixed32: -7,
      aBool: true,
      aString: 'héllo ✓',
      aBytes: bytes(0, 1, 255),
    };
    const decoded = roundTrip(value);
    expect({ ...decoded, aBytes: asBytes(decoded.aBytes) }).toMatchObject({ ...value, aBytes: [0, 1, 255] });
  });

  it('keeps 64-bit integers exact as bigints over their whole range', () => {
    const extremes = {
      anInt64: -(2n ** 63n),
      aUint64: 2n ** 64n - 1n,
      aSint64: -(2n ** 63n),
      aFixed64: 2n ** 64n - 1n,
      anSfixed64: 2n ** 63n - 1n,
      packedLongs: [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 2n ** 53n + 1n],
    };
    expect(roundTrip(extremes)).toMatchObject(extremes);
    expect(roundTrip({ anInt64: 2n ** 53n + 1n, aUint64: 2n ** 63n }).anInt64).toBe(2n ** 53n + 1n);
  });

  it('accepts safe-integer numbers for 64-bit fields and decodes them as bigints', () => {
    expect(roundTrip({ anInt64: -42, aUint64: Number.MAX_SAFE_INTEGER })).toMatchObject({
      anInt64: -42n,
      aUint64: BigInt(Number.MAX_SAFE_INTEGER),
    });
  });

  it('round-trips NaN, infinities and negative zero', () => {
    const decoded = roundTrip({ aDouble: Number.NaN, aFloat: Number.NEGATIVE_INFINITY });
    expect(decoded.aDouble).toBeNaN();
    expect(decoded.aFloat).toBe(Number.NEGATIVE_INFINITY);
    expect(roundTrip({ aDouble: Number.POSITIVE_INFINITY }).aDouble).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(roundTrip({ aDouble: -0 }).aDouble, -0)).toBe(true);
  });

  it('accepts a Buffer for bytes', () => {
    expect(asBytes(roundTrip({ aBytes: Buffer.from('hi') }).aBytes)).toEqual([104, 105]);
  });
});

describe('MessageCodec: enums', () => {
  it('maps enum values to their names and accepts names or numbers', () => {
    expect(roundTrip({ color: 'COLOR_RED', mood: 2, colors: ['COLOR_GREEN', 1] })).toMatchObject({
      color: 'COLOR_RED',
      mood: 'MOOD_GRUMPY',
      colors: ['COLOR_GREEN', 'COLOR_RED'],
    });
  });

  it('keeps an enum number without a name (from a newer peer) as the number', () => {
    expect(roundTrip({ color: 42, colors: [1, 99], colorsByUlong: { '7': 1234 } })).toMatchObject({
      color: 42,
      colors: ['COLOR_RED', 99],
      colorsByUlong: { '7': 1234 },
    });
  });
});

describe('MessageCodec: messages and presence', () => {
  it('tells an empty message from an absent one', () => {
    const empty = sink.encode({ nested: {} });
    expect([...empty]).toEqual([0x8a, 0x01, 0x00]); // field 17, length 0
    expect(sink.decode(empty).nested).toEqual({ note: '' });
    expect(sink.decode(sink.encode({})).nested).toBeUndefined();
  });

  it('round-trips nested and recursive messages', () => {
    const value = { nested: { note: 'n', inner: { depth: 3 } }, nestedList: [{ note: 'a' }, {}] };
    expect(roundTrip(value)).toMatchObject({ nested: { note: 'n', inner: { depth: 3 } }, nestedList: [{ note: 'a' }, { note: '' }] });
    const node = { label: 'root', children: [{ label: 'child', children: [{ label: 'leaf', children: [] }] }] };
    expect(tree.decode(tree.encode(node))).toEqual(node);
  });

  it('sends proto3 optional scalars set to zero and decodes them back, undefined when not set', () => {
    const zeros = { maybeInt32: 0, maybeString: '', maybeColor: 'COLOR_UNSPECIFIED', maybeUint64: 0n, maybeBool: false };
    expect(sink.encode(zeros).length).toBeGreaterThan(0);
    expect(roundTrip(zeros)).toMatchObject(zeros);
    expect(roundTrip({}).maybeInt32).toBeUndefined();
  });

  it('ignores properties that are not fields', () => {
    expect(sink.encode({ notAField: 'x', anInt32: 1 })).toEqual(sink.encode({ anInt32: 1 }));
  });
});

describe('MessageCodec: repeated fields and maps', () => {
  it('writes packed and unpacked as declared, and reads either form', () => {
    expect([...sink.encode({ packedInts: [1, 2] })]).toEqual([0x9a, 0x01, 0x02, 0x01, 0x02]);
    expect([...sink.encode({ unpackedInts: [3, 4] })]).toEqual([0xa0, 0x01, 0x03, 0xa0, 0x01, 0x04]);
    const otherForms = bytes(0x98, 0x01, 0x01, 0x98, 0x01, 0x02, 0xa2, 0x01, 0x02, 0x03, 0x04);
    expect(sink.decode(otherForms)).toMatchObject({ packedInts: [1, 2], unpackedInts: [3, 4] });
  });

  it('round-trips repeated strings, messages and bytes', () => {
    const decoded = roundTrip({ tags: ['a', 'b'], nestedList: [{ note: 'x' }], blobs: [bytes(1), bytes()] });
    expect(decoded).toMatchObject({ tags: ['a', 'b'], nestedList: [{ note: 'x' }] });
    expect((decoded.blobs as Uint8Array[]).map(asBytes)).toEqual([[1], []]);
  });

  it('maps maps to plain objects, integer keys in decimal', () => {
    const value = {
      labels: { a: 'b', '': 'empty key' },
      nestedById: { '-5': { note: 'n' }, '2147483647': {} },
      namesByLong: { '-9223372036854775808': 'min', '9223372036854775807': 'max', '0': 'zero' },
      colorsByUlong: { '18446744073709551615': 'COLOR_RED' },
      countsByFlag: { true: 1, false: 2 },
      totals: { x: 2n ** 62n },
    };
    expect(roundTrip(value)).toEqual(
      expect.objectContaining({ ...value, nestedById: { '-5': { note: 'n' }, '2147483647': { note: '' } } }),
    );
  });

  it('keeps a "__proto__" map key as data without touching the prototype', () => {
    const labels = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, string>;
    const decoded = roundTrip({ labels }).labels as Record<string, string>;
    expect(Object.keys(decoded)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
  });
});

describe('MessageCodec: oneofs', () => {
  it('maps a oneof to one property holding { case, value }, named after the oneof', () => {
    expect(roundTrip({ choice: { case: 'choiceNumber', value: -1n } }).choice).toEqual({ case: 'choiceNumber', value: -1n });
    expect(roundTrip({ choice: { case: 'choiceNested', value: {} } }).choice).toEqual({ case: 'choiceNested', value: { note: '' } });
    const decoded = roundTrip({ choice: { case: 'choiceText', value: 't' }, contact: { case: 'phone', value: { number: '1' } } });
    expect([decoded.choice, decoded.contact]).toEqual([
      { case: 'choiceText', value: 't' },
      { case: 'phone', value: { number: '1' } },
    ]);
    for (const key of ['choiceText', 'choiceNumber', 'email', 'phone']) expect(key in decoded).toBe(false);
  });

  it('sends a member set to its zero value, and leaves the oneof undefined when none is set', () => {
    expect([...sink.encode({ choice: { case: 'choiceText', value: '' } })]).toEqual([0x82, 0x02, 0x00]); // field 32, length 0
    expect(roundTrip({ choice: { case: 'choiceNumber', value: 0n } }).choice).toEqual({ case: 'choiceNumber', value: 0n });
    expect(roundTrip({ choice: undefined, contact: null })).not.toHaveProperty('choice');
  });

  it('maps members of well-known types in their own forms: a Date, a JSON value (null included)', () => {
    const at = new Date('2024-05-01T12:00:00.250Z');
    expect(roundTrip({ contact: { case: 'contactAfter', value: at } }).contact).toEqual({ case: 'contactAfter', value: at });
    expect(roundTrip({ contact: { case: 'contactNote', value: null } }).contact).toEqual({ case: 'contactNote', value: null });
    expect(roundTrip({ contact: { case: 'contactNote', value: { a: [1] } } }).contact).toEqual({ case: 'contactNote', value: { a: [1] } });
  });

  it.each([
    [
      { choice: { case: 'nope', value: 1 } },
      "kitchen.v1.KitchenSink.choice: unknown case string \"nope\" of oneof choice; expected one of 'choiceText', 'choiceNumber', 'choiceNested'",
    ],
    [
      { choice: { value: 1 } },
      "kitchen.v1.KitchenSink.choice: unknown case undefined of oneof choice; expected one of 'choiceText', 'choiceNumber', 'choiceNested'",
    ],
    [{ choice: { case: 'choiceText', value: 5 } }, 'kitchen.v1.KitchenSink.choice.value: expected a string, got number 5'],
    [{ choice: { case: 'choiceNumber' } }, "kitchen.v1.KitchenSink.choice.value: is missing: case 'choiceNumber' needs a value"],
    [{ contact: { case: 'phone', value: { number: 1 } } }, 'kitchen.v1.KitchenSink.contact.value.number: expected a string, got number 1'],
    [{ choice: 'choiceText' }, 'kitchen.v1.KitchenSink.choice: expected an object { case, value } (oneof choice), got string "choiceText"'],
  ])('refuses a wrong oneof value with a TypeError naming the path: %j', (value, message) => {
    expect(encodeError(value)).toBe(message);
  });

  it('ignores the members set as properties of their own, as any property that is not a field', () => {
    expect(sink.encode({ choiceText: 'a', choiceNumber: 1n })).toHaveLength(0);
  });

  it('keeps the last member when the wire carries two', () => {
    const text = sink.encode({ choice: { case: 'choiceText', value: 'a' } });
    const number = sink.encode({ choice: { case: 'choiceNumber', value: 7n } });
    expect(sink.decode(Buffer.concat([text, number])).choice).toEqual({ case: 'choiceNumber', value: 7n });
    expect(sink.decode(Buffer.concat([number, text])).choice).toEqual({ case: 'choiceText', value: 'a' });
  });
});

describe('MessageCodec: errors', () => {
  it.each([
    ['kitchen.v1.KitchenSink.anInt64: expected a bigint, got string "12"', { anInt64: '12' }],
    ['kitchen.v1.KitchenSink.anInt64: expected a bigint, got number 1.5 (numbers must be safe integers)', { anInt64: 1.5 }],
    [
      'kitchen.v1.KitchenSink.anInt64: expected a bigint from -2^63 to 2^63-1, got bigint 9223372036854775808n (out of range)',
      { anInt64: 2n ** 63n },
    ],
    ['kitchen.v1.KitchenSink.aUint64: expected a bigint from 0 to 2^64-1, got bigint -1n (out of range)', { aUint64: -1n }],
    ['kitchen.v1.KitchenSink.aUint64: expected a bigint, got number -1 (numbers must be safe integers)', { aUint64: -1 }],
    ['kitchen.v1.KitchenSink.anInt32: expected an int32, got number 1.5', { anInt32: 1.5 }],
    ['kitchen.v1.KitchenSink.anInt32: expected an int32, got number 2147483648 (out of range)', { anInt32: 2 ** 31 }],
    ['kitchen.v1.KitchenSink.aUint32: expected a uint32, got number -1 (out of range)', { aUint32: -1 }],
    ['kitchen.v1.KitchenSink.aDouble: expected a number, got string "1"', { aDouble: '1' }],
    ['kitchen.v1.KitchenSink.aBool: expected a boolean, got number 1', { aBool: 1 }],
    ['kitchen.v1.KitchenSink.aString: expected a string, got number 5', { aString: 5 }],
    ['kitchen.v1.KitchenSink.aBytes: expected a Uint8Array, got string "AAE="', { aBytes: 'AAE=' }],
    [
      'kitchen.v1.KitchenSink.color: expected a value of enum kitchen.v1.Color (COLOR_UNSPECIFIED, COLOR_RED, COLOR_GREEN), got string "PURPLE"',
      { color: 'PURPLE' },
    ],
    ['kitchen.v1.KitchenSink.nested: expected an object (a kitchen.v1.KitchenSink.Nested), got string "x"', { nested: 'x' }],
    ['kitchen.v1.KitchenSink.nested.inner.depth: expected an int32, got string "1"', { nested: { inner: { depth: '1' } } }],
    ['kitchen.v1.KitchenSink.tags: expected an array, got string "a"', { tags: 'a' }],
    ['kitchen.v1.KitchenSink.nestedList[1].note: expected a string, got number 1', { nestedList: [{}, { note: 1 }] }],
    ['kitchen.v1.KitchenSink.labels: expected a plain object (a map), got an array', { labels: [] }],
    ['kitchen.v1.KitchenSink.labels: expected a plain object (a map), got an object (Map)', { labels: new Map() }],
    ['kitchen.v1.KitchenSink.labels["k"]: expected a string, got number 1', { labels: { k: 1 } }],
    [
      'kitchen.v1.KitchenSink.nestedById["x"]: expected an int32 map key (an integer in decimal), got string "x"',
      { nestedById: { x: {} } },
    ],
    [
      'kitchen.v1.KitchenSink.namesByLong["9223372036854775808"]: expected an int64 map key (an integer in decimal), got string "9223372036854775808"',
      { namesByLong: { '9223372036854775808': 'x' } },
    ],
    [
      'kitchen.v1.KitchenSink.countsByFlag["yes"]: expected a bool map key ("true" or "false"), got string "yes"',
      { countsByFlag: { yes: 1 } },
    ],
    ['kitchen.v1.KitchenSink.createdAt: expected a Date, got an object', { createdAt: { seconds: 1, nanos: 1 } }],
    ['kitchen.v1.KitchenSink.timeout.nanos: expected an int32, got bigint 1n', { timeout: { seconds: 1n, nanos: 1n } }],
  ])('throws a TypeError with the field path: %s', (message, value) => {
    expect(encodeError(value)).toBe(message);
  });

  it('refuses a value that is not an object', () => {
    expect(encodeError(null)).toBe('kitchen.v1.KitchenSink: expected an object (a kitchen.v1.KitchenSink), got null');
    expect(encodeError([1])).toBe('kitchen.v1.KitchenSink: expected an object (a kitchen.v1.KitchenSink), got an array');
  });

  it('wraps the decoder error for malformed bytes with the type name', () => {
    expect(() => sink.decode(bytes(0xff, 0xff))).toThrow(/^cannot decode kitchen\.v1\.KitchenSink: /);
    expect(() => sink.decode(bytes(0x0a, 0x05, 0x01))).toThrow(/^cannot decode kitchen\.v1\.KitchenSink: index out of range/);
  });

  it('refuses a string that runs past the end, from a Buffer as from a Uint8Array', () => {
    // protobufjs's own Buffer reader would cut the string short and decode a wrong message.
    for (const input of [Buffer.from([0x72, 0x05, 0x61]), bytes(0x72, 0x05, 0x61)]) {
      expect(() => sink.decode(input)).toThrow('cannot decode kitchen.v1.KitchenSink: index out of range: 2 + 5 > 3');
    }
    expect(sink.decode(Buffer.from([0x72, 0x01, 0x61])).aString).toBe('a');
  });
});

describe('MessageCodec: proto2', () => {
  it('gives fields with presence as undefined when unset, whatever their declared default', () => {
    const decoded = order.decode(order.encode({ id: 'o1' }));
    expect(decoded).toEqual({ id: 'o1', codes: [], loose: [] });
  });

  it('round-trips groups, packed proto2 fields and defaults set explicitly', () => {
    const value = { id: 'o2', quantity: 1, ratio: 0, codes: [1, 2], loose: [3], kind: 'KIND_A', extra: { note: 'n' }, label: '' };
    expect(order.decode(order.encode(value))).toEqual(value);
  });

  it('refuses to encode a message without its required fields', () => {
    expect(() => order.encode({})).toThrow(new TypeError('legacy.v1.Order.id: is required, but not set'));
    expect(() => order.decode(new Uint8Array(0))).toThrow(/^cannot decode legacy\.v1\.Order: missing required 'id'/);
  });
});

describe('MessageCodec: use', () => {
  it('is built once per type and works when its methods are passed around unbound', () => {
    expect(protos.codec('kitchen.v1.KitchenSink')).toBe(sink);
    const { encode, decode } = sink;
    expect(decode(encode({ aString: 'x' })).aString).toBe('x');
    expect(sink.typeName).toBe('kitchen.v1.KitchenSink');
  });
});

describe('MessageCodec: unusual field names', () => {
  it('reads a property named like one every object inherits only when it is set', () => {
    const file = {
      name: 'names.proto',
      package: 'names',
      syntax: 'proto3',
      messageType: [
        {
          name: 'Odd',
          field: [
            { name: 'to_string', number: 1, label: 'LABEL_OPTIONAL' as const, type: 'TYPE_STRING', jsonName: 'toString' },
            { name: 'x-y', number: 2, label: 'LABEL_OPTIONAL' as const, type: 'TYPE_INT32', jsonName: 'x-y' },
          ],
        },
      ],
    };
    const odd = ProtoSet.fromDescriptorSet(encodeFileDescriptorSet({ file: [file] })).codec<Plain>('names.Odd');
    expect(odd.encode({})).toHaveLength(0);
    // A name that cannot be written into generated code takes the interpreted path, with the same results.
    expect(odd.decode(odd.encode({ toString: 's', 'x-y': 3 }))).toEqual({ toString: 's', 'x-y': 3 });
    expect(() => odd.encode({ 'x-y': 'three' })).toThrow(new TypeError('names.Odd.x-y: expected an int32, got string "three"'));
  });
});

describe('reading values written under a compatible older type', () => {
  it('reads a 64-bit varint whose low 32 bits are zero as bool true, as other runtimes do', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'wirekit-bool-'));
    try {
      writeFileSync(join(dir, 'wide.proto'), 'syntax = "proto3";\npackage p;\nmessage M { int64 v = 1; string s = 2; }\n');
      writeFileSync(join(dir, 'narrow.proto'), 'syntax = "proto3";\npackage q;\nmessage M { bool v = 1; string s = 2; }\n');
      const wide = ProtoSet.load('wide.proto', { includeDirs: [dir] }).codec<{ v: bigint; s: string }>('p.M');
      const narrow = ProtoSet.load('narrow.proto', { includeDirs: [dir] }).codec<{ v: boolean; s: string }>('q.M');
      for (const v of [2n ** 32n, 2n ** 40n, -(2n ** 32n), 1n]) {
        expect(narrow.decode(wide.encode({ v, s: 'after' }))).toEqual({ v: true, s: 'after' });
      }
      expect(narrow.decode(wide.encode({ v: 0n, s: 'after' }))).toEqual({ v: false, s: 'after' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
