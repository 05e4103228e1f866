import { createRequire } from 'node:module';
import type { INamespace } from 'protobufjs';
import protobuf from 'protobufjs';

/** A google/protobuf file that resolves without a .proto file on disk. */
export interface BundledProto {
  /** The file's definitions as protobufjs JSON, a fresh copy the caller may change. */
  readonly json: INamespace;
  readonly syntax: 'proto2' | 'proto3';
}

// The well-known types protobufjs carries as JSON (`protobuf.common`); all are proto3 files without imports.
const COMMON = ['any', 'duration', 'empty', 'field_mask', 'struct', 'timestamp', 'wrappers'];
const DESCRIPTOR = 'google/protobuf/descriptor.proto';

/**
 * The definitions of `google/protobuf/<name>.proto` for the well-known types and descriptor.proto, or
 * `undefined` for any other file name.
 *
 * The JSON comes from protobufjs's own bundle, but is copied on every call: protobufjs reflection objects keep
 * references into the JSON they were built from, so sharing it would let one ProtoSet change another.
 */
export function bundledProto(fileName: string): BundledProto | undefined {
  if (fileName === DESCRIPTOR) {
    // Read from the JSON file rather than `protobuf.common`, where descriptor.proto appears only once
    // @grpc/proto-loader has been imported (it registers it there as a side effect).
    const require = createRequire(import.meta.url);
    const json = require('protobufjs/google/protobuf/descriptor.json') as INamespace;
    return { json: withProtoFieldNames(structuredClone(json)), syntax: 'proto2' };
  }
  const match = /^google\/protobuf\/([a-z_]+)\.proto$/.exec(fileName);
  if (match?.[1] === undefined || !COMMON.includes(match[1])) return undefined;
  const json = protobuf.common.get(fileName);
  return json === null ? undefined : { json: withProtoFieldNames(structuredClone(json)), syntax: 'proto3' };
}

/**
 * protobufjs bundles some of these files with camelCase field names (`nullValue`, `messageType`); descriptors
 * must carry the names the .proto files declare (`null_value`), which are all snake_case.
 */
function withProtoFieldNames(json: INamespace): INamespace {
  const snake = (name: string): string => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  const visit = (definition: Record<string, unknown>): void => {
    const fields = definition.fields as Record<string, unknown> | undefined;
    if (fields !== undefined) {
      definition.fields = Object.fromEntries(Object.entries(fields).map(([name, field]) => [snake(name), field]));
    }
    const oneofs = definition.oneofs as Record<string, { oneof: string[] }> | undefined;
    for (const oneof of Object.values(oneofs ?? {})) oneof.oneof = oneof.oneof.map(snake);
    const nested = definition.nested as Record<string, Record<string, unknown>> | undefined;
    for (const child of Object.values(nested ?? {})) visit(child);
  };
  visit(json as Record<string, unknown>);
  return json;
}
