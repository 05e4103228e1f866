import descriptor from 'protobufjs/ext/descriptor/index.js';

// The plain-object form of google/protobuf/descriptor.proto, as protobufjs's reflected descriptor types read
// it (`fromObject`) and write it (`toObject` with `enums: String`): camelCase field names, enum values as names.
// Only the parts Wirekit reads or writes are declared.

/** A google.protobuf.FileDescriptorSet. */
export interface FileDescriptorSetObject {
  file?: FileDescriptorObject[];
}

/** A google.protobuf.FileDescriptorProto. */
export interface FileDescriptorObject {
  name?: string;
  package?: string;
  dependency?: string[];
  weakDependency?: number[];
  messageType?: MessageDescriptorObject[];
  enumType?: EnumDescriptorObject[];
  service?: ServiceDescriptorObject[];
  extension?: FieldDescriptorObject[];
  syntax?: string;
}

/** A google.protobuf.DescriptorProto. */
export interface MessageDescriptorObject {
  name?: string;
  field?: FieldDescriptorObject[];
  extension?: FieldDescriptorObject[];
  nestedType?: MessageDescriptorObject[];
  enumType?: EnumDescriptorObject[];
  extensionRange?: RangeObject[];
  oneofDecl?: { name?: string }[];
  options?: { deprecated?: boolean; mapEntry?: boolean };
  reservedRange?: RangeObject[];
  reservedName?: string[];
}

/** A DescriptorProto.ReservedRange or ExtensionRange: `end` is exclusive. */
export interface RangeObject {
  start?: number;
  end?: number;
}

/** A google.protobuf.FieldDescriptorProto. */
export interface FieldDescriptorObject {
  name?: string;
  number?: number;
  label?: 'LABEL_OPTIONAL' | 'LABEL_REQUIRED' | 'LABEL_REPEATED';
  type?: string;
  typeName?: string;
  extendee?: string;
  defaultValue?: string;
  oneofIndex?: number;
  jsonName?: string;
  options?: { packed?: boolean; deprecated?: boolean };
  proto3Optional?: boolean;
}

/** A google.protobuf.EnumDescriptorProto; its reserved ranges, unlike a message's, end inclusively. */
export interface EnumDescriptorObject {
  name?: string;
  value?: { name?: string; number?: number }[];
  options?: { allowAlias?: boolean; deprecated?: boolean };
  reservedRange?: RangeObject[];
  reservedName?: string[];
}

/** A google.protobuf.ServiceDescriptorProto. */
export interface ServiceDescriptorObject {
  name?: string;
  method?: MethodDescriptorObject[];
  options?: { deprecated?: boolean };
}

/** A google.protobuf.MethodDescriptorProto. */
export interface MethodDescriptorObject {
  name?: string;
  inputType?: string;
  outputType?: string;
  clientStreaming?: boolean;
  serverStreaming?: boolean;
  options?: { deprecated?: boolean; idempotencyLevel?: (typeof IDEMPOTENCY_LEVELS)[number] };
}

const IDEMPOTENCY_LEVELS = ['IDEMPOTENCY_UNKNOWN', 'NO_SIDE_EFFECTS', 'IDEMPOTENT'] as const;

/** A method's `idempotency_level` option as its name, whether the .proto parser kept the name or a number. */
export function idempotencyLevelName(option: unknown): (typeof IDEMPOTENCY_LEVELS)[number] | undefined {
  if (typeof option === 'number') return IDEMPOTENCY_LEVELS[option];
  return IDEMPOTENCY_LEVELS.find((name) => name === option);
}

/** The descriptor `Type` name of each protobufjs scalar type name. */
export const SCALAR_DESCRIPTOR_TYPES: Readonly<Record<string, string>> = Object.freeze({
  double: 'TYPE_DOUBLE',
  float: 'TYPE_FLOAT',
  int64: 'TYPE_INT64',
  uint64: 'TYPE_UINT64',
  int32: 'TYPE_INT32',
  fixed64: 'TYPE_FIXED64',
  fixed32: 'TYPE_FIXED32',
  bool: 'TYPE_BOOL',
  string: 'TYPE_STRING',
  bytes: 'TYPE_BYTES',
  uint32: 'TYPE_UINT32',
  sfixed32: 'TYPE_SFIXED32',
  sfixed64: 'TYPE_SFIXED64',
  sint32: 'TYPE_SINT32',
  sint64: 'TYPE_SINT64',
});

/** Serializes a FileDescriptorSet. */
export function encodeFileDescriptorSet(set: FileDescriptorSetObject): Uint8Array {
  return descriptor.FileDescriptorSet.encode(descriptor.FileDescriptorSet.fromObject(set)).finish();
}

/** Parses a serialized FileDescriptorSet. */
export function decodeFileDescriptorSet(bytes: Uint8Array): FileDescriptorSetObject {
  const message = descriptor.FileDescriptorSet.decode(bytes);
  // The reflected type decodes exactly the shape declared above (descriptor.proto), enums as their names.
  return descriptor.FileDescriptorSet.toObject(message, { enums: String }) as FileDescriptorSetObject;
}

/** Each file of a serialized FileDescriptorSet, serialized on its own (as gRPC reflection serves them). */
export function splitFileDescriptorSet(bytes: Uint8Array): Uint8Array[] {
  const message = descriptor.FileDescriptorSet.decode(bytes) as unknown as { file: object[] };
  return message.file.map((file) => descriptor.FileDescriptorProto.encode(file).finish());
}
