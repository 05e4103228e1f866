import protobuf from 'protobufjs';
/** The shape of a resolved field. */
export function fieldShape(field) {
    if (field.map)
        return 'map';
    if (field.repeated)
        return 'repeated';
    // protobufjs reports proto3 message fields as without presence, but they have it: unset is not `{}`.
    if (field.resolvedType instanceof protobuf.Type || field.hasPresence)
        return 'explicit';
    return 'implicit';
}
/** The property name of a field in plain objects: protobufjs's camelCase, `amount_cents` → `amountCents`. */
export function propertyName(field) {
    return protobuf.util.camelCase(field.name);
}
/** The fields a message maps: its own, not extensions declared on it elsewhere. */
export function mappedFields(type) {
    return type.fieldsArray.filter((field) => field.declaringField === null && field.extend === undefined);
}
/** The oneofs written in the proto, without those protobufjs (like protoc) synthesizes for proto3 `optional`. */
export function declaredOneofs(type) {
    return type.oneofsArray.filter((oneof) => !isSyntheticOneof(oneof));
}
/** A proto3 `optional` field sits alone in a synthetic oneof. */
export function isSyntheticOneof(oneof) {
    const only = oneof.fieldsArray[0];
    return oneof.fieldsArray.length === 1 && only?.options?.proto3_optional === true;
}
