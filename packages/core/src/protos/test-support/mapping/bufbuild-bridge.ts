import { create, type DescEnum, type DescField, type DescMessage, type JsonValue, type Message } from '@bufbuild/protobuf';
import { wrappedScalar } from './arbitraries.js';

// Translation between Wirekit's plain-object mapping and @bufbuild/protobuf's representation of the same
// message, so that bufbuild can serve as the reference implementation both ways. bufbuild differs in: enums
// as numbers; oneofs as `{ case: undefined }` when unset; Timestamp, Duration, FieldMask, Empty, Any, Value
// and ListValue as messages carrying `$typeName` (singular wrapper fields and Struct fields it unboxes too).

/** A message in Wirekit's mapping. */
export type Plain = Record<string, unknown>;

/** google.protobuf.Any in Wirekit's mapping. */
export interface AnyValue {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

/** A oneof in Wirekit's mapping, when set. */
export interface OneofValue {
  readonly case: string;
  readonly value: unknown;
}

/** What a decoded google.protobuf.Timestamp is: a Date that also carries the exact nanoseconds. */
export type TimestampDate = Date & { readonly nanos?: number };

/** A Date for a Timestamp, with `nanos` as Wirekit's decoded Timestamps carry it. */
export function timestampToDate(seconds: bigint, nanos: number): TimestampDate {
  const date = new Date(Number(seconds) * 1000 + Math.floor(nanos / 1_000_000));
  return Object.assign(date, { nanos });
}

/** The seconds and nanos of a Date, exact when it carries `nanos`. */
export function dateToTimestamp(date: TimestampDate): { seconds: bigint; nanos: number } {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds: BigInt(seconds), nanos: date.nanos ?? (ms - seconds * 1000) * 1_000_000 };
}

// ---- Wirekit → bufbuild ----

/** A bufbuild message holding the same values as a plain message. */
export function toBufbuild(message: DescMessage, value: Plain): Message {
  return create(message, messageInit(message, value) as never);
}

function messageInit(message: DescMessage, value: Plain): Plain {
  const init: Plain = {};
  for (const field of message.fields) {
    if (field.oneof !== undefined) continue;
    const item = value[field.localName];
    if (item !== undefined) init[field.localName] = fieldInit(field, item);
  }
  for (const oneof of message.oneofs) {
    const set = value[oneof.localName] as OneofValue | undefined;
    if (set === undefined) continue;
    const member = oneof.fields.find((field) => field.localName === set.case);
    if (member === undefined) throw new Error(`${oneof.localName}: no member "${set.case}"`);
    init[oneof.localName] = { case: set.case, value: singularInit(member, set.value, true) };
  }
  return init;
}

function fieldInit(field: DescField, value: unknown): unknown {
  return eachFieldValue(
    field,
    value,
    (descEnum, item) => enumNumber(descEnum, item),
    (message, item) => messageValueInit(message, item, true),
    () => singularInit(field, value, false),
  );
}

function singularInit(field: DescField, value: unknown, inOneof: boolean): unknown {
  if (field.fieldKind === 'enum') return enumNumber(field.enum, value);
  if (field.fieldKind === 'message') return messageValueInit(field.message, value, inOneof);
  return value;
}

/** `boxed`: a wrapper outside a singular field (in a list, map or oneof), which bufbuild keeps as a message. */
function messageValueInit(message: DescMessage, value: unknown, boxed: boolean): unknown {
  switch (message.typeName) {
    case 'google.protobuf.Timestamp':
      return dateToTimestamp(value as TimestampDate);
    case 'google.protobuf.Duration':
    case 'google.protobuf.Any':
    case 'google.protobuf.Empty':
      return value;
    case 'google.protobuf.Struct':
      // bufbuild takes a Struct field as a JSON object (except inside a Value, handled by valueInit).
      return value;
    case 'google.protobuf.Value':
      return valueInit(value as JsonValue);
    case 'google.protobuf.ListValue':
      return { values: (value as JsonValue[]).map(valueInit) };
    case 'google.protobuf.FieldMask':
      return { paths: value };
  }
  if (wrappedScalar(message) !== undefined) return boxed ? { value } : value;
  return messageInit(message, value as Plain);
}

function valueInit(value: JsonValue): Plain {
  if (value === null) return { kind: { case: 'nullValue', value: 0 } };
  if (typeof value === 'number') return { kind: { case: 'numberValue', value } };
  if (typeof value === 'string') return { kind: { case: 'stringValue', value } };
  if (typeof value === 'boolean') return { kind: { case: 'boolValue', value } };
  if (Array.isArray(value)) return { kind: { case: 'listValue', value: { values: value.map(valueInit) } } };
  const fields = Object.fromEntries(Object.entries(value).map(([key, item]) => [key, valueInit(item as JsonValue)]));
  return { kind: { case: 'structValue', value: { fields } } };
}

function enumNumber(enumType: DescEnum, value: unknown): number {
  if (typeof value === 'number') return value;
  const found = enumType.values.find((item) => item.name === value);
  if (found === undefined) throw new Error(`${enumType.typeName} has no value ${String(value)}`);
  return found.number;
}

// ---- bufbuild → Wirekit ----

/** A bufbuild message in Wirekit's mapping: what Wirekit's codec is expected to decode the same bytes to. */
export function fromBufbuild(message: DescMessage, value: Message): Plain {
  const source = value as unknown as Plain;
  const out: Plain = {};
  for (const field of message.fields) {
    if (field.oneof !== undefined) continue;
    const item = source[field.localName];
    if (item !== undefined) out[field.localName] = fieldValue(field, item);
  }
  for (const oneof of message.oneofs) {
    const set = source[oneof.localName] as { case: string | undefined; value?: unknown };
    const member = oneof.fields.find((field) => field.localName === set.case);
    if (member !== undefined) out[oneof.localName] = { case: member.localName, value: singularValue(member, set.value, true) };
  }
  return out;
}

function fieldValue(field: DescField, value: unknown): unknown {
  return eachFieldValue(
    field,
    value,
    (descEnum, item) => enumName(descEnum, item),
    (message, item) => messageValue(message, item, true),
    () => singularValue(field, value, false),
  );
}

/** Converts a list's or a map's items with `enumItem`/`messageItem` (scalars pass), or a singular field with `singular`. */
function eachFieldValue(
  field: DescField,
  value: unknown,
  enumItem: (descEnum: DescEnum, item: unknown) => unknown,
  messageItem: (message: DescMessage, item: unknown) => unknown,
  singular: () => unknown,
): unknown {
  switch (field.fieldKind) {
    case 'list':
      return (value as unknown[]).map((item) =>
        field.listKind === 'scalar' ? item : field.listKind === 'enum' ? enumItem(field.enum, item) : messageItem(field.message, item),
      );
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Plain).map(([key, item]) => [
          key,
          field.mapKind === 'scalar' ? item : field.mapKind === 'enum' ? enumItem(field.enum, item) : messageItem(field.message, item),
        ]),
      );
    default:
      return singular();
  }
}

function singularValue(field: DescField, value: unknown, inOneof: boolean): unknown {
  if (field.fieldKind === 'enum') return enumName(field.enum, value);
  if (field.fieldKind === 'message') return messageValue(field.message, value, inOneof);
  return value;
}

function messageValue(message: DescMessage, value: unknown, boxed: boolean): unknown {
  const source = value as Plain;
  switch (message.typeName) {
    case 'google.protobuf.Timestamp':
      return timestampToDate(source.seconds as bigint, source.nanos as number);
    case 'google.protobuf.Duration':
      return { seconds: source.seconds, nanos: source.nanos };
    case 'google.protobuf.Any':
      return { typeUrl: source.typeUrl, value: source.value };
    case 'google.protobuf.Empty':
      return {};
    case 'google.protobuf.Struct':
      return value; // already a JSON object
    case 'google.protobuf.Value':
      return jsonFromValue(source);
    case 'google.protobuf.ListValue':
      return (source.values as Plain[]).map(jsonFromValue);
    case 'google.protobuf.FieldMask':
      return source.paths;
  }
  if (wrappedScalar(message) !== undefined) return boxed ? source.value : value;
  return fromBufbuild(message, value as Message);
}

function jsonFromValue(value: Plain): JsonValue {
  const kind = value.kind as { case: string | undefined; value?: unknown };
  switch (kind.case) {
    case 'numberValue':
    case 'stringValue':
    case 'boolValue':
      return kind.value as JsonValue;
    case 'listValue':
      return ((kind.value as Plain).values as Plain[]).map(jsonFromValue);
    case 'structValue':
      return Object.fromEntries(
        Object.entries((kind.value as Plain).fields as Record<string, Plain>).map(([k, v]) => [k, jsonFromValue(v)]),
      );
    default:
      return null;
  }
}

function enumName(enumType: DescEnum, value: unknown): string | number {
  return enumType.values.find((item) => item.number === value)?.name ?? (value as number);
}
