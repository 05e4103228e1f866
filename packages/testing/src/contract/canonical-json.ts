import type { MessageCodec } from '@wirekit/core';
import { ANY_VALUE, isJsonObject } from './json-difference.js';
import type { FieldShape, MessageShapes } from './message-shapes.js';
import type { RecordedJson } from './recorded-exchange.js';

type JsonObject = { [key: string]: RecordedJson };
type JsonPath = readonly (string | number)[];

/**
 * A recorded message in the form `toJson` gives the actual one, so that any valid proto3 JSON spelling of the
 * same message matches it: defaults left out (`{"count":0}`, `[]`, enum value 0), JSON field names
 * (`amount_cents` → `amountCents`), 64-bit numbers as strings, enums by name, well-known types in their own
 * forms. `"<any>"` placeholders stay where they were, under the field's JSON name.
 *
 * Each placeholder is swapped for a valid value of its field (`""`, `0`, `{}`, …) so the codec can read the
 * message, then put back at the same path of the canonical form: for a repeated field the position is kept,
 * so indexes do not move.
 *
 * @throws TypeError from the codec, naming the path, when the recording is not a valid message of the type.
 */
export function canonicalJson(codec: MessageCodec<unknown>, shapes: MessageShapes, recorded: RecordedJson): RecordedJson {
  if (recorded === ANY_VALUE) return recorded;
  const placeholders: JsonPath[] = [];
  const readable = withStandIns(shapes, codec.typeName, recorded, [], placeholders);
  const canonical = codec.toJson(codec.fromJson(readable)) as RecordedJson;
  for (const path of placeholders) placeAt(canonical, path);
  return canonical;
}

function withStandIns(shapes: MessageShapes, typeName: string, json: RecordedJson, path: JsonPath, found: JsonPath[]): RecordedJson {
  if (!isJsonObject(json)) return json; // not a message: the codec says so, with the path
  const copy: JsonObject = {};
  for (const [key, value] of Object.entries(json)) {
    const field = shapes.field(typeName, key);
    // An unknown field stays, for the codec to refuse by name.
    if (field === undefined) copy[key] = value;
    else copy[key] = fieldWithStandIns(shapes, field, value, [...path, field.jsonName], found);
  }
  return copy;
}

function fieldWithStandIns(shapes: MessageShapes, field: FieldShape, value: RecordedJson, path: JsonPath, found: JsonPath[]): RecordedJson {
  if (value === ANY_VALUE) {
    found.push(path);
    return field.mapValue ? {} : field.repeated ? [] : standIn(field);
  }
  const { mapValue } = field;
  if (mapValue && isJsonObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, valueWithStandIns(shapes, mapValue, item, [...path, key], found)]),
    );
  }
  if (field.repeated && Array.isArray(value)) {
    return value.map((item, index) => valueWithStandIns(shapes, field, item, [...path, index], found));
  }
  return valueWithStandIns(shapes, field, value, path, found);
}

function valueWithStandIns(shapes: MessageShapes, field: FieldShape, value: RecordedJson, path: JsonPath, found: JsonPath[]): RecordedJson {
  if (value === ANY_VALUE) {
    found.push(path);
    return standIn(field);
  }
  const { typeName } = field;
  const nested = field.type === 'TYPE_MESSAGE' && typeName !== undefined && !Object.hasOwn(WELL_KNOWN_STAND_INS, typeName);
  return nested ? withStandIns(shapes, typeName, value, path, found) : value;
}

/** A valid JSON value of one (non-repeated) value of the field: what the placeholder stands in for. */
function standIn(field: FieldShape): RecordedJson {
  if (field.type === 'TYPE_MESSAGE') {
    const { typeName } = field;
    return typeName !== undefined && Object.hasOwn(WELL_KNOWN_STAND_INS, typeName) ? (WELL_KNOWN_STAND_INS[typeName] as RecordedJson) : {};
  }
  if (field.type === 'TYPE_STRING' || field.type === 'TYPE_BYTES') return '';
  if (field.type === 'TYPE_BOOL') return false;
  return 0; // numbers and enums
}

// Well-known types have JSON forms of their own (a timestamp is a string), so they are never walked into.
const WELL_KNOWN_STAND_INS: Readonly<Record<string, RecordedJson>> = {
  'google.protobuf.Timestamp': '1970-01-01T00:00:00Z',
  'google.protobuf.Duration': '0s',
  'google.protobuf.FieldMask': '',
  'google.protobuf.Struct': {},
  'google.protobuf.Value': null,
  'google.protobuf.ListValue': [],
  'google.protobuf.Any': {},
  'google.protobuf.DoubleValue': 0,
  'google.protobuf.FloatValue': 0,
  'google.protobuf.Int64Value': 0,
  'google.protobuf.UInt64Value': 0,
  'google.protobuf.Int32Value': 0,
  'google.protobuf.UInt32Value': 0,
  'google.protobuf.BoolValue': false,
  'google.protobuf.StringValue': '',
  'google.protobuf.BytesValue': '',
};

/** Puts the placeholder back, creating the objects the canonical form left out because they were empty. */
function placeAt(canonical: RecordedJson, path: JsonPath): void {
  let container = canonical as JsonObject | RecordedJson[];
  for (const [index, key] of path.entries()) {
    const slot = container as Record<string | number, RecordedJson>;
    if (index === path.length - 1) {
      slot[key] = ANY_VALUE;
      return;
    }
    const next = slot[key];
    if (typeof next !== 'object' || next === null) slot[key] = {};
    container = slot[key] as JsonObject | RecordedJson[];
  }
}
