import type { Enum, Field, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import { fieldShape, isSyntheticOneof, jsonName, mappedFields } from './field-shapes.js';
import { anyJson } from './json-any.js';
import { type JsonField, messageFromJson, messageToJson } from './json-message.js';
import { enumJson, type JsonConverter, scalarJson } from './json-scalars.js';
import {
  DURATION_JSON,
  FIELD_MASK_JSON,
  LIST_VALUE_JSON,
  STRUCT_JSON,
  TIMESTAMP_JSON,
  VALUE_JSON,
  wrapperJson,
} from './json-well-known.js';
import { mapKeyConverter } from './map-keys.js';
import type { PlainObject } from './message-converter.js';
import { scalarConverter, type ValueConverter } from './value-converters.js';
import { fullNameOf, WRAPPED_SCALARS } from './well-known-types.js';

/** What the JSON mapping needs from the rest of a ProtoSet. */
export interface JsonContext {
  /** A message type of the set by full name, for google.protobuf.Any; `undefined` when not loaded. */
  readonly findType: (fullName: string) => Type | undefined;
  /** The encoder-ready object of a message of `type` serialized as `bytes` (an Any's payload). */
  readonly wireOf: (type: Type, bytes: Uint8Array) => PlainObject;
  /** The value converter of an enum, which checks names and numbers. */
  readonly enumValues: (enumType: Enum) => ValueConverter;
}

/**
 * The proto3 JSON mapping of the message types of one Root (https://protobuf.dev/programming-guides/json/),
 * between JSON and the objects protobufjs's encoder reads; the codecs add the step to and from plain
 * messages. Each type's converter is built on first use, then cached.
 *
 * Out: fields by their JSON names, those with default values left out (fields with presence are shown when
 * set); 64-bit integers as strings; enums by name (unknown numbers as numbers); bytes as standard base64;
 * NaN and infinities as strings; well-known types in their own forms. In: JSON or proto field names, numbers
 * as numbers or strings, enums by name or number, base64 standard or URL-safe with or without padding, and
 * `null` for "not set" (NULL_VALUE for google.protobuf.Value). Unknown fields are refused.
 */
export class JsonMappings {
  readonly #messages = new Map<Type, JsonConverter>();
  readonly #context: JsonContext;

  constructor(context: JsonContext) {
    this.#context = context;
  }

  /** The JSON converter of a message type. */
  message(type: Type): JsonConverter {
    let converter = this.#messages.get(type);
    if (converter === undefined) {
      converter = this.#wellKnown(type) ?? this.#fieldByField(type);
      this.#messages.set(type, converter);
    }
    return converter;
  }

  #wellKnown(type: Type): JsonConverter | undefined {
    const name = fullNameOf(type);
    switch (name) {
      case 'google.protobuf.Timestamp':
        return TIMESTAMP_JSON;
      case 'google.protobuf.Duration':
        return DURATION_JSON;
      case 'google.protobuf.FieldMask':
        return FIELD_MASK_JSON;
      case 'google.protobuf.Struct':
        return STRUCT_JSON;
      case 'google.protobuf.Value':
        return VALUE_JSON;
      case 'google.protobuf.ListValue':
        return LIST_VALUE_JSON;
      case 'google.protobuf.Any':
        return anyJson(this.#context, (payload) => this.message(payload));
    }
    const wrapped = WRAPPED_SCALARS[name];
    return wrapped === undefined ? undefined : wrapperJson(wrapped);
  }

  #fieldByField(type: Type): JsonConverter {
    const fields: JsonField[] = [];
    const byName = new Map<string, JsonField>();
    const message: JsonConverter = {
      toJson: (wire) => messageToJson(fields, wire as PlainObject),
      fromJson: (json) => messageFromJson(fields, byName, json, fullNameOf(type)),
    };
    // Cached before its fields are planned, so recursive types find it instead of recursing forever.
    this.#messages.set(type, message);
    for (const field of mappedFields(type)) {
      const planned: JsonField = {
        key: field.name,
        jsonName: jsonName(field),
        shape: field.map ? 'map' : field.repeated ? 'repeated' : 'single',
        value: this.#value(field),
        mapKey: field instanceof protobuf.MapField ? mapKeyConverter(field.keyType) : undefined,
        oneof: field.partOf !== null && !isSyntheticOneof(field.partOf) ? field.partOf.name : undefined,
        isZero: fieldShape(field) === 'implicit' ? this.#valueConverter(field).isZero : undefined,
        required: field.required,
      };
      fields.push(planned);
      byName.set(planned.jsonName, planned);
      byName.set(planned.key, planned);
    }
    return message;
  }

  /** The value converter of a scalar or enum field, for its zero value. */
  #valueConverter(field: Field): ValueConverter {
    const resolved = field.resolvedType;
    return resolved instanceof protobuf.Enum ? this.#context.enumValues(resolved) : scalarConverter(field.type);
  }

  #value(field: Field): JsonConverter {
    const resolved = field.resolve().resolvedType;
    if (resolved instanceof protobuf.Type) return this.message(resolved);
    if (resolved instanceof protobuf.Enum) return enumJson(resolved, this.#context.enumValues(resolved));
    return scalarJson(field.type);
  }
}
