import protobuf from 'protobufjs';

/** Node's Buffer, with the undocumented but long-standing method `Buffer#toString('utf8')` calls. */
type NodeBuffer = Buffer & { utf8Slice?(start: number, end: number): string };

/**
 * protobufjs's reader for Node Buffers, except that a string running past the end of the message is an
 * error. The stock one cuts such a string short and carries on, so truncated or corrupt input would decode
 * to a wrong message instead of failing; protobufjs's plain Uint8Array reader already checks.
 */
class CheckedBufferReader extends protobuf.BufferReader {
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
export function checkedReader(bytes: Uint8Array): protobuf.Reader {
  // A view, not a copy: any Uint8Array gets Buffer's fast string decoding, and bytes fields decode to Buffers.
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return new CheckedBufferReader(buffer);
}
