import { type DescField, type DescMessage, ScalarType } from '@bufbuild/protobuf';
import { wrappedScalar } from './arbitraries.js';
import type { OneofValue, Plain } from './bufbuild-bridge.js';

// A plain message as a ProtoSet loaded with `longs: 'string'` has it: every 64-bit integer (singular, optional,
// repeated, map value, oneof member, Int64Value and UInt64Value wrappers) as a string of decimal digits. Map
// keys are decimal strings in both forms; a Duration's seconds are a string too.

const LONG_SCALARS: ReadonlySet<ScalarType> = new Set([
  ScalarType.INT64,
  ScalarType.UINT64,
  ScalarType.SINT64,
  ScalarType.FIXED64,
  ScalarType.SFIXED64,
]);

/** `value` (a message of `message` with 64-bit integers as bigints) with those integers as decimal strings. */
export function longsAsStrings(message: DescMessage, value: Plain): Plain {
  const out: Plain = { ...value };
  for (const field of message.fields) {
    if (field.oneof !== undefined) continue;
    const item = value[field.localName];
    if (item !== undefined) out[field.localName] = fieldValue(field, item);
  }
  for (const oneof of message.oneofs) {
    const set = value[oneof.localName] as OneofValue | undefined;
    const member = oneof.fields.find((field) => field.localName === set?.case);
    if (set !== undefined && member !== undefined) out[oneof.localName] = { case: set.case, value: singular(member, set.value) };
  }
  return out;
}

function fieldValue(field: DescField, value: unknown): unknown {
  switch (field.fieldKind) {
    case 'list':
      if (field.listKind === 'scalar') return LONG_SCALARS.has(field.scalar) ? (value as bigint[]).map(String) : value;
      return field.listKind === 'message' ? (value as unknown[]).map((item) => messageValue(field.message, item)) : value;
    case 'map': {
      const entries = Object.entries(value as Plain);
      if (field.mapKind === 'scalar' && LONG_SCALARS.has(field.scalar)) return Object.fromEntries(entries.map(([k, v]) => [k, String(v)]));
      if (field.mapKind === 'message') return Object.fromEntries(entries.map(([k, v]) => [k, messageValue(field.message, v)]));
      return value;
    }
    default:
      return singular(field, value);
  }
}

function singular(field: DescField, value: unknown): unknown {
  if (field.fieldKind === 'scalar') return LONG_SCALARS.has(field.scalar) ? String(value) : value;
  if (field.fieldKind === 'message') return messageValue(field.message, value);
  return value;
}

function messageValue(message: DescMessage, value: unknown): unknown {
  const wrapped = wrappedScalar(message);
  if (wrapped !== undefined) return LONG_SCALARS.has(wrapped) ? String(value) : value;
  // A Duration is a message like any other here (its seconds become a string); the other well-known types hold
  // no 64-bit integer in their mapped forms.
  if (message.typeName.startsWith('google.protobuf.') && message.typeName !== 'google.protobuf.Duration') return value;
  return longsAsStrings(message, value as Plain);
}
