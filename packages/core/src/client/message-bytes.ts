import type { AnyMethodDefinition } from '../definition.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';

// Client-side encoding shared by every transport, so a bad message fails the same way over the network and in
// memory.

/** Encodes a request; a value that does not fit the message fails with INVALID_ARGUMENT before anything is sent. */
export function encodeRequest(definition: AnyMethodDefinition, message: unknown): Buffer {
  let bytes: Uint8Array;
  try {
    bytes = definition.requestCodec.encode(message);
  } catch (error: unknown) {
    throw new RpcError(
      Status.INVALID_ARGUMENT,
      `the request for ${definition.path} is not a valid ${definition.requestCodec.typeName}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes a response; bytes that are not the response message fail with INTERNAL. */
export function decodeResponse(definition: AnyMethodDefinition, bytes: Buffer): unknown {
  try {
    return definition.responseCodec.decode(bytes);
  } catch (error: unknown) {
    throw new RpcError(
      Status.INTERNAL,
      `could not parse the response of ${definition.path} as ${definition.responseCodec.typeName}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
