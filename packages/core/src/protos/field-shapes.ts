import type { Field, OneOf, Type } from 'protobufjs';
import protobuf from 'protobufjs';

/**
 * How a field appears in a plain message object; the codecs and the TypeScript generator both follow it, so
 * generated types match what the codecs produce.
 *
 * - `implicit`: a proto3 scalar without `optional`. Always present after decoding (the zero value when not on
 *   the wire); the zero value is left off the wire when encoding.
 * - `explicit`: a field with presence: a message, a proto3 `optional` scalar, a oneof member, a proto2
 *   optional or required field. `undefined` when not on the wire; sent whenever set, even to a zero value.
 *   The members of a declared oneof are not properties of their own: the oneof is one property holding
 *   `{ case, value }` (see `OneofPlan`). Fields of some well-known types take other forms (see `FieldForm`).
 * - `repeated`: an array, `[]` when empty.
 * - `map`: a plain object with string keys.
 */
export type FieldShape = 'implicit' | 'explicit' | 'repeated' | 'map';

/** The shape of a resolved field. */
export function fieldShape(field: Field): FieldShape {
  if (field.map) return 'map';
  if (field.repeated) return 'repeated';
  // protobufjs reports proto3 message fields as without presence, but they have it: unset is not `{}`.
  if (field.resolvedType instanceof protobuf.Type || field.hasPresence) return 'explicit';
  return 'implicit';
}

/** The property name of a field in plain objects: protobufjs's camelCase, `amount_cents` → `amountCents`. */
export function propertyName(field: Field): string {
  return protobuf.util.camelCase(field.name);
}

/** A field's name in JSON: its `json_name` option, or protoc's lowerCamelCase of its name (`amount_cents` → `amountCents`). */
export function jsonName(field: Field): string {
  const option: unknown = field.options?.json_name;
  return typeof option === 'string' ? option : protocJsonName(field.name);
}

/** protoc's json_name: underscores dropped, the character after each one upper-cased. */
export function protocJsonName(name: string): string {
  return name.replace(/_+(.?)/g, (_, next: string) => next.toUpperCase());
}

/** The property name of a declared oneof in plain objects: `contact_info` → `contactInfo`, as for fields. */
export function oneofPropertyName(oneof: OneOf): string {
  return protobuf.util.camelCase(oneof.name);
}

/** The fields a message maps: its own, not extensions declared on it elsewhere. */
export function mappedFields(type: Type): Field[] {
  return type.fieldsArray.filter((field) => field.declaringField === null && field.extend === undefined);
}

/** The fields a message maps that belong to no declared oneof, in proto order. */
export function plainFields(type: Type): Field[] {
  return mappedFields(type).filter((field) => field.partOf === null || isSyntheticOneof(field.partOf));
}

/** The oneofs written in the proto, without those protobufjs (like protoc) synthesizes for proto3 `optional`. */
export function declaredOneofs(type: Type): OneOf[] {
  return type.oneofsArray.filter((oneof) => !isSyntheticOneof(oneof));
}

/** A proto3 `optional` field sits alone in a synthetic oneof. */
export function isSyntheticOneof(oneof: OneOf): boolean {
  const only = oneof.fieldsArray[0];
  return oneof.fieldsArray.length === 1 && only?.options?.proto3_optional === true;
}
