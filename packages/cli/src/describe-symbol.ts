import descriptor from 'protobufjs/ext/descriptor/index.js';

// The parts of google/protobuf/descriptor.proto that `describe` prints, as protobufjs's reflected descriptor
// types read them (`toObject` with `enums: String`, `arrays: true`): camelCase names, enum values as names.
interface FieldProto {
  readonly name: string;
  readonly number: number;
  readonly label?: string;
  readonly type?: string;
  readonly typeName?: string;
  readonly oneofIndex?: number;
  readonly proto3Optional?: boolean;
}
interface EnumProto {
  readonly name: string;
  readonly value: readonly { readonly name: string; readonly number: number }[];
}
interface MessageProto {
  readonly name: string;
  readonly field: readonly FieldProto[];
  readonly nestedType: readonly MessageProto[];
  readonly enumType: readonly EnumProto[];
  readonly oneofDecl: readonly { readonly name: string }[];
  readonly options?: { readonly mapEntry?: boolean };
}
interface MethodProto {
  readonly name: string;
  readonly inputType: string;
  readonly outputType: string;
  readonly clientStreaming?: boolean;
  readonly serverStreaming?: boolean;
}
interface ServiceProto {
  readonly name: string;
  readonly method: readonly MethodProto[];
}
interface FileProto {
  readonly name: string;
  readonly package?: string;
  readonly messageType: readonly MessageProto[];
  readonly enumType: readonly EnumProto[];
  readonly service: readonly ServiceProto[];
}

type Definition =
  | { readonly kind: 'service'; readonly proto: ServiceProto }
  | { readonly kind: 'method'; readonly proto: MethodProto }
  | { readonly kind: 'message'; readonly proto: MessageProto }
  | { readonly kind: 'enum'; readonly proto: EnumProto };

/**
 * Describes `symbol` (the full name of a service, method, message or enum) of a serialized FileDescriptorSet in
 * proto syntax, as `grpcurl describe` does: a service's rpcs with their streaming markers, a message's fields.
 * Types are written as full names with a leading dot (`.payments.v1.Payment`), so nothing is ambiguous.
 *
 * @returns the lines to print, or `undefined` when the set does not define the symbol.
 */
export function describeSymbol(descriptorSet: Uint8Array, symbol: string): string[] | undefined {
  const name = symbol.startsWith('.') ? symbol.slice(1) : symbol;
  const definitions = indexDefinitions(descriptorSet);
  const found = definitions.get(name);
  if (found === undefined) return undefined;
  const lines = [`${name} is a ${found.kind}:`];
  switch (found.kind) {
    case 'service':
      lines.push(`service ${found.proto.name} {`, ...found.proto.method.map((method) => `  ${rpcLine(method)}`), '}');
      break;
    case 'method':
      lines.push(rpcLine(found.proto));
      break;
    case 'message':
      lines.push(...messageLines(found.proto, definitions, name, ''));
      break;
    case 'enum':
      lines.push(...enumLines(found.proto, ''));
      break;
  }
  return lines;
}

function indexDefinitions(descriptorSet: Uint8Array): Map<string, Definition> {
  const decoded = descriptor.FileDescriptorSet.toObject(descriptor.FileDescriptorSet.decode(descriptorSet), {
    enums: String,
    arrays: true,
  }) as { file: FileProto[] };
  const definitions = new Map<string, Definition>();
  const addMessage = (message: MessageProto, prefix: string): void => {
    const fullName = `${prefix}${message.name}`;
    definitions.set(fullName, { kind: 'message', proto: message });
    for (const nested of message.nestedType) addMessage(nested, `${fullName}.`);
    for (const nested of message.enumType) definitions.set(`${fullName}.${nested.name}`, { kind: 'enum', proto: nested });
  };
  for (const file of decoded.file) {
    const prefix = file.package ? `${file.package}.` : '';
    for (const message of file.messageType) addMessage(message, prefix);
    for (const enumType of file.enumType) definitions.set(`${prefix}${enumType.name}`, { kind: 'enum', proto: enumType });
    for (const service of file.service) {
      definitions.set(`${prefix}${service.name}`, { kind: 'service', proto: service });
      for (const method of service.method) {
        definitions.set(`${prefix}${service.name}.${method.name}`, { kind: 'method', proto: method });
      }
    }
  }
  return definitions;
}

function rpcLine(method: MethodProto): string {
  const input = `${method.clientStreaming ? 'stream ' : ''}${method.inputType}`;
  const output = `${method.serverStreaming ? 'stream ' : ''}${method.outputType}`;
  return `rpc ${method.name} ( ${input} ) returns ( ${output} );`;
}

function messageLines(message: MessageProto, definitions: ReadonlyMap<string, Definition>, fullName: string, indent: string): string[] {
  const lines = [`${indent}message ${message.name} {`];
  const inner = `${indent}  `;
  // Map entries are written as `map<K, V>` fields, never as the nested messages protoc makes of them.
  for (const nested of message.nestedType) {
    if (!nested.options?.mapEntry) lines.push(...messageLines(nested, definitions, `${fullName}.${nested.name}`, inner));
  }
  for (const nested of message.enumType) lines.push(...enumLines(nested, inner));
  const printedOneofs = new Set<number>();
  for (const field of message.field) {
    const oneof = field.proto3Optional ? undefined : field.oneofIndex;
    if (oneof === undefined) {
      lines.push(`${inner}${fieldLine(field, definitions)}`);
    } else if (!printedOneofs.has(oneof)) {
      printedOneofs.add(oneof);
      lines.push(`${inner}oneof ${message.oneofDecl[oneof]?.name ?? `oneof_${oneof}`} {`);
      for (const member of message.field.filter((candidate) => candidate.oneofIndex === oneof && !candidate.proto3Optional)) {
        lines.push(`${inner}  ${fieldLine(member, definitions)}`);
      }
      lines.push(`${inner}}`);
    }
  }
  lines.push(`${indent}}`);
  return lines;
}

function fieldLine(field: FieldProto, definitions: ReadonlyMap<string, Definition>): string {
  const entry = field.typeName ? definitions.get(field.typeName.slice(1)) : undefined;
  if (entry?.kind === 'message' && entry.proto.options?.mapEntry) {
    const [key, value] = entry.proto.field;
    return `map<${key ? typeOf(key) : '?'}, ${value ? typeOf(value) : '?'}> ${field.name} = ${field.number};`;
  }
  const label =
    field.label === 'LABEL_REPEATED'
      ? 'repeated '
      : field.proto3Optional
        ? 'optional '
        : field.label === 'LABEL_REQUIRED'
          ? 'required '
          : '';
  return `${label}${typeOf(field)} ${field.name} = ${field.number};`;
}

function typeOf(field: FieldProto): string {
  if (field.typeName) return field.typeName;
  return (field.type ?? 'TYPE_UNKNOWN').replace(/^TYPE_/, '').toLowerCase();
}

function enumLines(enumType: EnumProto, indent: string): string[] {
  return [
    `${indent}enum ${enumType.name} {`,
    ...enumType.value.map((value) => `${indent}  ${value.name} = ${value.number};`),
    `${indent}}`,
  ];
}
