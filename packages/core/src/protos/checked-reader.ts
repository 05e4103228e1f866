import protobuf from 'protobufjs';

/** Node's Buffer, with the undocumented but long-standing method `Buffer#toString('utf8')` calls. */
type NodeBuffer = Buffer & { utf8Slice?(start: number, end: number): string };

/**
 * protobufjs's reader for Node Buffers, except that a string running past the end of the message is an
 * error. The stock one cuts such a string short and carries on, so truncated or corrupt input would decode
 * to a wrong message instead of failing; protobufjs's plain Uint8Array reader already checks.
 *
 * It also counts the fields the generated decoders skip, which are the fields their types do not know: a
 * message whose count did not change while it was decoded has no unknown fields to keep (`unknown-fields.ts`).
 */
export class CheckedBufferReader extends protobuf.BufferReader {
  /** How many fields the decoders skipped so far. */
  skipped = 0;

  /**
   * protobufjs's reader takes a varint longer than five bytes to be ten long (a negative int32, sign-extended),
   * and skips five more bytes blindly. One of six to nine bytes, an int64 value read as int32 after a schema
   * change (which the protobuf guide promises works, truncating like a C++ cast), would throw the reader off:
   * such varints are read with the 64-bit reader, whose low 32 bits are the value.
   */
  override uint32(): number {
    const buffer = this.buf;
    const at = this.pos;
    if (
      (buffer[at] as number) >= 0x80 &&
      (buffer[at + 1] as number) >= 0x80 &&
      (buffer[at + 2] as number) >= 0x80 &&
      (buffer[at + 3] as number) >= 0x80 &&
      (buffer[at + 4] as number) >= 0x80
    ) {
      return this.uint64().low >>> 0;
    }
    return super.uint32();
  }

  /**
   * A bool is true when any bit of its varint is set. protobufjs reads the low 32 bits only, so an int64 of 2^32
   * read as bool after a schema change (a compatible change, by the protobuf guide) would come out false.
   */
  override bool(): boolean {
    const bits = this.uint64();
    return bits.low !== 0 || bits.high !== 0;
  }

  override skipType(wireType: number, depth?: number): protobuf.Reader {
    this.skipped++;
    return super.skipType(wireType, depth);
  }

  override string(): string {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = end;
    // Buffer's native UTF-8 decoding, called directly as the stock reader does: toString's argument handling
    // costs more than the decoding of a short string.
    const buffer = this.buf as NodeBuffer;
    return buffer.utf8Slice === undefined ? buffer.toString('utf8', start, end) : buffer.utf8Slice(start, end);
  }
}

/** A reader over message bytes for protobufjs's generated decoders, checking every length against the end. */
export function checkedReader(bytes: Uint8Array): CheckedBufferReader {
  // A view, not a copy: any Uint8Array gets Buffer's fast string decoding, and bytes fields decode to Buffers.
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new CheckedBufferReader(buffer);
}
