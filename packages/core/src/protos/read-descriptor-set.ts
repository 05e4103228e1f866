import type { IEnum, IField, IMapField, IMethod, IService, IType, Root } from 'protobufjs';
import protobuf from 'protobufjs';
import {
  decodeFileDescriptorSet,
  type EnumDescriptorObject,
  type FieldDescriptorObject,
  type FileDescriptorObject,
  type MessageDescriptorObject,
  type RangeObject,
  SCALAR_DESCRIPTOR_TYPES,
  type ServiceDescriptorObject,
} from './descriptor-objects.js';
import { protocJsonName } from './field-shapes.js';

type Syntax = 'proto2' | 'proto3';

const SCALAR_TYPES: ReadonlyMap<string, string> = new Map(
  Object.entries(SCALAR_DESCRIPTOR_TYPES).map(([type, described]) => [described, type]),
);

/**
 * Builds a protobufjs Root from a serialized google.protobuf.FileDescriptorSet, so that it encodes and decodes
 * exactly as the Root parsed from the same .proto files (field names as written, maps, oneofs, proto3
 * `optional`, packing, method options). Each top-level definition's `filename` is its file's name.
 *
 * The descriptors become protobufjs JSON first: protobufjs's `Root.fromDescriptor` loses proto3 `optional`
 * and turns map fields into repeated entry messages. Extensions are left out: the codecs do not map them.
 *
 * @throws Error when the bytes are not a descriptor set, a file uses editions, or a referenced type is missing
 *   (a set written without `--include_imports`).
 */
export function readDescriptorSet(bytes: Uint8Array): Root {
  let files: FileDescriptorObject[];
  try {
    files = decodeFileDescriptorSet(bytes).file ?? [];
  } catch (error: unknown) {
    throw new Error(`not a serialized FileDescriptorSet: ${errorMessage(error)}`, { cause: error });
  }
  const root = new protobuf.Root();
  for (const file of files) {
    const name = file.name ?? '';
    try {
      addFile(root, file);
    } catch (error: unknown) {
      throw new Error(`descriptor of ${name}: ${errorMessage(error)}`, { cause: error });
    }
  }
  try {
    root.resolveAll();
  } catch (error: unknown) {
    throw new Error(`the descriptor set is incomplete: ${errorMessage(error)} (write it with all imports, e.g. protoc --include_imports)`, {
      cause: error,
    });
  }
  return root;
}

function addFile(root: Root, file: FileDescriptorObject): void {
  const syntax = fileSyntax(file);
  const pkg = file.package ?? '';
  const prefix = pkg === '' ? '' : `.${pkg}`;
  // `edition` pins a top-level definition's syntax; protobufjs reads it from JSON but does not declare it.
  const nested: Record<string, (IType | IEnum | IService) & { edition: Syntax }> = {};
  for (const message of file.messageType ?? []) nested[nameOf(message)] = { ...typeJson(message, prefix), edition: syntax };
  for (const enumType of file.enumType ?? []) nested[nameOf(enumType)] = { ...enumJson(enumType), edition: syntax };
  for (const service of file.service ?? []) nested[nameOf(service)] = { ...serviceJson(service), edition: syntax };
  const namespace = pkg === '' ? root : root.define(pkg);
  namespace.addJSON(nested);
  for (const name of Object.keys(nested)) {
    const definition = namespace.get(name);
    if (definition !== null) definition.filename = file.name ?? null;
  }
}

function fileSyntax(file: FileDescriptorObject): Syntax {
  if (file.syntax === undefined || file.syntax === '' || file.syntax === 'proto2') return 'proto2';
  if (file.syntax === 'proto3') return 'proto3';
  throw new Error(`syntax "${file.syntax}" is not supported yet (only proto2 and proto3)`);
}

function typeJson(message: MessageDescriptorObject, scope: string): IType {
  const fullName = `${scope}.${nameOf(message)}`;
  const mapEntries = new Map<string, MessageDescriptorObject>();
  const groups = new Set<string>();
  for (const nested of message.nestedType ?? []) {
    if (nested.options?.mapEntry === true) mapEntries.set(`${fullName}.${nameOf(nested)}`, nested);
  }
  const oneofMembers = (message.oneofDecl ?? []).map((): string[] => []);
  const fields: Record<string, IField | IMapField> = {};
  for (const field of message.field ?? []) {
    const name = nameOf(field);
    const entry = field.typeName === undefined ? undefined : mapEntries.get(field.typeName);
    if (entry !== undefined && field.label === 'LABEL_REPEATED') {
      fields[name] = mapFieldJson(field, entry);
    } else {
      fields[name] = fieldJson(field);
      if (field.type === 'TYPE_GROUP' && field.typeName !== undefined) groups.add(field.typeName);
    }
    if (field.oneofIndex !== undefined) oneofMembers[field.oneofIndex]?.push(name);
  }
  const json: IType = { fields };
  const oneofs = message.oneofDecl ?? [];
  if (oneofs.length > 0) {
    json.oneofs = Object.fromEntries(oneofs.map((oneof, i) => [oneof.name ?? `oneof${i}`, { oneof: oneofMembers[i] ?? [] }]));
  }
  const nested: Record<string, IType | IEnum> = {};
  for (const type of message.nestedType ?? []) {
    const typeName = `${fullName}.${nameOf(type)}`;
    if (mapEntries.has(typeName)) continue;
    nested[nameOf(type)] = groups.has(typeName) ? { ...typeJson(type, fullName), group: true } : typeJson(type, fullName);
  }
  for (const enumType of message.enumType ?? []) nested[nameOf(enumType)] = enumJson(enumType);
  if (Object.keys(nested).length > 0) json.nested = nested;
  // Descriptors end message ranges exclusively, protobufjs inclusively.
  if (message.extensionRange?.length) json.extensions = message.extensionRange.map(inclusiveRange);
  const reserved = [...(message.reservedRange ?? []).map(inclusiveRange), ...(message.reservedName ?? [])];
  if (reserved.length > 0) json.reserved = reserved;
  if (message.options?.deprecated === true) json.options = { deprecated: true };
  return json;
}

function fieldJson(field: FieldDescriptorObject): IField {
  const json: IField = { id: field.number ?? 0, type: fieldType(field) };
  if (field.label === 'LABEL_REPEATED') json.rule = 'repeated';
  else if (field.label === 'LABEL_REQUIRED') json.rule = 'required';
  const options: Record<string, unknown> = {};
  if (field.proto3Optional === true) options.proto3_optional = true;
  // Only a json_name other than protoc's default was written in the .proto file; the JSON mapping needs it.
  if (field.jsonName !== undefined && field.jsonName !== protocJsonName(nameOf(field))) options.json_name = field.jsonName;
  if (field.options?.packed !== undefined) options.packed = field.options.packed;
  if (field.options?.deprecated === true) options.deprecated = true;
  if (field.defaultValue !== undefined) options.default = defaultValue(field);
  if (Object.keys(options).length > 0) json.options = options;
  return json;
}

function mapFieldJson(field: FieldDescriptorObject, entry: MessageDescriptorObject): IMapField {
  const key = entry.field?.find((f) => f.number === 1);
  const value = entry.field?.find((f) => f.number === 2);
  if (key === undefined || value === undefined) throw new Error(`map entry ${nameOf(entry)} lacks its key or value`);
  const json: IMapField = { id: field.number ?? 0, keyType: fieldType(key), type: fieldType(value) };
  if (field.options?.deprecated === true) json.options = { deprecated: true };
  return json;
}

function fieldType(field: FieldDescriptorObject): string {
  if (field.typeName !== undefined && field.typeName !== '') return field.typeName;
  const type = SCALAR_TYPES.get(field.type ?? '');
  if (type === undefined) throw new Error(`field ${nameOf(field)} has unknown type ${field.type}`);
  return type;
}

/** A `[default = …]` from its descriptor text, as the .proto parser would have kept it. */
function defaultValue(field: FieldDescriptorObject): unknown {
  const text = field.defaultValue ?? '';
  switch (field.type) {
    case 'TYPE_BOOL':
      return text === 'true';
    case 'TYPE_STRING':
    case 'TYPE_BYTES':
    case 'TYPE_ENUM':
      return text;
    case 'TYPE_DOUBLE':
    case 'TYPE_FLOAT':
      return text === 'inf' ? Number.POSITIVE_INFINITY : text === '-inf' ? Number.NEGATIVE_INFINITY : Number(text);
    default:
      return Number(text);
  }
}

function enumJson(enumType: EnumDescriptorObject): IEnum {
  const values: Record<string, number> = {};
  for (const value of enumType.value ?? []) values[nameOf(value)] = value.number ?? 0;
  const json: IEnum = { values };
  const options: Record<string, unknown> = {};
  if (enumType.options?.allowAlias === true) options.allow_alias = true;
  if (enumType.options?.deprecated === true) options.deprecated = true;
  if (Object.keys(options).length > 0) json.options = options;
  // Enum reserved ranges end inclusively in descriptors too; protobufjs's IEnum types omit `reserved`.
  const reserved = [...(enumType.reservedRange ?? []).map((range) => [range.start ?? 0, range.end ?? 0]), ...(enumType.reservedName ?? [])];
  return reserved.length > 0 ? ({ ...json, reserved } as IEnum) : json;
}

function serviceJson(service: ServiceDescriptorObject): IService {
  const methods: Record<string, IMethod> = {};
  for (const method of service.method ?? []) {
    // protobufjs's typings require a comment; descriptors carry none outside source_code_info.
    const json: IMethod = { requestType: method.inputType ?? '', responseType: method.outputType ?? '', comment: '' };
    if (method.clientStreaming === true) json.requestStream = true;
    if (method.serverStreaming === true) json.responseStream = true;
    const options: Record<string, unknown> = {};
    // The .proto parser keeps option names as written (snake_case) and enum options as value names.
    if (method.options?.idempotencyLevel !== undefined) options.idempotency_level = method.options.idempotencyLevel;
    if (method.options?.deprecated === true) options.deprecated = true;
    if (Object.keys(options).length > 0) json.options = options;
    methods[nameOf(method)] = json;
  }
  const json: IService = { methods };
  if (service.options?.deprecated === true) json.options = { deprecated: true };
  return json;
}

function inclusiveRange(range: RangeObject): number[] {
  return [range.start ?? 0, (range.end ?? 1) - 1];
}

function nameOf(described: { name?: string }): string {
  if (described.name === undefined || described.name === '') throw new Error('a definition has no name');
  return described.name;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
