import protobuf from 'protobufjs';
class CheckedBufferReader extends protobuf.BufferReader {
    string() {
        const length = this.uint32();
        const start = this.pos;
        const end = start + length;
        if (end > this.len)
            throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
        this.pos = end;
        // Buffer's native UTF-8 decoding, called directly as the stock reader does: toString's argument handling
        // costs more than the decoding of a short string.
        return this.buf.utf8Slice(start, end);
    }
}
/** A reader over message bytes for protobufjs's generated decoders, checking every length against the end. */
export function checkedReader(bytes) {
    // A view, not a copy: any Uint8Array gets Buffer's fast string decoding, and bytes fields decode to Buffers.
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return new CheckedBufferReader(buffer);
}
