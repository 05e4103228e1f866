/**
 * A value of the wrong JavaScript type met while encoding, with the path to it built up as the error passes
 * back out through nested messages, lists and maps. The codec turns it into a plain `TypeError` reading
 * `payments.v1.ChargeRequest.items[2].amountCents: expected a bigint, got string "12"`.
 */
export class FieldTypeError extends TypeError {
    detail;
    /** Path segments from the outermost message inward: `.items`, `[2]`, `["key"]`. */
    path = [];
    constructor(detail) {
        super(detail);
        this.detail = detail;
        this.name = 'TypeError';
    }
    /** The error a caller sees, its path starting at the message type's full name. */
    toTypeError(typeName) {
        return new TypeError(`${typeName}${this.path.join('')}: ${this.detail}`);
    }
}
/** A `FieldTypeError` saying what was expected and what came instead. */
export function expected(what, value, note) {
    return new FieldTypeError(`expected ${what}, got ${describeValue(value)}${note === undefined ? '' : ` (${note})`}`);
}
/** A short description of a value for an error message: `string "12"`, `number 1.5`, `an array`. */
export function describeValue(value) {
    switch (typeof value) {
        case 'string':
            return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
        case 'number':
        case 'boolean':
            return `${typeof value} ${String(value)}`;
        case 'bigint':
            return `bigint ${value}n`;
        case 'undefined':
            return 'undefined';
        case 'object': {
            if (value === null)
                return 'null';
            if (Array.isArray(value))
                return 'an array';
            const prototype = Object.getPrototypeOf(value);
            const name = prototype?.constructor?.name;
            return typeof name === 'string' && name !== 'Object' ? `an object (${name})` : 'an object';
        }
        default:
            return typeof value;
    }
}
