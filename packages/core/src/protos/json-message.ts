import { expected, FieldTypeError } from './field-type-error.js';
import type { JsonConverter } from './json-scalars.js';
import type { JsonObject, JsonValue } from './json-value.js';
import type { MapKeyConverter } from './map-keys.js';
import type { PlainObject } from './message-converter.js';

// The JSON of an ordinary message, field by field, between JSON and the object protobufjs's encoder reads.

/** One field as the JSON mapping sees it. */
export interface JsonField {
  /** The protobufjs field name: the key of the encoder's object, and the name JSON input may use too. */
  readonly key: string;
  /** The name JSON output uses: `json_name`, or the lowerCamelCase of the field name. */
  readonly jsonName: string;
  readonly shape: 'single' | 'repeated' | 'map';
  readonly value: JsonConverter;
  readonly mapKey: MapKeyConverter | undefined;
  /** The declared oneof the field belongs to. */
  readonly oneof: string | undefined;
  /** For a field without presence, whether an encoder-ready value is its zero value, which proto3 leaves off the wire. */
  readonly isZero: ((wire: unknown) => boolean) | undefined;
  /** A proto2 `required` field. */
  readonly required: boolean;
}

/** The JSON object of a message: fields by JSON name, those not set or at their defaults left out. */
export function messageToJson(fields: readonly JsonField[], wire: PlainObject): JsonObject {
  const out: JsonObject = {};
  let current: JsonField | undefined;
  try {
    for (const field of fields) {
      current = field;
      const item = wire[field.key];
      if (item === undefined) continue;
      switch (field.shape) {
        case 'single':
          out[field.jsonName] = field.value.toJson(item);
          break;
        case 'repeated': {
          const list = item as unknown[];
          if (list.length > 0) out[field.jsonName] = listToJson(list, field.value);
          break;
        }
        case 'map': {
          const map = mapToJson(item as PlainObject, field.mapKey as MapKeyConverter, field.value);
          if (map !== undefined) out[field.jsonName] = map;
          break;
        }
      }
    }
  } catch (error: unknown) {
    if (error instanceof FieldTypeError && current !== undefined) error.path.unshift(`.${current.jsonName}`);
    throw error;
  }
  return out;
}

function listToJson(list: readonly unknown[], converter: JsonConverter): JsonValue[] {
  const out = new Array<JsonValue>(list.length);
  let i = 0;
  try {
    for (; i < list.length; i++) out[i] = converter.toJson(list[i]);
  } catch (error: unknown) {
    if (error instanceof FieldTypeError) error.path.unshift(`[${i}]`);
    throw error;
  }
  return out;
}

function mapToJson(map: PlainObject, keys: MapKeyConverter, converter: JsonConverter): JsonObject | undefined {
  const wireKeys = Object.keys(map);
  if (wireKeys.length === 0) return undefined;
  const out: JsonObject = {};
  for (const key of wireKeys) {
    // The encoder's object holds a false bool key as '' (see map-keys.ts).
    const jsonKey = key === '' && keys.toWire('false') === '' ? 'false' : key;
    try {
      setKey(out, jsonKey, converter.toJson(map[key]));
    } catch (error: unknown) {
      if (error instanceof FieldTypeError) error.path.unshift(`[${JSON.stringify(jsonKey)}]`);
      throw error;
    }
  }
  return out;
}

/**
 * The encoder's object for a message's JSON: JSON or proto field names, `null` for "not set"; unknown and
 * repeated fields, two members of a oneof and missing required fields are refused.
 */
export function messageFromJson(
  fields: readonly JsonField[],
  byName: ReadonlyMap<string, JsonField>,
  json: unknown,
  typeName: string,
): PlainObject {
  if (!isJsonObject(json)) throw expected(`a JSON object (a ${typeName})`, json);
  const out: PlainObject = {};
  const seen = new Map<JsonField, string>();
  const oneofs = new Map<string, string>();
  for (const key of Object.keys(json)) {
    const field = byName.get(key);
    if (field === undefined) {
      const names = fields.map((f) => f.jsonName).join(', ');
      throw new FieldTypeError(`has no field "${key}" (fields: ${names === '' ? 'none' : names})`);
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) throw new FieldTypeError(`sets field "${field.jsonName}" twice, as "${earlier}" and as "${key}"`);
    seen.set(field, key);
    const item = json[key];
    // null means "not set", except for the types whose values include null.
    if (item === null && !(field.shape === 'single' && field.value.nullIsValue === true)) continue;
    if (field.oneof !== undefined) {
      const other = oneofs.get(field.oneof);
      if (other !== undefined)
        throw new FieldTypeError(`sets "${other}" and "${key}", which belong to oneof "${field.oneof}"; set at most one`);
      oneofs.set(field.oneof, key);
    }
    try {
      switch (field.shape) {
        case 'single': {
          const wire = field.value.fromJson(item);
          // Zero values of fields without presence stay off the wire, so an Any's payload is encoded canonically.
          if (field.isZero === undefined || !field.isZero(wire)) out[field.key] = wire;
          break;
        }
        case 'repeated':
          out[field.key] = listFromJson(item, field.value);
          break;
        case 'map':
          out[field.key] = mapFromJson(item, field.mapKey as MapKeyConverter, field.value);
          break;
      }
    } catch (error: unknown) {
      if (error instanceof FieldTypeError) error.path.unshift(`.${key}`);
      throw error;
    }
  }
  for (const field of fields) {
    if (field.required && !Object.hasOwn(out, field.key)) {
      const error = new FieldTypeError('is required, but not set');
      error.path.unshift(`.${field.jsonName}`);
      throw error;
    }
  }
  return out;
}

function listFromJson(json: unknown, converter: JsonConverter): unknown[] {
  if (!Array.isArray(json)) throw expected('a JSON array', json);
  const out = new Array<unknown>(json.length);
  let i = 0;
  try {
    for (; i < json.length; i++) {
      const item: unknown = json[i];
      if (item === null && converter.nullIsValue !== true) throw notNull('a list item');
      out[i] = converter.fromJson(item);
    }
  } catch (error: unknown) {
    if (error instanceof FieldTypeError) error.path.unshift(`[${i}]`);
    throw error;
  }
  return out;
}

function mapFromJson(json: unknown, keys: MapKeyConverter, converter: JsonConverter): PlainObject {
  if (!isJsonObject(json)) throw expected('a JSON object (a map)', json);
  const out: PlainObject = {};
  for (const key of Object.keys(json)) {
    try {
      const wireKey = keys.toWire(key);
      if (Object.hasOwn(out, wireKey)) throw new FieldTypeError('is given twice (as another spelling of the same key)');
      const item = json[key];
      if (item === null && converter.nullIsValue !== true) throw notNull('a map value');
      setKey(out, wireKey, converter.fromJson(item));
    } catch (error: unknown) {
      if (error instanceof FieldTypeError) error.path.unshift(`[${JSON.stringify(key)}]`);
      throw error;
    }
  }
  return out;
}

function notNull(what: string): FieldTypeError {
  return new FieldTypeError(`${what} cannot be null`);
}

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets a key of an object, `__proto__` included, without touching the object's prototype. */
function setKey(target: PlainObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
