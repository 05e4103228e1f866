import { ProtoSet } from '@wirekit/core';

/** What the contract checker needs to know about one field to find its values in proto3 JSON. */
export interface FieldShape {
  /** The name `toJson` writes (`amountCents`). */
  readonly jsonName: string;
  /** The descriptor type, e.g. `TYPE_INT64`, `TYPE_MESSAGE`. */
  readonly type: string;
  /** The full name of a message or enum type, without the leading dot. */
  readonly typeName: string | undefined;
  readonly repeated: boolean;
  /** For a map field: the shape of its values (its JSON is an object of key → value). */
  readonly mapValue: FieldShape | undefined;
}

// The parts of google/protobuf/descriptor.proto read here, as the descriptor.proto codec decodes them.
interface FieldProto {
  readonly name: string;
  /** Always set: `ProtoSet.toDescriptorSet` writes every field's JSON name, as protoc and the codecs make it. */
  readonly jsonName: string;
  readonly label?: string;
  readonly type?: string;
  readonly typeName?: string;
}
interface MessageProto {
  readonly name: string;
  readonly field: readonly FieldProto[];
  readonly nestedType: readonly MessageProto[];
  readonly options?: { readonly mapEntry?: boolean };
}
interface FileProto {
  readonly package?: string;
  readonly messageType: readonly MessageProto[];
}

/**
 * The fields of every message type of a ProtoSet, keyed by both spellings proto3 JSON accepts (`amount_cents`
 * and `amountCents`). Read from the set's own descriptors, so it agrees with the codecs field for field.
 */
export class MessageShapes {
  readonly #messages = new Map<string, MessageProto>();

  constructor(protos: ProtoSet) {
    const descriptors = ProtoSet.load('google/protobuf/descriptor.proto').codec<{ file: FileProto[] }>('google.protobuf.FileDescriptorSet');
    for (const file of descriptors.decode(protos.toDescriptorSet()).file) {
      this.#index(file.package ? `${file.package}.` : '', file.messageType);
    }
  }

  /** The field of `typeName` that a recorded JSON key names, or `undefined` when the type has no such field. */
  field(typeName: string, key: string): FieldShape | undefined {
    const field = this.#messages.get(typeName)?.field.find((each) => each.name === key || each.jsonName === key);
    return field && this.#shape(field);
  }

  #shape(field: FieldProto): FieldShape {
    const typeName = field.typeName?.replace(/^\./, '');
    const entry = typeName === undefined ? undefined : this.#messages.get(typeName);
    const value = entry?.options?.mapEntry ? entry.field.find((each) => each.name === 'value') : undefined;
    return {
      jsonName: field.jsonName,
      type: field.type ?? 'TYPE_MESSAGE',
      typeName,
      repeated: field.label === 'LABEL_REPEATED' && value === undefined,
      mapValue: value && this.#shape(value),
    };
  }

  #index(prefix: string, messages: readonly MessageProto[]): void {
    for (const message of messages) {
      this.#messages.set(`${prefix}${message.name}`, message);
      this.#index(`${prefix}${message.name}.`, message.nestedType);
    }
  }
}
