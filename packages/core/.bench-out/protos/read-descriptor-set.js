import protobuf from 'protobufjs';
import { decodeFileDescriptorSet, SCALAR_DESCRIPTOR_TYPES, } from './descriptor-objects.js';
const SCALAR_TYPES = new Map(Object.entries(SCALAR_DESCRIPTOR_TYPES).map(([type, described]) => [described, type]));
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
export function readDescriptorSet(bytes) {
    let files;
    try {
        files = decodeFileDescriptorSet(bytes).file ?? [];
    }
    catch (error) {
        throw new Error(`not a serialized FileDescriptorSet: ${errorMessage(error)}`, { cause: error });
    }
    const root = new protobuf.Root();
    for (const file of files) {
        const name = file.name ?? '';
        try {
            addFile(root, file);
        }
        catch (error) {
            throw new Error(`descriptor of ${name}: ${errorMessage(error)}`, { cause: error });
        }
    }
    try {
        root.resolveAll();
    }
    catch (error) {
        throw new Error(`the descriptor set is incomplete: ${errorMessage(error)} (write it with all imports, e.g. protoc --include_imports)`, {
            cause: error,
        });
    }
    return root;
}
function addFile(root, file) {
    const syntax = fileSyntax(file);
    const pkg = file.package ?? '';
    const prefix = pkg === '' ? '' : `.${pkg}`;
    // `edition` pins a top-level definition's syntax; protobufjs reads it from JSON but does not declare it.
    const nested = {};
    for (const message of file.messageType ?? [])
        nested[nameOf(message)] = { ...typeJson(message, prefix), edition: syntax };
    for (const enumType of file.enumType ?? [])
        nested[nameOf(enumType)] = { ...enumJson(enumType), edition: syntax };
    for (const service of file.service ?? [])
        nested[nameOf(service)] = { ...serviceJson(service), edition: syntax };
    const namespace = pkg === '' ? root : root.define(pkg);
    namespace.addJSON(nested);
    for (const name of Object.keys(nested)) {
        const definition = namespace.get(name);
        if (definition !== null)
            definition.filename = file.name ?? null;
    }
}
function fileSyntax(file) {
    if (file.syntax === undefined || file.syntax === '' || file.syntax === 'proto2')
        return 'proto2';
    if (file.syntax === 'proto3')
        return 'proto3';
    throw new Error(`syntax "${file.syntax}" is not supported yet (only proto2 and proto3)`);
}
function typeJson(message, scope) {
    const fullName = `${scope}.${nameOf(message)}`;
    const mapEntries = new Map();
    const groups = new Set();
    for (const nested of message.nestedType ?? []) {
        if (nested.options?.mapEntry === true)
            mapEntries.set(`${fullName}.${nameOf(nested)}`, nested);
    }
    const oneofMembers = (message.oneofDecl ?? []).map(() => []);
    const fields = {};
    for (const field of message.field ?? []) {
        const name = nameOf(field);
        const entry = field.typeName === undefined ? undefined : mapEntries.get(field.typeName);
        if (entry !== undefined && field.label === 'LABEL_REPEATED') {
            fields[name] = mapFieldJson(field, entry);
        }
        else {
            fields[name] = fieldJson(field);
            if (field.type === 'TYPE_GROUP' && field.typeName !== undefined)
                groups.add(field.typeName);
        }
        if (field.oneofIndex !== undefined)
            oneofMembers[field.oneofIndex]?.push(name);
    }
    const json = { fields };
    const oneofs = message.oneofDecl ?? [];
    if (oneofs.length > 0) {
        json.oneofs = Object.fromEntries(oneofs.map((oneof, i) => [oneof.name ?? `oneof${i}`, { oneof: oneofMembers[i] ?? [] }]));
    }
    const nested = {};
    for (const type of message.nestedType ?? []) {
        const typeName = `${fullName}.${nameOf(type)}`;
        if (mapEntries.has(typeName))
            continue;
        nested[nameOf(type)] = groups.has(typeName) ? { ...typeJson(type, fullName), group: true } : typeJson(type, fullName);
    }
    for (const enumType of message.enumType ?? [])
        nested[nameOf(enumType)] = enumJson(enumType);
    if (Object.keys(nested).length > 0)
        json.nested = nested;
    // Descriptors end message ranges exclusively, protobufjs inclusively.
    if (message.extensionRange?.length)
        json.extensions = message.extensionRange.map(inclusiveRange);
    const reserved = [...(message.reservedRange ?? []).map(inclusiveRange), ...(message.reservedName ?? [])];
    if (reserved.length > 0)
        json.reserved = reserved;
    if (message.options?.deprecated === true)
        json.options = { deprecated: true };
    return json;
}
function fieldJson(field) {
    const json = { id: field.number ?? 0, type: fieldType(field) };
    if (field.label === 'LABEL_REPEATED')
        json.rule = 'repeated';
    else if (field.label === 'LABEL_REQUIRED')
        json.rule = 'required';
    const options = {};
    if (field.proto3Optional === true)
        options.proto3_optional = true;
    if (field.options?.packed !== undefined)
        options.packed = field.options.packed;
    if (field.options?.deprecated === true)
        options.deprecated = true;
    if (field.defaultValue !== undefined)
        options.default = defaultValue(field);
    if (Object.keys(options).length > 0)
        json.options = options;
    return json;
}
function mapFieldJson(field, entry) {
    const key = entry.field?.find((f) => f.number === 1);
    const value = entry.field?.find((f) => f.number === 2);
    if (key === undefined || value === undefined)
        throw new Error(`map entry ${nameOf(entry)} lacks its key or value`);
    const json = { id: field.number ?? 0, keyType: fieldType(key), type: fieldType(value) };
    if (field.options?.deprecated === true)
        json.options = { deprecated: true };
    return json;
}
function fieldType(field) {
    if (field.typeName !== undefined && field.typeName !== '')
        return field.typeName;
    const type = SCALAR_TYPES.get(field.type ?? '');
    if (type === undefined)
        throw new Error(`field ${nameOf(field)} has unknown type ${field.type}`);
    return type;
}
/** A `[default = …]` from its descriptor text, as the .proto parser would have kept it. */
function defaultValue(field) {
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
function enumJson(enumType) {
    const values = {};
    for (const value of enumType.value ?? [])
        values[nameOf(value)] = value.number ?? 0;
    const json = { values };
    const options = {};
    if (enumType.options?.allowAlias === true)
        options.allow_alias = true;
    if (enumType.options?.deprecated === true)
        options.deprecated = true;
    if (Object.keys(options).length > 0)
        json.options = options;
    // Enum reserved ranges end inclusively in descriptors too; protobufjs's IEnum types omit `reserved`.
    const reserved = [...(enumType.reservedRange ?? []).map((range) => [range.start ?? 0, range.end ?? 0]), ...(enumType.reservedName ?? [])];
    return reserved.length > 0 ? { ...json, reserved } : json;
}
function serviceJson(service) {
    const methods = {};
    for (const method of service.method ?? []) {
        // protobufjs's typings require a comment; descriptors carry none outside source_code_info.
        const json = { requestType: method.inputType ?? '', responseType: method.outputType ?? '', comment: '' };
        if (method.clientStreaming === true)
            json.requestStream = true;
        if (method.serverStreaming === true)
            json.responseStream = true;
        const options = {};
        // The .proto parser keeps option names as written (snake_case) and enum options as value names.
        if (method.options?.idempotencyLevel !== undefined)
            options.idempotency_level = method.options.idempotencyLevel;
        if (method.options?.deprecated === true)
            options.deprecated = true;
        if (Object.keys(options).length > 0)
            json.options = options;
        methods[nameOf(method)] = json;
    }
    const json = { methods };
    if (service.options?.deprecated === true)
        json.options = { deprecated: true };
    return json;
}
function inclusiveRange(range) {
    return [range.start ?? 0, (range.end ?? 1) - 1];
}
function nameOf(described) {
    if (described.name === undefined || described.name === '')
        throw new Error('a definition has no name');
    return described.name;
}
function errorMessage(error) {
    return error instanceof Error ? error.message : String(error);
}
