import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeFileDescriptorSet, encodeFileDescriptorSet, type FileDescriptorSetObject } from './descriptor-objects.js';
import { defineService, ProtoSet } from './proto-set.js';
import { ProtoTimestamp } from './proto-timestamp.js';

const testSupport = fileURLToPath(new URL('./test-support', import.meta.url));
const files = ['kitchen_sink.proto', 'legacy.proto'];
const fromFiles = ProtoSet.load(files, { includeDirs: [testSupport] });
const fromDescriptors = ProtoSet.fromDescriptorSet(fromFiles.toDescriptorSet());
// Written by protoc 3.21.12 (Debian's protobuf-compiler; for the earlier version of these files it wrote the very
// bytes protoc 35.1 of grpcio-tools 1.84 did):
//   protoc -I . --include_imports --descriptor_set_out=kitchen_sink.protoc.pb kitchen_sink.proto legacy.proto
// Regenerate it after changing either .proto file.
const protocDescriptorSet = new Uint8Array(readFileSync(path.join(testSupport, 'kitchen_sink.protoc.pb')));

const scratch = mkdtempSync(path.join(tmpdir(), 'wirekit-protos-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const writeProto = (name: string, source: string): string => {
  const file = path.join(scratch, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, source);
  return file;
};

type Plain = Record<string, unknown>;
const richSink: Plain = {
  aDouble: Number.NaN,
  anInt64: -(2n ** 63n),
  aUint64: 2n ** 64n - 1n,
  aBytes: new Uint8Array([1, 2]),
  color: 'COLOR_RED',
  nested: { note: 'n', inner: { depth: 2 } },
  mood: 'MOOD_HAPPY',
  packedInts: [1, -1],
  unpackedInts: [2],
  packedLongs: [3n],
  colors: ['COLOR_GREEN', 77],
  labels: { k: 'v' },
  nestedById: { '-1': {} },
  namesByLong: { '-5': 'x' },
  colorsByUlong: { '18446744073709551615': 'COLOR_RED' },
  countsByFlag: { false: 1 },
  totals: { t: 5n },
  choice: { case: 'choiceNested', value: { note: 'c' } },
  maybeInt32: 0,
  maybeBool: false,
  createdAt: new ProtoTimestamp(1n, 2),
  timeout: { seconds: -1n, nanos: -2 },
  wrappedInt64: -(2n ** 63n),
  wrappedBytes: new Uint8Array([3]),
  details: { a: [1, 'b', null, { c: true }] },
  dynamic: null,
  items: [],
  updateMask: ['a.b', 'c'],
  nothing: {},
  extra: { typeUrl: 'type.googleapis.com/kitchen.v1.PhoneNumber', value: new Uint8Array([10, 1, 49]) },
  history: [new Date(0), new ProtoTimestamp(-1n, 999_999_999)],
  settings: { k: 'v' },
  wrappedList: [0, 7],
  contact: { case: 'contactNote', value: null },
  renamed: 'r',
};
const richOrder: Plain = { id: 'o', quantity: 0, codes: [1], loose: [2], kind: 'KIND_B', extra: { note: 'g' } };

/** The parts of a descriptor set both protoc and Wirekit are expected to write alike. */
function comparable(set: FileDescriptorSetObject): FileDescriptorSetObject {
  // protoc keeps file options (java_package, go_package, …), which Wirekit does not.
  return { file: (set.file ?? []).map((file) => ({ ...file, options: undefined })) };
}

describe('ProtoSet.load', () => {
  it('lists the services and describes their rpcs, idempotency included', () => {
    expect(fromFiles.serviceNames).toEqual(['kitchen.v1.KitchenService']);
    const service = fromFiles.findService('kitchen.v1.KitchenService');
    expect(service?.methods.map((m) => [m.name, m.requestType, m.responseType, m.requestStream, m.responseStream, m.idempotency])).toEqual([
      ['Get', 'kitchen.v1.GetRequest', 'kitchen.v1.KitchenSink', false, false, 'no_side_effects'],
      ['Put', 'kitchen.v1.KitchenSink', 'google.protobuf.Empty', false, false, 'idempotent'],
      ['Watch', 'kitchen.v1.GetRequest', 'kitchen.v1.KitchenSink', false, true, 'unknown'],
      ['Upload', 'kitchen.v1.KitchenSink', 'kitchen.v1.UploadSummary', true, false, 'unknown'],
      ['Chat', 'kitchen.v1.TreeNode', 'kitchen.v1.TreeNode', true, true, 'unknown'],
    ]);
    expect(fromFiles.findService('kitchen.v1.Nope')).toBeUndefined();
  });

  it('finds a file by path as well as under an include directory, and takes one file as a string', () => {
    const byPath = ProtoSet.load(path.join(testSupport, 'kitchen_sink.proto'));
    expect(byPath.serviceNames).toEqual(['kitchen.v1.KitchenService']);
    expect(decodeFileDescriptorSet(byPath.toDescriptorSet()).file?.map((f) => f.name)).toEqual([
      ...['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'].map((name) => `google/protobuf/${name}.proto`),
      'kitchen_sink.proto',
    ]);
  });

  it('resolves the bundled google/protobuf files, descriptor.proto included, without files on disk', () => {
    const file = writeProto(
      'wkt/all.proto',
      `syntax = "proto3";
      package wkt;
      import "google/protobuf/any.proto"; import "google/protobuf/duration.proto"; import "google/protobuf/empty.proto";
      import "google/protobuf/field_mask.proto"; import "google/protobuf/struct.proto"; import "google/protobuf/timestamp.proto";
      import "google/protobuf/wrappers.proto"; import "google/protobuf/descriptor.proto";
      message All {
        google.protobuf.Any any = 1; google.protobuf.Duration duration = 2; google.protobuf.FieldMask mask = 3;
        google.protobuf.Struct struct = 4; google.protobuf.Int64Value wrapped = 5; google.protobuf.FileDescriptorProto file = 6;
        google.protobuf.Value value = 7;
      }`,
    );
    const protos = ProtoSet.load(file);
    const codec = protos.codec<Plain>('wkt.All');
    const value = {
      duration: { seconds: -1n, nanos: -5 },
      wrapped: 2n ** 60n,
      value: 's',
      struct: { a: 1 },
      mask: ['a'],
      any: { typeUrl: 'type.googleapis.com/google.protobuf.Empty', value: new Uint8Array(0) },
      file: { name: 'x.proto', messageType: [{ name: 'M' }] },
    };
    expect(codec.decode(codec.encode(value))).toMatchObject(value);
    const names = decodeFileDescriptorSet(protos.toDescriptorSet()).file?.find((f) => f.name === 'google/protobuf/struct.proto');
    // protobufjs bundles struct.proto with camelCase field names; descriptors carry the declared ones.
    expect(names?.messageType?.find((m) => m.name === 'Value')?.field?.map((f) => f.name)).toContain('null_value');
  });

  it('changes nothing global: each set has its own types, and protobufjs bundles stay untouched', () => {
    const a = writeProto('iso-a/thing.proto', 'syntax = "proto3"; package iso; message Thing { string a = 1; }');
    const b = writeProto('iso-b/thing.proto', 'syntax = "proto3"; package iso; message Thing { int32 b = 1; }');
    const before = JSON.stringify(protobuf.common.get('google/protobuf/struct.proto'));
    const first = ProtoSet.load(a);
    const second = ProtoSet.load(b);
    ProtoSet.load(
      writeProto('iso-c/s.proto', 'syntax = "proto3"; import "google/protobuf/struct.proto"; message S { google.protobuf.Struct s = 1; }'),
    );
    expect(first.codec<Plain>('iso.Thing').decode(new Uint8Array(0))).toEqual({ a: '' });
    expect(second.codec<Plain>('iso.Thing').decode(new Uint8Array(0))).toEqual({ b: 0 });
    expect(JSON.stringify(protobuf.common.get('google/protobuf/struct.proto'))).toBe(before);
  });

  it('names the missing file and where it looked', () => {
    expect(() => ProtoSet.load('nope.proto', { includeDirs: [testSupport] })).toThrow(
      /^cannot find nope\.proto \(looked in the working directory and in .*test-support\)$/,
    );
  });

  it('names the file and line of a syntax error', () => {
    const file = writeProto('broken/broken.proto', 'syntax = "proto3";\n\nmessage Broken {\n  string a = ;\n}\n');
    expect(() => ProtoSet.load(file)).toThrow(/broken\.proto: illegal .* \(line 4\)$/);
  });

  it('names the import that cannot be found and the fix', () => {
    const file = writeProto('imports/needs.proto', 'syntax = "proto3";\nimport "other/missing.proto";\n');
    expect(() => ProtoSet.load(file)).toThrow(
      /needs\.proto: import "other\/missing\.proto" was not found in .*; add the directory that holds it as an include directory \(--proto_path\)$/,
    );
  });

  it('names an unknown field type', () => {
    const file = writeProto('types/unknown.proto', 'syntax = "proto3";\npackage t;\nmessage M { Missing m = 1; }\n');
    expect(() => ProtoSet.load(file)).toThrow("cannot resolve the types of unknown.proto: no such Type or Enum 'Missing' in Type .t.M");
  });

  it('refuses editions files clearly', () => {
    const file = writeProto('editions/e.proto', 'edition = "2023";\npackage e;\n');
    expect(() => ProtoSet.load(file)).toThrow(/e\.proto: editions \(edition = "2023"\) are not supported yet; use syntax = "proto3"$/);
  });

  it('refuses import cycles', () => {
    writeProto('cycle/a.proto', 'syntax = "proto3"; import "b.proto";');
    writeProto('cycle/b.proto', 'syntax = "proto3"; import "a.proto";');
    expect(() => ProtoSet.load('a.proto', { includeDirs: [path.join(scratch, 'cycle')] })).toThrow(
      'import cycle: a.proto → b.proto → a.proto',
    );
  });
});

describe('ProtoSet.codec', () => {
  it('names the type and the fix when the type is unknown', () => {
    expect(() => fromFiles.codec('kitchen.v1.Missing')).toThrow(
      'message type "kitchen.v1.Missing" is not in the loaded protos; load the .proto file that defines it (or one that imports it) into this ProtoSet',
    );
    expect(() => fromFiles.codec('kitchen.v1.Color')).toThrow(/message type "kitchen.v1.Color" is not in the loaded protos/);
  });

  it('accepts nested and dot-prefixed names', () => {
    expect(fromFiles.codec('.kitchen.v1.KitchenSink.Nested.Inner').typeName).toBe('kitchen.v1.KitchenSink.Nested.Inner');
  });
});

describe('ProtoSet descriptor sets', () => {
  it('writes the descriptors protoc writes for the same files', () => {
    expect(comparable(decodeFileDescriptorSet(fromFiles.toDescriptorSet()))).toEqual(
      comparable(decodeFileDescriptorSet(protocDescriptorSet)),
    );
  });

  it.each([
    ['its own descriptor set', fromDescriptors],
    ["protoc's descriptor set", ProtoSet.fromDescriptorSet(protocDescriptorSet)],
    ['base64', ProtoSet.fromDescriptorSet(Buffer.from(fromFiles.toDescriptorSet()).toString('base64'))],
  ])('behaves the same when loaded from %s', (_, loaded) => {
    expect(loaded.serviceNames).toEqual(fromFiles.serviceNames);
    expect(loaded.findService('kitchen.v1.KitchenService')).toEqual(fromFiles.findService('kitchen.v1.KitchenService'));
    for (const [type, value] of [
      ['kitchen.v1.KitchenSink', richSink],
      ['kitchen.v1.TreeNode', { label: 'a', children: [{ label: 'b', children: [] }] }],
      ['legacy.v1.Order', richOrder],
    ] as const) {
      const files = fromFiles.codec<Plain>(type);
      const descriptors = loaded.codec<Plain>(type);
      const encoded = files.encode(value);
      expect([...descriptors.encode(value)]).toEqual([...encoded]);
      expect(descriptors.decode(encoded)).toEqual(files.decode(encoded));
    }
    const empty = new Uint8Array(0);
    expect(loaded.codec('kitchen.v1.KitchenSink').decode(empty)).toEqual(fromFiles.codec('kitchen.v1.KitchenSink').decode(empty));
  });

  it('keeps its own copy of the bytes it was given', () => {
    const bytes = fromFiles.toDescriptorSet();
    const loaded = ProtoSet.fromDescriptorSet(bytes);
    bytes.fill(0);
    expect(loaded.toDescriptorSet()).toEqual(fromFiles.toDescriptorSet());
  });

  it('says when a descriptor set lacks the files it imports', () => {
    const set = decodeFileDescriptorSet(fromFiles.toDescriptorSet());
    const withoutImports = (set.file ?? []).filter((file) => !file.name?.startsWith('google/'));
    expect(() => ProtoSet.fromDescriptorSet(encodeFileDescriptorSet({ file: withoutImports }))).toThrow(
      /^the descriptor set is incomplete: .*Timestamp.* \(write it with all imports, e\.g\. protoc --include_imports\)$/,
    );
  });

  it('refuses what is not a descriptor set', () => {
    expect(() => ProtoSet.fromDescriptorSet('not base64!')).toThrow('the descriptor set string is not base64');
    expect(() => ProtoSet.fromDescriptorSet(new Uint8Array([0x0a, 0x05, 0x01]))).toThrow(/^not a serialized FileDescriptorSet: /);
  });
});

describe('ProtoSet.packageDefinition', () => {
  it('is built once and lists the messages, enums and services', () => {
    const definition = fromFiles.packageDefinition();
    expect(fromFiles.packageDefinition()).toBe(definition);
    expect(Object.keys(definition)).toEqual(
      expect.arrayContaining(['kitchen.v1.KitchenService', 'kitchen.v1.KitchenSink', 'kitchen.v1.Color']),
    );
  });
});

describe('defineService', () => {
  it('builds a method definition per rpc, with path, mode, codecs and idempotency', () => {
    const service = defineService(fromDescriptors, 'kitchen.v1.KitchenService');
    expect(service.fullName).toBe('kitchen.v1.KitchenService');
    expect(service.protos).toBe(fromDescriptors);
    expect(
      Object.values(service.methods).map((m) => [m.name, m.path, m.service, m.mode, m.requestStream, m.responseStream, m.idempotency]),
    ).toEqual([
      ['Get', '/kitchen.v1.KitchenService/Get', 'kitchen.v1.KitchenService', 'unary', false, false, 'no_side_effects'],
      ['Put', '/kitchen.v1.KitchenService/Put', 'kitchen.v1.KitchenService', 'unary', false, false, 'idempotent'],
      ['Watch', '/kitchen.v1.KitchenService/Watch', 'kitchen.v1.KitchenService', 'server_streaming', false, true, 'unknown'],
      ['Upload', '/kitchen.v1.KitchenService/Upload', 'kitchen.v1.KitchenService', 'client_streaming', true, false, 'unknown'],
      ['Chat', '/kitchen.v1.KitchenService/Chat', 'kitchen.v1.KitchenService', 'bidi_streaming', true, true, 'unknown'],
    ]);
    const get = service.methods.Get;
    expect(get?.requestCodec.typeName).toBe('kitchen.v1.GetRequest');
    expect(get?.responseCodec).toBe(fromDescriptors.codec('kitchen.v1.KitchenSink'));
  });

  it('names the loaded services when the service is unknown', () => {
    expect(() => defineService(fromFiles, 'x.Y')).toThrow('service "x.Y" is not in the loaded protos (loaded: kitchen.v1.KitchenService)');
    const none = ProtoSet.load('legacy.proto', { includeDirs: [testSupport] });
    expect(() => defineService(none, 'x.Y')).toThrow('service "x.Y" is not in the loaded protos (loaded: none)');
  });
});
