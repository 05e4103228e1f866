/**
 * The shape a message may be given in: every field optional, recursively. Missing scalars are sent as their
 * proto3 defaults, missing messages as absent. What a peer receives is always the full message type.
 *
 * @example
 * const init: MessageInit<Payment> = { paymentId: 'p1', amountCents: 1250n };
 */
export type MessageInit<T> = T extends bigint | string | number | boolean | Uint8Array
  ? T
  : T extends readonly (infer E)[]
    ? readonly MessageInit<E>[]
    : T extends object
      ? { [K in keyof T]?: MessageInit<T[K]> }
      : T;
