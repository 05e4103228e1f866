import type { Enum, Field, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import type { MessageCodec } from '../definition.js';
import { checkedReader } from './checked-reader.js';
import { durationProblem } from './duration.js';
import { declaredOneofs, fieldShape, mappedFields, oneofPropertyName, plainFields, propertyName } from './field-shapes.js';
import { FieldTypeError } from './field-type-error.js';
import { JsonMappings } from './json-mapping.js';
import type { JsonConverter } from './json-scalars.js';
import type { JsonValue } from './json-value.js';
import { type LongForm, wireToBigInt } from './long-values.js';
import { mapKeyConverter } from './map-keys.js';
import { type FieldPlan, MessageConverter, type OneofPlan, type PlainObject, type WireCheck } from './message-converter.js';
import { keepUnknownFields } from './unknown-fields.js';
import { enumConverter, scalarConverter, type ValueConverter } from './value-converters.js';
import { fieldFormConverter, wrapperConverter } from './well-known-converters.js';
import { fieldForm, fullNameOf, WRAPPED_SCALARS } from './well-known-types.js';

/** How a ProtoSet's codecs map values (set when it is loaded). */
export interface CodecOptions {
  /**
   * How 64-bit integer fields appear in messages: `'bigint'` (the default) or `'string'` of decimal digits.
   * Map keys are decimal strings either way.
   */
  readonly longs?: LongForm;
}

/**
 * The plain-object codecs of the message types of one protobufjs Root, each built once and then cached.
 *
 * A codec validates and converts a plain object into the object protobufjs's generated encoder reads, and a
 * decoded protobufjs message into a plain object; protobufjs does the wire format both ways. Per type, the
 * field conversions are planned once (closures per field, converters shared per type), so a call does no
 * reflection lookups. The mapping is described in `field-shapes.ts`, `well-known-types.ts` and on each
 * converter; the JSON mapping in `json-mapping.ts`.
 */
export class MessageCodecs {
  readonly #converters = new Map<Type, MessageConverter>();
  readonly #enums = new Map<Enum, ValueConverter>();
  readonly #wrappers = new Map<Type, ValueConverter>();
  readonly #codecs = new Map<Type, MessageCodec<unknown>>();
  readonly #longs: LongForm;
  readonly #json: JsonMappings;

  /** `findType` looks up the message types of the same Root by full name, for google.protobuf.Any in JSON. */
  constructor(options: CodecOptions = {}, findType: (fullName: string) => Type | undefined = () => undefined) {
    this.#longs = options.longs ?? 'bigint';
    this.#json = new JsonMappings({
      findType,
      wireOf: (type, bytes) => {
        const converter = this.#converter(type);
        return converter.toWire(converter.fromWire(type.decode(checkedReader(bytes)) as unknown as PlainObject));
      },
      enumValues: (enumType) => this.#enumConverter(enumType),
    });
  }

  /** The codec of a message type of this Root. */
  codec<T>(type: Type): MessageCodec<T> {
    let codec = this.#codecs.get(type);
    if (codec === undefined) {
      codec = createCodec(type, this.#converter(type), () => this.#json.message(type));
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
      const mapped = mappedFields(type);
      keepUnknownFields(type, new Set(mapped.map((field) => field.id)), mapped.length !== type.fieldsArray.length);
      const fields = plainFields(type).map((field) => this.#planField(field));
      const oneofs = declaredOneofs(type).map(
        (oneof): OneofPlan => ({
          name: oneof.name,
          prop: oneofPropertyName(oneof),
          members: oneof.fieldsArray.map((field) => this.#planField(field)),
        }),
      );
      checkDistinctProperties(type, fields, oneofs);
      converter.plan(fields, oneofs, fullNameOf(type) === 'google.protobuf.Duration' ? checkDuration : undefined);
    }
    return converter;
  }

  #planField(field: Field): FieldPlan {
    return {
      prop: propertyName(field),
      key: field.name,
      shape: fieldShape(field),
      required: field.required,
      value: this.#valueConverter(field),
      mapKey: field instanceof protobuf.MapField ? mapKeyConverter(field.keyType) : undefined,
    };
  }

  #valueConverter(field: Field): ValueConverter {
    const resolved = field.resolve().resolvedType;
    if (resolved instanceof protobuf.Enum) return this.#enumConverter(resolved);
    if (!(resolved instanceof protobuf.Type)) return scalarConverter(field.type, this.#longs);
    const form = fieldForm(resolved);
    if (form === undefined) return this.#converter(resolved).asValue;
    if (form !== 'wrapper') return fieldFormConverter(form);
    let wrapper = this.#wrappers.get(resolved);
    if (wrapper === undefined) {
      const scalar = WRAPPED_SCALARS[fullNameOf(resolved)] as string;
      wrapper = wrapperConverter(scalar, scalarConverter(scalar, this.#longs));
      this.#wrappers.set(resolved, wrapper);
    }
    return wrapper;
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

/** google.protobuf.Duration: seconds within ±315,576,000,000, nanos within ±999,999,999, of one sign. */
const checkDuration: WireCheck = (wire) => {
  const seconds = wire.seconds === undefined ? 0 : Number(wireToBigInt(wire.seconds, false));
  const problem = durationProblem(seconds, (wire.nanos as number | undefined) ?? 0);
  if (problem !== undefined) throw new FieldTypeError(`is not a valid google.protobuf.Duration: ${problem}`);
};

function checkDistinctProperties(type: Type, fields: readonly FieldPlan[], oneofs: readonly OneofPlan[]): void {
  const seen = new Map<string, string>();
  for (const [prop, name] of [...fields.map((f) => [f.prop, `field "${f.key}"`]), ...oneofs.map((o) => [o.prop, `oneof "${o.name}"`])]) {
    const other = seen.get(prop as string);
    if (other !== undefined) {
      throw new Error(`${other} and ${name} of ${fullNameOf(type)} both map to the property "${prop}"; rename one`);
    }
    seen.set(prop as string, name as string);
  }
}

function createCodec(type: Type, converter: MessageConverter, json: () => JsonConverter): MessageCodec<unknown> {
  const typeName = fullNameOf(type);
  const toWire = (value: unknown): PlainObject => {
    try {
      return converter.toWire(value);
    } catch (error: unknown) {
      throw error instanceof FieldTypeError ? error.toTypeError(typeName) : error;
    }
  };
  const decode = (bytes: Uint8Array): unknown => {
    try {
      return converter.fromWire(type.decode(checkedReader(bytes)) as unknown as PlainObject);
    } catch (error: unknown) {
      throw new Error(`cannot decode ${typeName}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
  // Closures rather than methods, so `codec.encode` still works when passed around unbound.
  return Object.freeze({
    typeName,
    encode: (value: unknown): Uint8Array => type.encode(toWire(value)).finish(),
    decode,
    toJson(value: unknown): JsonValue {
      const wire = toWire(value);
      try {
        return json().toJson(wire);
      } catch (error: unknown) {
        throw error instanceof FieldTypeError ? error.toTypeError(typeName) : error;
      }
    },
    fromJson(value: unknown): unknown {
      let wire: unknown;
      try {
        wire = json().fromJson(value);
      } catch (error: unknown) {
        throw error instanceof FieldTypeError ? error.toTypeError(typeName) : error;
      }
      // Through the wire format, so the result is exactly what decoding gives: every default filled in.
      return decode(type.encode(wire as PlainObject).finish());
    },
  });
}
