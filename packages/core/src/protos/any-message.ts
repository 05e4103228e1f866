import type { ProtoSet } from './proto-set.js';

/**
 * A google.protobuf.Any as it appears in messages: a serialized message of any type, and the URL naming that
 * type (`type.googleapis.com/<full name>`). `packAny` and `unpackAny` make and read one.
 */
export interface Any {
  typeUrl: string;
  value: Uint8Array;
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/**
 * Packs a message into a google.protobuf.Any, encoding it with the codec of `typeName` in `protos`.
 * Well-known types are packed in their message form (a Timestamp as `{ seconds, nanos }`).
 *
 * @example
 * const detail = packAny(protos, 'payments.v1.Refund', { refundId: 'r1', amountCents: 500n });
 *
 * @throws Error naming the type and the fix when `protos` does not define it; TypeError when `message` does
 *   not fit it.
 */
export function packAny(protos: ProtoSet, typeName: string, message: unknown): Any {
  const codec = protos.codec<unknown>(typeName);
  return { typeUrl: TYPE_URL_PREFIX + codec.typeName, value: codec.encode(message) };
}

/**
 * Unpacks the message a google.protobuf.Any holds, with the codec `protos` has for the type its URL names
 * (the part after the last `/`, whatever the host). `T` is the caller's statement of that type.
 *
 * @example
 * if (anyTypeName(detail) === 'payments.v1.Refund') console.log(unpackAny<Refund>(protos, detail).refundId);
 *
 * @throws Error naming the type and the fix when `protos` does not define it, or when the bytes are not a
 *   message of it.
 */
export function unpackAny<T>(protos: ProtoSet, any: { readonly typeUrl: string; readonly value: Uint8Array }): T {
  const name = anyTypeName(any);
  let codec: ReturnType<ProtoSet['codec']>;
  try {
    codec = protos.codec<unknown>(name);
  } catch (error: unknown) {
    throw new Error(
      `cannot unpack a google.protobuf.Any holding "${name}" (type URL ${JSON.stringify(any.typeUrl)}): that message type is not in the loaded protos; load the .proto file that defines it into the ProtoSet given to unpackAny`,
      { cause: error },
    );
  }
  // T is the caller's statement of the type the URL names, which the codec cannot check statically.
  return codec.decode(any.value) as T;
}

/** The full name of the type a google.protobuf.Any holds: what its URL has after the last `/`. */
export function anyTypeName(any: { readonly typeUrl: string }): string {
  return any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1);
}
