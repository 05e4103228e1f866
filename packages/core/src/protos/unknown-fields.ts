import type { Type, Writer } from 'protobufjs';
import protobuf from 'protobufjs';
import { CheckedBufferReader } from './checked-reader.js';

/**
 * The key under which a decoded message keeps the fields its type does not know (sent by a peer with a
 * newer schema), as their raw bytes in wire order. The property is enumerable, so a spread copy
 * (`{ ...request, note: 'x' }`) keeps it, and encoding writes the bytes back after the known fields: a
 * message that is passed on loses nothing. JSON has no place for them.
 *
 * @example
 * const forwarded = await next.update({ ...request, updatedBy: 'gateway' }); // fields added upstream travel on
 * if (request[unknownFields]) log.debug('request carries fields this service does not know');
 */
export const unknownFields: unique symbol = Symbol.for('@wirekit/core.unknownFields');

/** A decoded protobufjs message, or the object its encoder reads. */
type WireMessage = Record<string | symbol, unknown>;

// protobufjs's generated functions take more parameters than its typings declare: the end-group tag of a
// group being decoded, and the nesting depth.
type GeneratedDecode = (this: Type, reader: protobuf.Reader, length?: number, endGroup?: number, depth?: number) => WireMessage;
type GeneratedEncode = (this: Type, message: WireMessage, writer?: Writer) => Writer;

/**
 * Makes a message type's protobufjs decoder keep the fields `known` does not list, under `unknownFields` of
 * the message it returns, and its encoder write them back. Nested messages are decoded and encoded through
 * the same functions of their own types, so each message keeps its own fields.
 *
 * The cost is one wrapping call per message: the bytes are scanned again only when the reader skipped a field
 * while decoding the message, or always when `scanAlways` (a type whose decoder reads fields the codec does
 * not map, such as proto2 extensions, whose bytes must be kept too).
 */
export function keepUnknownFields(type: Type, known: ReadonlySet<number>, scanAlways: boolean): void {
  type.setup(); // the generated functions are own properties from here on
  // The generated functions, typed as they are called (see GeneratedDecode).
  const decode = type.decode as unknown as GeneratedDecode;
  const encode = type.encode as unknown as GeneratedEncode;
  const decodeKeepingUnknown: GeneratedDecode = function decodeKeepingUnknown(reader, length, endGroup, depth) {
    if (!(reader instanceof CheckedBufferReader)) return decode.call(this, reader, length, endGroup, depth);
    const before = reader.skipped;
    const start = reader.pos;
    const message = decode.call(this, reader, length, endGroup, depth);
    if (reader.skipped !== before || scanAlways) {
      const unknown = collectUnknown(reader.buf, start, reader.pos, endGroup, known);
      if (unknown !== undefined) message[unknownFields] = unknown;
      // Skips inside this message are accounted for: its parent need not scan for them again.
      reader.skipped = before;
    }
    return message;
  };
  const encodeWithUnknown: GeneratedEncode = function encodeWithUnknown(message, writer) {
    const out = encode.call(this, message, writer);
    const unknown = message[unknownFields];
    if (unknown !== undefined) writeUnknown(out, unknown as Uint8Array);
    return out;
  };
  // Typed as protobufjs declares them; called with the extra parameters by nested generated code.
  type.decode = decodeKeepingUnknown as unknown as Type['decode'];
  type.encode = encodeWithUnknown as unknown as Type['encode'];
}

/** The raw bytes of the fields between `start` and `end` whose numbers are not `known`, or `undefined`. */
function collectUnknown(
  buffer: Uint8Array,
  start: number,
  end: number,
  endGroup: number | undefined,
  known: ReadonlySet<number>,
): Uint8Array | undefined {
  const reader = new protobuf.Reader(buffer);
  reader.pos = start;
  const ranges: number[] = [];
  let size = 0;
  while (reader.pos < end) {
    const at = reader.pos;
    const tag = reader.uint32();
    if (tag === endGroup) break;
    reader.skipType(tag & 7);
    if (!known.has(tag >>> 3)) {
      ranges.push(at, reader.pos);
      size += reader.pos - at;
    }
  }
  if (ranges.length === 0) return undefined;
  // A copy: the message must not pin or alias the (often pooled) buffer it was decoded from.
  const bytes = new Uint8Array(size);
  for (let i = 0, offset = 0; i < ranges.length; i += 2) {
    const from = ranges[i] as number;
    const to = ranges[i + 1] as number;
    bytes.set(buffer.subarray(from, to), offset);
    offset += to - from;
  }
  return bytes;
}

/** Writes raw fields with protobufjs's writer, field by field, as a reader walks them. */
function writeUnknown(writer: Writer, bytes: Uint8Array): void {
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) copyField(reader, writer, reader.uint32());
}

function copyField(reader: protobuf.Reader, writer: Writer, tag: number): void {
  writer.uint32(tag);
  switch (tag & 7) {
    case 0:
      writer.uint64(reader.uint64());
      break;
    case 1:
      writer.fixed64(reader.fixed64());
      break;
    case 2:
      writer.bytes(reader.bytes());
      break;
    case 3: {
      let inner = reader.uint32();
      for (; (inner & 7) !== 4; inner = reader.uint32()) copyField(reader, writer, inner);
      writer.uint32(inner); // the end-group tag
      break;
    }
    case 5:
      writer.fixed32(reader.fixed32());
      break;
    default:
      throw new Error(`invalid wire type ${tag & 7} in unknown fields`);
  }
}
