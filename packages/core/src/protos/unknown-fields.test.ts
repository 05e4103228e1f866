import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ProtoSet } from './proto-set.js';
import { unknownFields } from './unknown-fields.js';

// A message from a newer schema, decoded by code built on an older one and passed on.

const scratch = mkdtempSync(path.join(tmpdir(), 'wirekit-unknown-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function load(version: string, source: string): ProtoSet {
  const dir = path.join(scratch, version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'thing.proto'), source);
  return ProtoSet.load('thing.proto', { includeDirs: [dir] });
}

const older = load(
  'v1',
  `syntax = "proto3";
  package evolve;
  message Thing {
    string name = 1;
    Part part = 2;
    repeated Part parts = 3;
    map<string, Part> by_key = 4;
    oneof pick { Part picked = 5; string label = 6; }
  }
  message Part { int32 size = 1; }`,
);
const newer = load(
  'v2',
  `syntax = "proto3";
  package evolve;
  message Thing {
    string name = 1;
    Part part = 2;
    repeated Part parts = 3;
    map<string, Part> by_key = 4;
    oneof pick { Part picked = 5; string label = 6; }
    int64 added_varint = 10;
    fixed64 added_fixed64 = 11;
    string added_text = 12;
    fixed32 added_fixed32 = 13;
    repeated sint32 added_list = 14;
    Part added_part = 15;
  }
  message Part { int32 size = 1; string color = 2; double weight = 3; }`,
);

type Plain = Record<string | symbol, unknown>;
const oldThing = older.codec<Plain>('evolve.Thing');
const newThing = newer.codec<Plain>('evolve.Thing');
const full: Plain = {
  name: 'n',
  part: { size: 1, color: 'red', weight: 0.5 },
  parts: [{ size: 2, color: 'blue' }, { size: 3 }],
  byKey: { k: { size: 4, weight: -1 } },
  pick: { case: 'picked', value: { size: 5, color: 'green' } },
  addedVarint: -(2n ** 62n),
  addedFixed64: 2n ** 64n - 1n,
  addedText: 'héllo',
  addedFixed32: 7,
  addedList: [-1, 2, -3],
  addedPart: { size: 6, color: 'x' },
};
const newBytes = newThing.encode(full);

describe('unknown fields', () => {
  it('are kept, in nested messages too, and written back when the message is passed on', () => {
    const decoded = oldThing.decode(newBytes);
    expect(decoded).toMatchObject({ name: 'n', part: { size: 1 }, parts: [{ size: 2 }, { size: 3 }], byKey: { k: { size: 4 } } });
    expect(decoded[unknownFields]).toBeInstanceOf(Uint8Array);
    expect((decoded.part as Plain)[unknownFields]).toBeInstanceOf(Uint8Array);
    expect(newThing.decode(oldThing.encode(decoded))).toEqual(newThing.decode(newBytes));
  });

  it('survive a spread copy that changes a known field', () => {
    const decoded = oldThing.decode(newBytes);
    const changed = { ...decoded, name: 'changed', part: { ...(decoded.part as Plain), size: 10 } };
    expect(newThing.decode(oldThing.encode(changed))).toEqual({
      ...newThing.decode(newBytes),
      name: 'changed',
      part: { ...(full.part as Plain), size: 10 },
    });
  });

  it('give the same bytes back when the newer side wrote its fields in number order', () => {
    const decoded = oldThing.decode(newBytes);
    expect([...oldThing.encode(decoded)]).toEqual([...newBytes]);
  });

  it('hold the raw fields under an enumerable symbol, and nothing when there are none', () => {
    const decoded = oldThing.decode(newThing.encode({ addedFixed32: 1 }));
    expect(Object.getOwnPropertySymbols(decoded)).toEqual([unknownFields]);
    expect(Object.getOwnPropertyDescriptor(decoded, unknownFields)?.enumerable).toBe(true);
    expect([...(decoded[unknownFields] as Uint8Array)]).toEqual([0x6d, 1, 0, 0, 0]); // field 13, fixed32
    const plain = oldThing.decode(oldThing.encode({ name: 'x', part: {} }));
    expect(Object.getOwnPropertySymbols(plain)).toEqual([]);
    expect(Object.getOwnPropertySymbols(plain.part)).toEqual([]);
  });

  it('are kept in messages of a oneof, a list and a map', () => {
    const decoded = oldThing.decode(newBytes);
    const picked = (decoded.pick as { value: Plain }).value;
    expect(picked[unknownFields]).toBeInstanceOf(Uint8Array);
    expect((decoded.parts as Plain[])[0]?.[unknownFields]).toBeInstanceOf(Uint8Array);
    expect((decoded.parts as Plain[])[1]?.[unknownFields]).toBeUndefined();
    expect(((decoded.byKey as Record<string, Plain>).k as Plain)[unknownFields]).toBeInstanceOf(Uint8Array);
  });

  it('are not part of the JSON mapping', () => {
    expect(oldThing.toJson(oldThing.decode(newBytes))).toEqual(
      oldThing.toJson(oldThing.decode(oldThing.encode(oldThing.decode(newBytes)))),
    );
    expect(Object.keys(oldThing.toJson(oldThing.decode(newBytes)) as object)).not.toContain('addedText');
  });

  it('are copied, not views of the bytes they came from', () => {
    const bytes = new Uint8Array(newBytes);
    const decoded = oldThing.decode(bytes);
    bytes.fill(0);
    expect(newThing.decode(oldThing.encode(decoded))).toEqual(newThing.decode(newBytes));
  });

  it('keep proto2 extensions and groups', () => {
    const testSupport = fileURLToPath(new URL('./test-support', import.meta.url));
    const order = ProtoSet.load('legacy.proto', { includeDirs: [testSupport] }).codec<Plain>('legacy.v1.Order');
    const tag = [0xa2, 0x06, 2, 0x68, 0x69]; // extension field 100, "hi"
    const group = [0xfb, 0x07, 0x08, 0x01, 0xfc, 0x07]; // an unknown group, field 127, holding field 1 = 1
    const bytes = new Uint8Array([...order.encode({ id: 'o' }), ...tag, ...group]);
    const decoded = order.decode(bytes);
    expect([...(decoded[unknownFields] as Uint8Array)]).toEqual([...tag, ...group]);
    expect([...order.encode(decoded)]).toEqual([...bytes]);
  });

  it('must be bytes when given', () => {
    expect(() => oldThing.encode({ [unknownFields]: 'x' })).toThrow(
      new TypeError('evolve.Thing: expected a Uint8Array under [unknownFields], got string "x"'),
    );
  });
});

describe('schema changes between 32- and 64-bit integers', () => {
  it('reads an int64 value sent to an int32 field as its low 32 bits, and the rest of the message right', () => {
    const wide = load('wide', 'syntax = "proto3"; message N { int64 n = 1; string after = 2; }').codec<Plain>('N');
    const narrow = load('narrow', 'syntax = "proto3"; message N { int32 n = 1; string after = 2; }').codec<Plain>('N');
    for (const [n, low] of [
      [2n ** 40n + 7n, 7],
      [2n ** 63n - 1n, -1],
      [-(2n ** 31n) - 1n, 2 ** 31 - 1],
      [-5n, -5],
    ] as const) {
      expect(narrow.decode(wide.encode({ n, after: 'ok' }))).toEqual({ n: low, after: 'ok' });
    }
  });
});
