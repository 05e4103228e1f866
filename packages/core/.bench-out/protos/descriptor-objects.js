import descriptor from 'protobufjs/ext/descriptor/index.js';
const IDEMPOTENCY_LEVELS = ['IDEMPOTENCY_UNKNOWN', 'NO_SIDE_EFFECTS', 'IDEMPOTENT'];
/** A method's `idempotency_level` option as its name, whether the .proto parser kept the name or a number. */
export function idempotencyLevelName(option) {
    if (typeof option === 'number')
        return IDEMPOTENCY_LEVELS[option];
    return IDEMPOTENCY_LEVELS.find((name) => name === option);
}
/** The descriptor `Type` name of each protobufjs scalar type name. */
export const SCALAR_DESCRIPTOR_TYPES = Object.freeze({
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
export function encodeFileDescriptorSet(set) {
    return descriptor.FileDescriptorSet.encode(descriptor.FileDescriptorSet.fromObject(set)).finish();
}
/** Parses a serialized FileDescriptorSet. */
export function decodeFileDescriptorSet(bytes) {
    const message = descriptor.FileDescriptorSet.decode(bytes);
    // The reflected type decodes exactly the shape declared above (descriptor.proto), enums as their names.
    return descriptor.FileDescriptorSet.toObject(message, { enums: String });
}
/** Each file of a serialized FileDescriptorSet, serialized on its own (as gRPC reflection serves them). */
export function splitFileDescriptorSet(bytes) {
    const message = descriptor.FileDescriptorSet.decode(bytes);
    return message.file.map((file) => descriptor.FileDescriptorProto.encode(file).finish());
}
