import type { MessageCodec } from '../definition.js';
import type { MessageInit } from '../message-init.js';
import type { ProtoSet } from './proto-set.js';

/**
 * A google.protobuf.Any as it appears in messages: a serialized message of any type, and the URL naming that
 * type (`type.googleapis.com/<full name>`). `packAny` and `unpackAny` make and read one, checked by a message codec.
 */
export interface Any {
  typeUrl: string;
  value: Uint8Array;
}

const TYPE_URL_PREFIX = 'type.googleapis.com/';

/**
 * Packs a message into a google.protobuf.Any with the codec of its type, which also checks the message's shape
 * at compile time: `message` is a `MessageInit` of the codec's type. Well-known types are packed in their
 * message form (a Timestamp as `{ seconds, nanos }`).
 *
 * @example
 * const refunds = protos.codec<Refund>('payments.v1.Refund');
 * const detail = packAny(refunds, { refundId: 'r1', amountCents: 500n });
 *
 * @throws TypeError naming the path of a value that does not fit the type (from untyped code).
 */
export function packAny<T>(codec: MessageCodec<T>, message: MessageInit<T>): Any;
/**
 * Packs a message into a google.protobuf.Any by the name of its type in `protos`. Unchecked: the type is known
 * only at run time, so any `message` compiles, and the encoder checks it when it runs. Prefer the codec form
 * when the type is known in the code; this one is for types chosen at run time (a name from a request or a
 * configuration).
 *
 * @example
 * const detail = packAny(protos, 'payments.v1.Refund', { refundId: 'r1', amountCents: 500n });
 *
 * @throws Error naming the type and the fix when `protos` does not define it; TypeError when `message` does
 *   not fit it.
 */
export function packAny(protos: ProtoSet, typeName: string, message: unknown): Any;
export function packAny(source: MessageCodec<unknown> | ProtoSet, typeNameOrMessage: unknown, message?: unknown): Any {
  if (isCodec(source)) return { typeUrl: TYPE_URL_PREFIX + source.typeName, value: source.encode(typeNameOrMessage) };
  const codec = source.codec<unknown>(typeNameOrMessage as string);
  return { typeUrl: TYPE_URL_PREFIX + codec.typeName, value: codec.encode(message) };
}

/**
 * Unpacks the message a google.protobuf.Any holds with the codec of the type expected there, typed by it. The
 * Any must name that type (the part of its URL after the last `/`, whatever the host): check `anyTypeName`
 * first when an Any may hold one of several types.
 *
 * @example
 * const refunds = protos.codec<Refund>('payments.v1.Refund');
 * if (anyTypeName(detail) === refunds.typeName) console.log(unpackAny(refunds, detail).refundId);
 *
 * @throws Error naming both types when the Any holds another type, or when the bytes are not a message of it.
 */
export function unpackAny<T>(codec: MessageCodec<T>, any: { readonly typeUrl: string; readonly value: Uint8Array }): T;
/**
 * Unpacks the message a google.protobuf.Any holds with the codec `protos` has for the type its URL names.
 * Unchecked: `T` is the caller's claim about that type, which nothing verifies (it defaults to `unknown`);
 * prefer the codec form, which checks the URL and types the result. This one is for Anys of any type.
 *
 * @example
 * const message = unpackAny(protos, detail); // unknown: whatever type the URL names
 *
 * @throws Error naming the type and the fix when `protos` does not define it, or when the bytes are not a
 *   message of it.
 */
export function unpackAny<T = unknown>(protos: ProtoSet, any: { readonly typeUrl: string; readonly value: Uint8Array }): T;
export function unpackAny(
  source: MessageCodec<unknown> | ProtoSet,
  any: { readonly typeUrl: string; readonly value: Uint8Array },
): unknown {
  const name = anyTypeName(any);
  if (isCodec(source)) {
    if (name !== source.typeName) {
      throw new Error(
        `cannot unpack a google.protobuf.Any holding "${name}" (type URL ${JSON.stringify(any.typeUrl)}) as ${source.typeName}; check anyTypeName(any) before unpacking`,
      );
    }
    return source.decode(any.value);
  }
  let codec: MessageCodec<unknown>;
  try {
    codec = source.codec<unknown>(name);
  } catch (error: unknown) {
    throw new Error(
      `cannot unpack a google.protobuf.Any holding "${name}" (type URL ${JSON.stringify(any.typeUrl)}): that message type is not in the loaded protos; load the .proto file that defines it into the ProtoSet given to unpackAny`,
      { cause: error },
    );
  }
  return codec.decode(any.value);
}

/** A codec has `encode`; a ProtoSet has none. */
function isCodec(source: MessageCodec<unknown> | ProtoSet): source is MessageCodec<unknown> {
  return typeof (source as Partial<MessageCodec<unknown>>).encode === 'function';
}

/** The full name of the type a google.protobuf.Any holds: what its URL has after the last `/`. */
export function anyTypeName(any: { readonly typeUrl: string }): string {
  return any.typeUrl.slice(any.typeUrl.lastIndexOf('/') + 1);
}
