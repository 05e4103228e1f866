import type { Enum, Field, ReflectionObject, Service, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import { fieldShape, isSyntheticOneof, mappedFields, propertyName } from '../protos/field-shapes.js';
import { docComment } from './doc-comment.js';

/** The TypeScript name given to each message, enum and service. */
export type NameOf = (definition: ReflectionObject) => string;

const SCALAR_TYPES: Readonly<Record<string, string>> = Object.freeze({
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  int64: 'bigint',
  uint64: 'bigint',
  sint64: 'bigint',
  fixed64: 'bigint',
  sfixed64: 'bigint',
  bool: 'boolean',
  string: 'string',
  bytes: 'Uint8Array',
});

/** The mode phantom type of an rpc, by its two stream flags. */
export function modeType(requestStream: boolean, responseStream: boolean): string {
  if (requestStream) return responseStream ? 'BidiStreaming' : 'ClientStreaming';
  return responseStream ? 'ServerStreaming' : 'Unary';
}

/** `export interface` for a message, its fields as the codecs map them (see `field-shapes.ts`). */
export function renderMessage(type: Type, nameOf: NameOf): string {
  const fields = mappedFields(type);
  let out = docComment(type.comment ?? `The \`${type.fullName.slice(1)}\` message.`, '', deprecation(type));
  if (fields.length === 0) return `${out}export interface ${nameOf(type)} {}\n`;
  out += `export interface ${nameOf(type)} {\n`;
  for (const field of fields) {
    out += docComment(field.comment, '  ', [...oneofNote(field), ...deprecation(field)]);
    const optional = fieldShape(field) === 'explicit' ? '?' : '';
    out += `  ${propertyName(field)}${optional}: ${fieldType(field, nameOf)};\n`;
  }
  return `${out}}\n`;
}

/**
 * An enum as a union of its value names plus a const object of them. Decoding keeps a number the enum does
 * not name, so enum fields are typed `Name | number`.
 */
export function renderEnum(enumType: Enum, nameOf: NameOf): string {
  const name = nameOf(enumType);
  const values = Object.keys(enumType.values);
  const doc = docComment(enumType.comment ?? `The \`${enumType.fullName.slice(1)}\` enum.`, '', deprecation(enumType));
  const union = values.map((value) => `'${value}'`);
  const oneLine = `export type ${name} = ${union.join(' | ')};`;
  let out = doc + (oneLine.length <= 110 ? `${oneLine}\n` : `export type ${name} =\n${union.map((value) => `  | ${value}`).join('\n')};\n`);
  out += `${doc}export const ${name} = {\n`;
  for (const value of values) {
    out += docComment(enumType.comments[value], '  ');
    out += `  ${value}: '${value}',\n`;
  }
  return `${out}} as const;\n`;
}

/** A `defineService` constant whose type argument states each rpc's mode, request and response. */
export function renderService(service: Service, nameOf: NameOf): string {
  let out = docComment(service.comment ?? `The \`${service.fullName.slice(1)}\` service.`, '', deprecation(service));
  out += `export const ${nameOf(service)} = defineService<{\n`;
  for (const method of service.methodsArray) {
    const request = method.resolvedRequestType;
    const response = method.resolvedResponseType;
    if (request === null || response === null) throw new Error(`${method.fullName} is not resolved`);
    out += docComment(method.comment, '  ', deprecation(method));
    const mode = modeType(method.requestStream === true, method.responseStream === true);
    out += `  ${method.name}: ${mode}<${nameOf(request)}, ${nameOf(response)}>;\n`;
  }
  return `${out}}>(protos, '${service.fullName.slice(1)}');\n`;
}

function fieldType(field: Field, nameOf: NameOf): string {
  const resolved = field.resolve().resolvedType;
  let value: string;
  if (resolved instanceof protobuf.Type) value = nameOf(resolved);
  else if (resolved instanceof protobuf.Enum) value = `${nameOf(resolved)} | number`;
  else value = SCALAR_TYPES[field.type] ?? 'unknown';
  switch (fieldShape(field)) {
    case 'map':
      return `Record<string, ${value}>`;
    case 'repeated':
      return resolved instanceof protobuf.Enum ? `(${value})[]` : `${value}[]`;
    default:
      return value;
  }
}

/** Oneof members are flattened into optional properties; say which ones exclude each other. */
function oneofNote(field: Field): string[] {
  const oneof = field.partOf;
  if (oneof === null || isSyntheticOneof(oneof)) return [];
  const members = oneof.fieldsArray.map((member) => `\`${propertyName(member)}\``).join(', ');
  const about = oneof.comment ? ` (${oneof.comment.replaceAll('\n', ' ')})` : '';
  return [`Member of oneof \`${oneof.name}\`${about}: at most one of ${members} is set.`];
}

function deprecation(definition: ReflectionObject): string[] {
  return definition.options?.deprecated === true ? ['@deprecated'] : [];
}
