import type { JsonValue } from './protos/json-value.js';

/**
 * The shape a message may be given in: every field optional, recursively. Missing scalars are sent as their
 * proto3 defaults, missing messages as absent. What a peer receives is always the full message type.
 *
 * Values that are not messages are taken as they are: dates (Timestamp fields), JSON values (Struct and
 * Value fields), and the `{ case, value }` of a oneof, whose `value` may again be partial.
 *
 * @example
 * const init: MessageInit<Payment> = { paymentId: 'p1', amountCents: 1250n };
 */
export type MessageInit<T> = T extends bigint | string | number | boolean | Uint8Array | Date | null | undefined
  ? T
  : T extends readonly (infer E)[]
    ? readonly MessageInit<E>[]
    : T extends { readonly case: infer C extends string; readonly value: infer V }
      ? // A oneof member's `case` is one literal; a message with fields named `case` and `value` has `string`.
        string extends C
        ? { [K in keyof T]?: MessageInit<T[K]> }
        : { readonly case: C; readonly value: MessageInit<V> }
      : T extends JsonValue
        ? T
        : T extends object
          ? { [K in keyof T]?: MessageInit<T[K]> }
          : T;
