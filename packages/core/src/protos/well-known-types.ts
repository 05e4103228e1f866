import type { Type } from 'protobufjs';

/**
 * How a field of a well-known message type appears in plain messages when not as an ordinary message:
 *
 * - `timestamp`: google.protobuf.Timestamp as a `Date` (decoded as a `ProtoTimestamp`, exact to the nanosecond).
 * - `wrapper`: google.protobuf.DoubleValue, Int64Value, …, BytesValue as the wrapped scalar itself.
 * - `struct`, `value`, `list-value`: google.protobuf.Struct, Value and ListValue as JSON values.
 * - `field-mask`: google.protobuf.FieldMask as the array of its paths.
 *
 * Only fields take these forms. A codec of the type itself (an rpc's request or response) keeps the message
 * form, as do Duration (`{ seconds, nanos }`), Any (`{ typeUrl, value }`) and Empty (`{}`).
 */
export type FieldForm = 'timestamp' | 'wrapper' | 'struct' | 'value' | 'list-value' | 'field-mask';

/** The scalar each wrapper type wraps, by the wrapper's full name. */
export const WRAPPED_SCALARS: Readonly<Record<string, string>> = Object.freeze({
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
});

const FORMS: Readonly<Record<string, FieldForm>> = Object.freeze({
  'google.protobuf.Timestamp': 'timestamp',
  'google.protobuf.Struct': 'struct',
  'google.protobuf.Value': 'value',
  'google.protobuf.ListValue': 'list-value',
  'google.protobuf.FieldMask': 'field-mask',
  ...Object.fromEntries(Object.keys(WRAPPED_SCALARS).map((name) => [name, 'wrapper' as const])),
});

/** The full name of a message type, without protobufjs's leading dot. */
export function fullNameOf(type: Type): string {
  return type.fullName.slice(1);
}

/** How fields of this message type appear, or `undefined` when they are ordinary messages. */
export function fieldForm(type: Type): FieldForm | undefined {
  return FORMS[fullNameOf(type)];
}
