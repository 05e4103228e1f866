import { fileURLToPath } from 'node:url';
import { createFileRegistry, type DescMessage, fromBinary, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type App,
  type BidiStreaming,
  type Client,
  closeClient,
  createApp,
  createClient,
  createSilentLogger,
  defineService,
  ProtoSet,
  type ServiceDefinition,
  type Unary,
} from '../index.js';
import { messageArbitrary } from './test-support/mapping/arbitraries.js';
import { fromBufbuild, type Plain, toBufbuild } from './test-support/mapping/bufbuild-bridge.js';
import { comparable } from './test-support/mapping/comparable.js';
import { decodedForm } from './test-support/mapping/decoded-form.js';

// A message written by a NEWER schema (fields of every wire type added, at top level and in a nested
// message) passes through code built on the OLD schema, which changes a field it knows and sends the message
// on: every field it does not know must arrive intact.

const unknownDir = fileURLToPath(new URL('./test-support/mapping/unknown', import.meta.url));
const v1 = ProtoSet.load('record.proto', { includeDirs: [`${unknownDir}/v1`] });
const v2 = ProtoSet.load('record.proto', { includeDirs: [`${unknownDir}/v2`] });
const oldRecord = v1.codec<Plain>('mapping.unknown.Record');
const newRecord = v2.codec<Plain>('mapping.unknown.Record');

function schemaOf(protos: ProtoSet, name: string): DescMessage {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, protos.toDescriptorSet()));
  const message = registry.getMessage(name);
  if (message === undefined) throw new Error(`${name} is not in the descriptor set`);
  return message;
}
const OldRecord = schemaOf(v1, 'mapping.unknown.Record');
const NewRecord = schemaOf(v2, 'mapping.unknown.Record');
const newRecords = messageArbitrary(NewRecord, { maxDepth: 3 });

/** A rich message of the newer schema: every added field set, in the nested messages too. */
const rich: Plain = {
  name: 'r1',
  version: 3,
  detail: { label: 'd', extraWeight: -(2n ** 63n), extraNested: { note: 'deep', codes: [1, 4294967295] }, extraCode: 7 },
  details: [{ label: 'a', extraWeight: 1n }, { extraCode: 4294967295 }, {}],
  detailsByKey: { k: { label: 'v', extraNested: { detail: { extraWeight: 5n } } } },
  extraVarint: 2n ** 63n - 1n,
  extraZigzag: -2147483648,
  extraFlag: true,
  extraLevel: 'LEVEL_HIGH',
  extraFixed64: 2n ** 64n - 1n,
  extraDouble: Number.NaN,
  extraText: 'héllo 𝄞',
  extraBytes: new Uint8Array([0, 255, 128]),
  extraPacked: [1, -1, 2147483647],
  extraList: ['x', '', 'z'],
  extraMessage: { note: 'n', codes: [], detail: { label: 'inner', extraWeight: -1n } },
  extraMap: { a: 1n, '': -(2n ** 63n) },
  extraFixed32: 4294967295,
  extraFloat: Number.NEGATIVE_INFINITY,
  extraUnpacked: [-(2n ** 63n), 0n, 2n ** 63n - 1n],
  extraChoice: { case: 'extraChoiceMessage', value: { note: 'chosen' } },
  extraOptional: 0,
  extraFar: 'far',
};

/** Old-schema code changing one field it knows, the way application code would. */
const renamed = (message: Plain): Plain => ({ ...message, name: `${String(message.name)}!` });

describe('unknown fields through code on an older schema', () => {
  it('arrive intact after decode → spread with one field changed → encode (fast-check)', () => {
    fc.assert(
      fc.property(newRecords, (value) => {
        const passed = oldRecord.decode(newRecord.encode(value));
        const arrived = newRecord.decode(oldRecord.encode(renamed(passed)));
        expect(comparable(arrived)).toEqual(comparable(decodedForm(NewRecord, renamed({ name: '', ...value }))));
      }),
      { numRuns: 500 },
    );
  });

  it('arrive intact from and back to another implementation (bufbuild on the newer schema)', () => {
    fc.assert(
      fc.property(newRecords, (value) => {
        const passed = oldRecord.decode(toBinary(NewRecord, toBufbuild(NewRecord, value)));
        const arrived = fromBinary(NewRecord, oldRecord.encode(renamed(passed)));
        expect(comparable(fromBufbuild(NewRecord, arrived))).toEqual(comparable(decodedForm(NewRecord, renamed({ name: '', ...value }))));
      }),
      { numRuns: 300 },
    );
  });

  it('leave the old side seeing exactly the fields it knows', () => {
    fc.assert(
      fc.property(newRecords, (value) => {
        expect(comparable(oldRecord.decode(newRecord.encode(value)))).toEqual(comparable(decodedForm(OldRecord, value)));
      }),
      { numRuns: 300 },
    );
  });

  it('survive changes inside nested messages, lists and maps that are themselves spread', () => {
    const passed = oldRecord.decode(newRecord.encode(rich));
    const details = passed.details as Plain[];
    const byKey = passed.detailsByKey as Record<string, Plain>;
    const changed = {
      ...passed,
      detail: { ...(passed.detail as Plain), label: 'changed' },
      details: [details[0], { ...details[1], label: 'second' }, ...details.slice(2)],
      detailsByKey: { ...byKey, k: { ...byKey.k, label: 'w' } },
    };
    const arrived = newRecord.decode(oldRecord.encode(changed));
    const expected = {
      ...rich,
      detail: { ...(rich.detail as Plain), label: 'changed' },
      details: [{ label: 'a', extraWeight: 1n }, { label: 'second', extraCode: 4294967295 }, {}],
      detailsByKey: { k: { label: 'w', extraNested: { detail: { extraWeight: 5n } } } },
    };
    expect(comparable(arrived)).toEqual(comparable(decodedForm(NewRecord, expected)));
  });

  it('keep every wire type, the group wire type (from a proto2 peer) included, on a re-encode without changes', () => {
    const group = new BinaryWriter()
      .tag(99, WireType.StartGroup)
      .tag(1, WireType.Varint)
      .int32(5)
      .tag(2, WireType.LengthDelimited)
      .string('in a group')
      .tag(99, WireType.EndGroup)
      .finish();
    const known = oldRecord.encode({ name: 'g' });
    const input = Buffer.concat([known, group, newRecord.encode({ extraFixed64: 1n, extraFloat: 1.5, extraText: 't', extraVarint: 9n })]);
    const output = Buffer.from(oldRecord.encode(oldRecord.decode(input)));
    expect(output.includes(Buffer.from(group))).toBe(true);
    expect(newRecord.decode(output)).toMatchObject({ name: 'g', extraFixed64: 1n, extraFloat: 1.5, extraText: 't', extraVarint: 9n });
  });

  it('keep repeated unknown fields in their order, interleaved with known ones', () => {
    const writer = new BinaryWriter();
    writer.tag(24, WireType.Varint).sint64(-1n);
    writer.tag(1, WireType.LengthDelimited).string('first');
    writer.tag(24, WireType.Varint).sint64(2n);
    writer.tag(19, WireType.LengthDelimited).string('a');
    writer.tag(24, WireType.Varint).sint64(-3n);
    writer.tag(19, WireType.LengthDelimited).string('b');
    const passed = oldRecord.decode(writer.finish());
    expect(newRecord.decode(oldRecord.encode(passed))).toMatchObject({
      name: 'first',
      extraUnpacked: [-1n, 2n, -3n],
      extraList: ['a', 'b'],
    });
  });
});

type RecordMethods = { Echo: Unary<Plain, Plain>; EchoStream: BidiStreaming<Plain, Plain> };

describe('unknown fields through a real gRPC hop', () => {
  let app: App;
  let client: Client<ServiceDefinition<RecordMethods>>;

  beforeAll(async () => {
    // The server knows only the old schema and echoes each request with one field it knows changed.
    app = createApp({ shutdownSignals: [], logger: createSilentLogger(), health: false, reflection: false });
    app.addService(defineService<RecordMethods>(v1, 'mapping.unknown.RecordService'), {
      echo: (request) => ({ ...request, version: (request.version as number) + 1 }),
      echoStream: async function* (requests) {
        for await (const request of requests) yield { ...request, version: (request.version as number) + 1 };
      },
    });
    const { address } = await app.listen('127.0.0.1:0');
    client = createClient(defineService<RecordMethods>(v2, 'mapping.unknown.RecordService'), address);
  });

  afterAll(async () => {
    if (client !== undefined) closeClient(client);
    await app?.close({ graceMs: 0 });
  });

  const bumped = (value: Plain): Plain => decodedForm(NewRecord, { ...value, version: ((value.version as number | undefined) ?? 0) + 1 });

  it('a unary echo by an old-schema server returns every field of the newer client', async () => {
    expect(comparable(await client.echo(rich))).toEqual(comparable(bumped(rich)));
  });

  it('random messages of the newer schema survive the unary hop (fast-check)', async () => {
    const inRange = newRecords.filter((value) => value.version === undefined || (value.version as number) < 2147483647);
    await fc.assert(
      fc.asyncProperty(inRange, async (value) => {
        expect(comparable(await client.echo(value))).toEqual(comparable(bumped(value)));
      }),
      { numRuns: 100 },
    );
  });

  it('a bidi stream echoed by an old-schema server returns every field of every message', async () => {
    const values = [rich, { ...rich, name: 'r2', extraChoice: { case: 'extraChoiceText', value: 't' } }, { extraFar: 'only' }];
    const received: unknown[] = [];
    for await (const response of client.echoStream(values)) received.push(comparable(response));
    expect(received).toEqual(values.map((value) => comparable(bumped(value))));
  });
});
