/**
 * A JSON value, as `JSON.parse` returns it: how `google.protobuf.Value` fields appear in messages, and what
 * a codec's `toJson` gives.
 *
 * @example
 * const details: JsonValue = { retries: 3, tags: ['a', 'b'], owner: null };
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object: how `google.protobuf.Struct` fields appear in messages. */
export type JsonObject = { [key: string]: JsonValue };
