import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
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
export function bundledProto(fileName) {
    if (fileName === DESCRIPTOR) {
        // Read from the JSON file rather than `protobuf.common`, where descriptor.proto appears only once
        // @grpc/proto-loader has been imported (it registers it there as a side effect).
        const require = createRequire(import.meta.url);
        const json = require('protobufjs/google/protobuf/descriptor.json');
        return { json: withProtoFieldNames(structuredClone(json)), syntax: 'proto2' };
    }
    const match = /^google\/protobuf\/([a-z_]+)\.proto$/.exec(fileName);
    if (match?.[1] === undefined || !COMMON.includes(match[1]))
        return undefined;
    const json = protobuf.common.get(fileName);
    return json === null ? undefined : { json: withProtoFieldNames(structuredClone(json)), syntax: 'proto3' };
}
/**
 * protobufjs bundles some of these files with camelCase field names (`nullValue`, `messageType`); descriptors
 * must carry the names the .proto files declare (`null_value`), which are all snake_case.
 */
function withProtoFieldNames(json) {
    const snake = (name) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
    const visit = (definition) => {
        const fields = definition.fields;
        if (fields !== undefined) {
            definition.fields = Object.fromEntries(Object.entries(fields).map(([name, field]) => [snake(name), field]));
        }
        const oneofs = definition.oneofs;
        for (const oneof of Object.values(oneofs ?? {}))
            oneof.oneof = oneof.oneof.map(snake);
        const nested = definition.nested;
        for (const child of Object.values(nested ?? {}))
            visit(child);
    };
    visit(json);
    return json;
}
