import type { Enum, Field, OneOf, ReflectionObject, Service, Type } from 'protobufjs';
import protobuf from 'protobufjs';
import { fieldShape, isSyntheticOneof, mappedFields, oneofPropertyName, propertyName } from '../protos/field-shapes.js';
import type { LongForm } from '../protos/long-values.js';
import { fieldForm, fullNameOf, WRAPPED_SCALARS } from '../protos/well-known-types.js';
import { docComment } from './doc-comment.js';

/** The TypeScript name given to each message, enum and service. */
export type NameOf = (definition: ReflectionObject) => string;

/** What rendering a declaration needs, and what it reports back. */
export interface RenderContext {
  readonly nameOf: NameOf;
  /** How 64-bit integers are typed, as the codecs map them (`ProtoSet`'s `longs` option). */
  readonly longs: LongForm;
  /** The types the declarations use from the core module (`JsonValue`, `JsonObject`), added as they are met. */
  readonly imports: Set<string>;
}

const SCALAR_TYPES: Readonly<Record<string, string>> = Object.freeze({
  double: 'number',
  float: 'number',
  int32: 'number',
  uint32: 'number',
  sint32: 'number',
  fixed32: 'number',
  sfixed32: 'number',
  bool: 'boolean',
  string: 'string',
  bytes: 'Uint8Array',
});

const LONG_TYPES: ReadonlySet<string> = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** The mode phantom type of an rpc, by its two stream flags. */
export function modeType(requestStream: boolean, responseStream: boolean): string {
  if (requestStream) return responseStream ? 'BidiStreaming' : 'ClientStreaming';
  return responseStream ? 'ServerStreaming' : 'Unary';
}

/**
 * `export interface` for a message, its fields as the codecs map them (see `field-shapes.ts`): a declared oneof
 * is one optional property, a union of `{ case, value }` per member, where its first member is declared.
 * google.protobuf.Empty is `Record<string, never>`, which only `{}` fits.
 */
export function renderMessage(type: Type, context: RenderContext): string {
  const fields = mappedFields(type);
  let out = docComment(type.comment ?? `The \`${fullNameOf(type)}\` message.`, '', deprecation(type));
  if (fullNameOf(type) === 'google.protobuf.Empty') return `${out}export type ${context.nameOf(type)} = Record<string, never>;\n`;
  if (fields.length === 0) return `${out}export interface ${context.nameOf(type)} {}\n`;
  out += `export interface ${context.nameOf(type)} {\n`;
  const rendered = new Set<OneOf>();
  for (const field of fields) {
    const oneof = field.partOf;
    if (oneof !== null && !isSyntheticOneof(oneof)) {
      if (!rendered.has(oneof)) out += renderOneof(oneof, context);
      rendered.add(oneof);
      continue;
    }
    out += docComment(field.comment, '  ', deprecation(field));
    const optional = fieldShape(field) === 'explicit' ? '?' : '';
    out += `  ${propertyName(field)}${optional}: ${fieldType(field, context)};\n`;
  }
  return `${out}}\n`;
}

/** A oneof as an optional union of its members: `choice?: | { case: 'text'; value: string } | …`. */
function renderOneof(oneof: OneOf, context: RenderContext): string {
  let out = docComment(oneof.comment, '  ', deprecation(oneof));
  out += `  ${oneofPropertyName(oneof)}?:\n`;
  for (const member of oneof.fieldsArray) {
    // A member's comment goes on its `value`, on one line.
    const lines = [...(member.comment ?? '').split('\n'), ...deprecation(member)].map((line) => line.trim()).filter((line) => line !== '');
    const doc = lines.length === 0 ? '' : `/** ${lines.join(' ').replaceAll('*/', '*\\/')} */ `;
    out += `    | { case: '${propertyName(member)}'; ${doc}value: ${fieldType(member, context)} }\n`;
  }
  return `${out.slice(0, -1)};\n`;
}

/**
 * An enum as a union of its value names plus a const object of them. Decoding keeps a number the enum does
 * not name, so enum fields are typed `Name | number`.
 */
export function renderEnum(enumType: Enum, context: RenderContext): string {
  const name = context.nameOf(enumType);
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
export function renderService(service: Service, { nameOf }: RenderContext): string {
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

function fieldType(field: Field, context: RenderContext): string {
  const resolved = field.resolve().resolvedType;
  let value: string;
  if (resolved instanceof protobuf.Type) value = messageType(resolved, context);
  else if (resolved instanceof protobuf.Enum) value = `${context.nameOf(resolved)} | number`;
  else value = scalarType(field.type, context);
  switch (fieldShape(field)) {
    case 'map':
      return `Record<string, ${value}>`;
    case 'repeated':
      return value.includes(' ') ? `(${value})[]` : `${value}[]`;
    default:
      return value;
  }
}

function scalarType(type: string, context: RenderContext): string {
  if (LONG_TYPES.has(type)) return context.longs;
  return SCALAR_TYPES[type] ?? 'unknown';
}

/** The type of a field of a message type: its interface, or the form of a well-known type (see `FieldForm`). */
function messageType(type: Type, context: RenderContext): string {
  switch (fieldForm(type)) {
    case 'timestamp':
      return 'Date';
    case 'wrapper':
      return scalarType(WRAPPED_SCALARS[fullNameOf(type)] as string, context);
    case 'struct':
      context.imports.add('JsonObject');
      return 'JsonObject';
    case 'value':
      context.imports.add('JsonValue');
      return 'JsonValue';
    case 'list-value':
      context.imports.add('JsonValue');
      return 'JsonValue[]';
    case 'field-mask':
      return 'string[]';
    default:
      return context.nameOf(type);
  }
}

function deprecation(definition: ReflectionObject): string[] {
  return definition.options?.deprecated === true ? ['@deprecated'] : [];
}
