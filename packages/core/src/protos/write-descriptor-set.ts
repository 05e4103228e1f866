import type { Enum, Field, MapField, ReflectionObject, Service, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import {
  type EnumDescriptorObject,
  encodeFileDescriptorSet,
  type FieldDescriptorObject,
  type FileDescriptorObject,
  idempotencyLevelName,
  type MessageDescriptorObject,
  type MethodDescriptorObject,
  type RangeObject,
  SCALAR_DESCRIPTOR_TYPES,
  type ServiceDescriptorObject,
} from './descriptor-objects.js';
import { isSyntheticOneof, jsonName } from './field-shapes.js';
import { definitionsByFile, type ParsedProtos, type ProtoFile } from './proto-files.js';

/**
 * Serializes parsed .proto files as a google.protobuf.FileDescriptorSet, one FileDescriptorProto per file in
 * dependency order, shaped as protoc would write them.
 *
 * protobufjs's own `Root#toDescriptor` is not used: it merges files by package, drops imports and
 * `proto3_optional`, and names fields as parsed; gRPC reflection clients (grpcurl, Postman) need real files.
 * Kept: messages, fields (json_name, default, packed, deprecated), map entries, oneofs (synthetic ones last,
 * as descriptor validation requires), enums, services with `deprecated` and `idempotency_level`, extensions,
 * reserved and extension ranges. Not kept: file options, custom option values, comments (source_code_info).
 */
export function writeDescriptorSet(parsed: ParsedProtos): Uint8Array {
  const byFile = definitionsByFile(parsed.root);
  return encodeFileDescriptorSet({ file: parsed.files.map((file) => fileDescriptor(file, byFile.get(file.name) ?? [])) });
}

function fileDescriptor(file: ProtoFile, definitions: readonly ReflectionObject[]): FileDescriptorObject {
  const out: FileDescriptorObject = {
    name: file.name,
    dependency: [...file.dependencies, ...file.weakDependencies],
    messageType: [],
    enumType: [],
    service: [],
    extension: [],
  };
  if (file.package !== '') out.package = file.package;
  if (file.weakDependencies.length > 0) out.weakDependency = file.weakDependencies.map((_, i) => file.dependencies.length + i);
  // protoc leaves `syntax` empty for proto2.
  if (file.syntax === 'proto3') out.syntax = 'proto3';
  for (const definition of definitions) {
    if (definition instanceof protobuf.Type) out.messageType?.push(messageDescriptor(definition));
    else if (definition instanceof protobuf.Enum) out.enumType?.push(enumDescriptor(definition));
    else if (definition instanceof protobuf.Service) out.service?.push(serviceDescriptor(definition));
    else if (definition instanceof protobuf.Field) out.extension?.push(fieldDescriptor(definition, undefined));
  }
  return out;
}

function messageDescriptor(type: Type): MessageDescriptorObject {
  const synthetic = type.oneofsArray.filter(isSyntheticOneof);
  const oneofs = [...type.oneofsArray.filter((oneof) => !isSyntheticOneof(oneof)), ...synthetic];
  const out: MessageDescriptorObject = {
    name: type.name,
    field: [],
    nestedType: [],
    enumType: [],
    extension: [],
    oneofDecl: oneofs.map((oneof) => ({ name: oneof.name })),
  };
  for (const field of type.fieldsArray) {
    if (field.declaringField !== null) continue; // an extension of this type declared elsewhere
    const oneofIndex = field.partOf === null ? undefined : oneofs.indexOf(field.partOf);
    out.field?.push(fieldDescriptor(field, oneofIndex));
    if (field instanceof protobuf.MapField) out.nestedType?.push(mapEntryDescriptor(field));
  }
  for (const nested of type.nestedArray) {
    if (nested instanceof protobuf.Type) out.nestedType?.push(messageDescriptor(nested));
    else if (nested instanceof protobuf.Enum) out.enumType?.push(enumDescriptor(nested));
    else if (nested instanceof protobuf.Field) out.extension?.push(fieldDescriptor(nested, undefined));
  }
  // protobufjs keeps ranges with an inclusive end; descriptors use an exclusive one.
  if (type.extensions?.length) out.extensionRange = type.extensions.map(exclusiveRange);
  const reserved = type.reserved ?? [];
  const ranges = reserved.filter((entry): entry is number[] => Array.isArray(entry));
  const names = reserved.filter((entry): entry is string => typeof entry === 'string');
  if (ranges.length > 0) out.reservedRange = ranges.map(exclusiveRange);
  if (names.length > 0) out.reservedName = names;
  if (type.options?.deprecated === true) out.options = { deprecated: true };
  return out;
}

function fieldDescriptor(field: Field, oneofIndex: number | undefined): FieldDescriptorObject {
  const resolved = field.resolvedType;
  const out: FieldDescriptorObject = {
    name: field.name,
    number: field.id,
    label: field.repeated || field.map ? 'LABEL_REPEATED' : field.required ? 'LABEL_REQUIRED' : 'LABEL_OPTIONAL',
    jsonName: jsonName(field),
  };
  if (field instanceof protobuf.MapField) {
    out.type = 'TYPE_MESSAGE';
    out.typeName = `${field.parent?.fullName ?? ''}.${mapEntryName(field.name)}`;
  } else if (resolved instanceof protobuf.Type) {
    out.type = field.delimited ? 'TYPE_GROUP' : 'TYPE_MESSAGE';
    out.typeName = resolved.fullName;
  } else if (resolved instanceof protobuf.Enum) {
    out.type = 'TYPE_ENUM';
    out.typeName = resolved.fullName;
  } else {
    out.type = scalarType(field.type);
  }
  if (field.extend !== undefined) out.extendee = field.extensionField?.parent?.fullName ?? field.extend;
  if (oneofIndex !== undefined) out.oneofIndex = oneofIndex;
  if (field.options?.proto3_optional === true) out.proto3Optional = true;
  const defaultValue: unknown = field.options?.default;
  if (defaultValue !== undefined) out.defaultValue = defaultValueText(defaultValue);
  const options: NonNullable<FieldDescriptorObject['options']> = {};
  if (typeof field.options?.packed === 'boolean') options.packed = field.options.packed;
  if (field.options?.deprecated === true) options.deprecated = true;
  if (Object.keys(options).length > 0) out.options = options;
  return out;
}

function mapEntryDescriptor(field: MapField): MessageDescriptorObject {
  const value: FieldDescriptorObject = { name: 'value', number: 2, label: 'LABEL_OPTIONAL', jsonName: 'value' };
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type || resolved instanceof protobuf.Enum) {
    value.type = resolved instanceof protobuf.Type ? 'TYPE_MESSAGE' : 'TYPE_ENUM';
    value.typeName = resolved.fullName;
  } else {
    value.type = scalarType(field.type);
  }
  return {
    name: mapEntryName(field.name),
    field: [{ name: 'key', number: 1, label: 'LABEL_OPTIONAL', type: scalarType(field.keyType), jsonName: 'key' }, value],
    options: { mapEntry: true },
  };
}

function enumDescriptor(enumType: Enum): EnumDescriptorObject {
  const out: EnumDescriptorObject = {
    name: enumType.name,
    value: Object.entries(enumType.values).map(([name, number]) => ({ name, number })),
  };
  const options: NonNullable<EnumDescriptorObject['options']> = {};
  if (enumType.options?.allow_alias === true) options.allowAlias = true;
  if (enumType.options?.deprecated === true) options.deprecated = true;
  if (Object.keys(options).length > 0) out.options = options;
  const reserved = enumType.reserved ?? [];
  // Enum reserved ranges are inclusive in both protobufjs and descriptors.
  const ranges = reserved.filter((entry): entry is number[] => Array.isArray(entry));
  const names = reserved.filter((entry): entry is string => typeof entry === 'string');
  if (ranges.length > 0) out.reservedRange = ranges.map(([start, end]) => ({ start, end }));
  if (names.length > 0) out.reservedName = names;
  return out;
}

function serviceDescriptor(service: Service): ServiceDescriptorObject {
  const out: ServiceDescriptorObject = {
    name: service.name,
    method: service.methodsArray.map((method): MethodDescriptorObject => {
      const described: MethodDescriptorObject = {
        name: method.name,
        inputType: method.resolvedRequestType?.fullName ?? method.requestType,
        outputType: method.resolvedResponseType?.fullName ?? method.responseType,
      };
      if (method.requestStream === true) described.clientStreaming = true;
      if (method.responseStream === true) described.serverStreaming = true;
      const options: NonNullable<MethodDescriptorObject['options']> = {};
      const level = idempotencyLevelName(method.options?.idempotency_level);
      if (level !== undefined) options.idempotencyLevel = level;
      if (method.options?.deprecated === true) options.deprecated = true;
      if (Object.keys(options).length > 0) described.options = options;
      return described;
    }),
  };
  if (service.options?.deprecated === true) out.options = { deprecated: true };
  return out;
}

/** A `[default = …]` as descriptor text: protoc spells infinities and NaN `inf`, `-inf` and `nan`. */
function defaultValueText(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  }
  return String(value);
}

function scalarType(type: string): string {
  const described = SCALAR_DESCRIPTOR_TYPES[type];
  if (described === undefined) throw new Error(`unsupported field type "${type}"`);
  return described;
}

function exclusiveRange(range: number[]): RangeObject {
  const [start = 0, end = start] = range;
  return { start, end: end + 1 };
}

/** protoc's name for a map field's entry message: `labels_by_id` → `LabelsByIdEntry`. */
function mapEntryName(name: string): string {
  return `${name.replace(/(?:_+|^)(.?)/g, (_, next: string) => next.toUpperCase())}Entry`;
}
