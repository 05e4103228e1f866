import { expected, FieldTypeError } from './field-type-error.js';
/** Converts the plain form of one message type to and from what protobufjs reads and writes. */
export class MessageConverter {
    #fields = [];
    #oneofs = [];
    #type;
    #description;
    /** This message as the value of a field of another message. */
    asValue;
    constructor(type) {
        this.#type = type;
        this.#description = `an object (a ${type.fullName.slice(1)})`;
        this.asValue = {
            toWire: (value) => this.toWire(value),
            // A map entry without its value decodes to null: the value is then the empty message.
            fromWire: (value) => this.fromWire((value ?? this.#type.create())),
            isZero: () => false,
        };
    }
    plan(fields, oneofs) {
        this.#fields = fields;
        this.#oneofs = oneofs;
    }
    toWire(value) {
        if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
            throw expected(this.#description, value);
        }
        const input = value;
        for (const oneof of this.#oneofs)
            checkOneof(oneof, input);
        const out = {};
        let current;
        try {
            for (const field of this.#fields) {
                current = field;
                const item = input[field.prop];
                if (item === undefined || item === null) {
                    if (field.required)
                        throw new FieldTypeError('is required, but not set');
                    continue;
                }
                switch (field.shape) {
                    case 'implicit': {
                        const wire = field.value.toWire(item);
                        if (!field.value.isZero(wire))
                            out[field.key] = wire;
                        break;
                    }
                    case 'explicit':
                        out[field.key] = field.value.toWire(item);
                        break;
                    case 'repeated':
                        out[field.key] = listToWire(item, field.value);
                        break;
                    case 'map':
                        out[field.key] = mapToWire(item, field.mapKey, field.value);
                        break;
                }
            }
        }
        catch (error) {
            if (error instanceof FieldTypeError && current !== undefined)
                error.path.unshift(`.${current.prop}`);
            throw error;
        }
        return out;
    }
    fromWire(message) {
        const out = {};
        for (const field of this.#fields) {
            const convert = field.value.fromWire;
            switch (field.shape) {
                case 'implicit': {
                    const item = message[field.key];
                    out[field.prop] = convert === undefined ? item : convert(item);
                    break;
                }
                case 'explicit':
                    // The decoder sets fields found on the wire on the message itself; unset ones come from its prototype.
                    if (Object.hasOwn(message, field.key)) {
                        const item = message[field.key];
                        out[field.prop] = convert === undefined ? item : convert(item);
                    }
                    break;
                case 'repeated': {
                    const list = message[field.key];
                    // The decoder made a fresh array for this message, so it can be handed out as it is.
                    out[field.prop] = convert === undefined ? list : list.map(convert);
                    break;
                }
                case 'map':
                    out[field.prop] = mapFromWire(message[field.key], field.mapKey, convert);
                    break;
            }
        }
        for (const oneof of this.#oneofs)
            keepLastOneofMember(oneof, message, out);
        return out;
    }
}
function checkOneof(oneof, input) {
    let set;
    for (const prop of oneof.props) {
        if (input[prop] === undefined || input[prop] === null)
            continue;
        if (set !== undefined) {
            throw new FieldTypeError(`"${set}" and "${prop}" are both set, but they belong to oneof "${oneof.name}"; set at most one`);
        }
        set = prop;
    }
}
/** When a oneof appears more than once on the wire the last member wins, as in every protobuf runtime. */
function keepLastOneofMember(oneof, message, out) {
    let count = 0;
    for (const prop of oneof.props)
        if (out[prop] !== undefined)
            count++;
    if (count < 2)
        return;
    // protobufjs sets each member it decodes as an own property, so the last one in key order came last.
    const keys = Object.keys(message);
    let last = -1;
    for (const key of oneof.keys)
        last = Math.max(last, keys.indexOf(key));
    oneof.keys.forEach((key, i) => {
        const prop = oneof.props[i];
        if (prop !== undefined && keys.indexOf(key) !== last)
            delete out[prop];
    });
}
function listToWire(value, converter) {
    if (!Array.isArray(value))
        throw expected('an array', value);
    const out = new Array(value.length);
    let i = 0;
    try {
        for (; i < value.length; i++)
            out[i] = converter.toWire(value[i]);
    }
    catch (error) {
        if (error instanceof FieldTypeError)
            error.path.unshift(`[${i}]`);
        throw error;
    }
    return out;
}
function mapToWire(value, keys, converter) {
    if (!isPlainObject(value))
        throw expected('a plain object (a map)', value);
    const out = {};
    let key;
    try {
        for (key of Object.keys(value))
            setKey(out, keys.toWire(key), converter.toWire(value[key]));
    }
    catch (error) {
        if (error instanceof FieldTypeError && key !== undefined)
            error.path.unshift(`[${JSON.stringify(key)}]`);
        throw error;
    }
    return out;
}
function mapFromWire(map, keys, convert) {
    // The decoder made a fresh object for this message, so one needing no conversion is handed out as it is.
    if (keys.fromWire === undefined && convert === undefined)
        return map;
    const out = {};
    for (const key of Object.keys(map)) {
        const item = map[key];
        setKey(out, keys.fromWire === undefined ? key : keys.fromWire(key), convert === undefined ? item : convert(item));
    }
    return out;
}
/** Sets a key of a map object, `__proto__` included, without touching the object's prototype. */
function setKey(target, key, value) {
    if (key === '__proto__')
        Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    else
        target[key] = value;
}
function isPlainObject(value) {
    if (typeof value !== 'object' || value === null)
        return false;
    const prototype = Object.getPrototypeOf(value);
    return prototype === Object.prototype || prototype === null;
}
