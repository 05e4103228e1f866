import type { Payload } from './gen/test.js';

/** A `COMPRESSABLE` payload of `size` zero bytes, the only payload the interop suite defines. */
export function zeroPayload(size: number): Payload {
  return { type: 'COMPRESSABLE', body: new Uint8Array(size) };
}

/** Whether every byte of `bytes` is zero, as in every payload of the suite. */
export function allZeros(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === 0);
}
