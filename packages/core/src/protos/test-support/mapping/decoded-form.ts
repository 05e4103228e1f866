import { type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { wrappedScalar } from './arbitraries.js';
import type { OneofValue, Plain } from './bufbuild-bridge.js';

/**
 * What decoding the encoding of a plain message gives, by the mapping's contract: plain proto3 scalars and
 * enums present with their defaults, lists and maps present (empty when unset), fields with presence
 * (messages, `optional`, wrappers, oneofs) left unset when unset. Nested messages get the same treatment.
 */
export function decodedForm(message: DescMessage, value: Plain): Plain {
  const out: Plain = {};
  for (const field of message.fields) {
    if (field.oneof !== undefined) continue;
    const item = value[field.localName];
    const decoded = item === undefined ? unsetValue(field) : setValue(field, item);
    if (decoded !== undefined) out[field.localName] = decoded;
  }
  for (const oneof of message.oneofs) {
    const set = value[oneof.localName] as OneofValue | undefined;
    const member = oneof.fields.find((field) => field.localName === set?.case);
    if (set !== undefined && member !== undefined) {
      out[oneof.localName] = { case: set.case, value: member.fieldKind === 'message' ? messageForm(member.message, set.value) : set.value };
    }
  }
  return out;
}

function unsetValue(field: DescField): unknown {
  switch (field.fieldKind) {
    case 'list':
      return [];
    case 'map':
      return {};
    case 'scalar':
      return field.presence === IMPLICIT ? scalarDefault(field.scalar) : undefined;
    case 'enum':
      return field.presence === IMPLICIT ? field.enum.values.find((item) => item.number === 0)?.name : undefined;
    default:
      return undefined;
  }
}

// FeatureSet.FieldPresence.IMPLICIT: a proto3 field without `optional`.
const IMPLICIT = 2;

function setValue(field: DescField, value: unknown): unknown {
  switch (field.fieldKind) {
    case 'list':
      return field.listKind === 'message' ? (value as unknown[]).map((item) => messageForm(field.message, item)) : value;
    case 'map':
      return field.mapKind === 'message'
        ? Object.fromEntries(Object.entries(value as Plain).map(([key, item]) => [key, messageForm(field.message, item)]))
        : value;
    case 'message':
      return messageForm(field.message, value);
    default:
      return value;
  }
}

function messageForm(message: DescMessage, value: unknown): unknown {
  switch (message.typeName) {
    case 'google.protobuf.Any': {
      const any = value as Plain;
      return { typeUrl: any.typeUrl ?? '', value: any.value ?? new Uint8Array(0) };
    }
    case 'google.protobuf.Duration': {
      const duration = value as Plain;
      return { seconds: duration.seconds ?? 0n, nanos: duration.nanos ?? 0 };
    }
    case 'google.protobuf.Timestamp':
    case 'google.protobuf.Struct':
    case 'google.protobuf.Value':
    case 'google.protobuf.ListValue':
    case 'google.protobuf.FieldMask':
    case 'google.protobuf.Empty':
      return value;
  }
  if (wrappedScalar(message) !== undefined) return value;
  return decodedForm(message, value as Plain);
}

/** The proto3 default of a scalar type. */
export function scalarDefault(type: ScalarType): unknown {
  switch (type) {
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 0n;
    case ScalarType.BOOL:
      return false;
    case ScalarType.STRING:
      return '';
    case ScalarType.BYTES:
      return new Uint8Array(0);
    default:
      return 0;
  }
}
