import type { Enum, Field, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import type { MessageCodec } from '../definition.js';
import { checkedReader } from './checked-reader.js';
import { declaredOneofs, fieldShape, mappedFields, propertyName } from './field-shapes.js';
import { FieldTypeError } from './field-type-error.js';
import { mapKeyConverter } from './map-keys.js';
import { type FieldPlan, MessageConverter, type PlainObject } from './message-converter.js';
import { enumConverter, scalarConverter, type ValueConverter } from './value-converters.js';

/**
 * The plain-object codecs of the message types of one protobufjs Root, each built once and then cached.
 *
 * A codec validates and converts a plain object into the object protobufjs's generated encoder reads, and a
 * decoded protobufjs message into a plain object; protobufjs does the wire format both ways. Per type, the
 * field conversions are planned once (closures per field, converters shared per type), so a call does no
 * reflection lookups. The mapping is described in `field-shapes.ts` and on each converter.
 */
export class MessageCodecs {
  readonly #converters = new Map<Type, MessageConverter>();
  readonly #enums = new Map<Enum, ValueConverter>();
  readonly #codecs = new Map<Type, MessageCodec<unknown>>();

  /** The codec of a message type of this Root. */
  codec<T>(type: Type): MessageCodec<T> {
    let codec = this.#codecs.get(type);
    if (codec === undefined) {
      codec = createCodec(type, this.#converter(type));
      this.#codecs.set(type, codec);
    }
    // The caller names T (generated code does, from the same proto), which the codec cannot check statically.
    return codec as MessageCodec<T>;
  }

  #converter(type: Type): MessageConverter {
    let converter = this.#converters.get(type);
    if (converter === undefined) {
      // Cached before its fields are planned, so recursive types find it instead of recursing forever.
      converter = new MessageConverter(type);
      this.#converters.set(type, converter);
      const fields = mappedFields(type).map((field) => this.#planField(field));
      checkDistinctProperties(type, fields);
      converter.plan(
        fields,
        declaredOneofs(type).map((oneof) => ({
          name: oneof.name,
          props: oneof.fieldsArray.map(propertyName),
          keys: oneof.fieldsArray.map((field) => field.name),
        })),
      );
    }
    return converter;
  }

  #planField(field: Field): FieldPlan {
    const resolved = field.resolve().resolvedType;
    let value: ValueConverter;
    if (resolved instanceof protobuf.Type) value = this.#converter(resolved).asValue;
    else if (resolved instanceof protobuf.Enum) value = this.#enumConverter(resolved);
    else value = scalarConverter(field.type);
    return {
      prop: propertyName(field),
      key: field.name,
      shape: fieldShape(field),
      required: field.required,
      value,
      mapKey: field instanceof protobuf.MapField ? mapKeyConverter(field.keyType) : undefined,
    };
  }

  #enumConverter(enumType: Enum): ValueConverter {
    let converter = this.#enums.get(enumType);
    if (converter === undefined) {
      converter = enumConverter(enumType);
      this.#enums.set(enumType, converter);
    }
    return converter;
  }
}

function checkDistinctProperties(type: Type, fields: readonly FieldPlan[]): void {
  const seen = new Map<string, string>();
  for (const field of fields) {
    const other = seen.get(field.prop);
    if (other !== undefined) {
      throw new Error(
        `fields "${other}" and "${field.key}" of ${type.fullName.slice(1)} both map to the property "${field.prop}"; rename one`,
      );
    }
    seen.set(field.prop, field.key);
  }
}

function createCodec(type: Type, converter: MessageConverter): MessageCodec<unknown> {
  const typeName = type.fullName.slice(1);
  // Closures rather than methods, so `codec.encode` still works when passed around unbound.
  return Object.freeze({
    typeName,
    encode(value: unknown): Uint8Array {
      let wire: PlainObject;
      try {
        wire = converter.toWire(value);
      } catch (error: unknown) {
        throw error instanceof FieldTypeError ? error.toTypeError(typeName) : error;
      }
      return type.encode(wire).finish();
    },
    decode(bytes: Uint8Array): unknown {
      let message: PlainObject;
      try {
        message = type.decode(checkedReader(bytes)) as unknown as PlainObject;
      } catch (error: unknown) {
        throw new Error(`cannot decode ${typeName}: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        });
      }
      return converter.fromWire(message);
    },
  });
}
