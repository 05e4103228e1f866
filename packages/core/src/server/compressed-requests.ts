/**
 * Which request messages arrived compressed on the wire. The frame guard marks the decompressed bytes of each
 * compressed message; decoding carries the mark to the message the handler receives. Weak sets, so a mark lives
 * exactly as long as its message, and nothing is looked up until a compressed message has been seen at all.
 */
const compressedBytes = new WeakSet<object>();
const compressedMessages = new WeakSet<object>();
let anyCompressed = false;

export function markCompressedBytes(bytes: Buffer): Buffer {
  anyCompressed = true;
  compressedBytes.add(bytes);
  return bytes;
}

/** Carries the mark of `bytes`, if they arrived compressed, to the message decoded from them. */
export function noteDecoded(bytes: Uint8Array, message: unknown): void {
  if (anyCompressed && compressedBytes.has(bytes) && typeof message === 'object' && message !== null) {
    compressedMessages.add(message);
  }
}

/**
 * Whether a request message a handler received arrived compressed (its gRPC compressed flag set, in the call's
 * `grpc-encoding`). Most handlers have no reason to care; gRPC's interop tests do (`expect_compressed`).
 *
 * ```ts
 * if (request.expectCompressed?.value && !receivedCompressed(request)) {
 *   throw new RpcError(Status.INVALID_ARGUMENT, 'expected a compressed request');
 * }
 * ```
 */
export function receivedCompressed(message: object): boolean {
  return compressedMessages.has(message);
}
