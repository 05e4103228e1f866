import type { MapKeyConverter } from './map-keys.js';
import type { FieldPlan, OneofPlan, PlainObject } from './message-converter.js';
import { unknownFields } from './unknown-fields.js';
import type { ValueConverter } from './value-converters.js';

/** Turns a message protobufjs decoded into its plain form. */
export type FromWire = (message: PlainObject) => PlainObject;

// Names that can be written into generated code as they are. Field names come from .proto files or descriptor
// sets, which may be anyone's; `__proto__` would set an object literal's prototype.
const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The plain-object conversion of one message type as a function of its own, generated once per type as
 * protobufjs generates its decoders: property reads and an object literal with the names written out, which
 * V8 compiles to fast fixed-shape accesses where a loop over the planned fields would look every name up.
 * Falls back to `interpretFromWire` for names that cannot be written into code.
 */
export function compileFromWire(fields: readonly FieldPlan[], oneofs: readonly OneofPlan[]): FromWire {
  const names = [...fields.flatMap((f) => [f.prop, f.key]), ...oneofs.map((o) => o.prop)];
  if (names.some((name) => !PLAIN_NAME.test(name) || name === '__proto__')) return (message) => interpretFromWire(fields, oneofs, message);
  const converters = fields.map((field) => field.value.fromWire);
  const mapKeys = fields.map((field) => field.mapKey);
  const literal: string[] = [];
  const explicit: string[] = [];
  fields.forEach((field, i) => {
    const read = `m.${field.key}`;
    const convert = converters[i] === undefined ? undefined : `c[${i}]`;
    switch (field.shape) {
      case 'implicit':
        literal.push(`${field.prop}: ${convert === undefined ? read : `${convert}(${read})`}`);
        break;
      case 'repeated':
        // The decoder made a fresh array for this message, so it can be handed out as it is.
        literal.push(`${field.prop}: ${convert === undefined ? read : `${read}.map(${convert})`}`);
        break;
      case 'map':
        literal.push(`${field.prop}: mapFromWire(${read}, k[${i}], c[${i}])`);
        break;
      case 'explicit':
        // The decoder sets fields found on the wire on the message itself; unset ones come from its prototype.
        explicit.push(
          `if (hasOwn(m, ${JSON.stringify(field.key)})) out.${field.prop} = ${convert === undefined ? read : `${convert}(${read})`};`,
        );
        break;
    }
  });
  const body = [
    `const out = { ${literal.join(', ')} };`,
    ...explicit,
    ...oneofs.map((_oneof, i) => `oneofFromWire(oneofs[${i}], m, out);`),
    'const unknown = m[U];',
    'if (unknown !== undefined) out[U] = unknown;',
    'return out;',
  ].join('\n');
  const factory = new Function(
    'c',
    'k',
    'oneofs',
    'hasOwn',
    'mapFromWire',
    'oneofFromWire',
    'U',
    `return function fromWire(m) {\n${body}\n};`,
  );
  return factory(converters, mapKeys, oneofs, Object.hasOwn, mapFromWire, oneofFromWire, unknownFields) as FromWire;
}

/** The same conversion as `compileFromWire`'s, interpreting the plan field by field. */
export function interpretFromWire(fields: readonly FieldPlan[], oneofs: readonly OneofPlan[], message: PlainObject): PlainObject {
  const out: PlainObject = {};
  for (const field of fields) {
    const convert = field.value.fromWire;
    const item = message[field.key];
    switch (field.shape) {
      case 'implicit':
        setKey(out, field.prop, convert === undefined ? item : convert(item));
        break;
      case 'explicit':
        if (Object.hasOwn(message, field.key)) setKey(out, field.prop, convert === undefined ? item : convert(item));
        break;
      case 'repeated':
        setKey(out, field.prop, convert === undefined ? item : (item as unknown[]).map(convert));
        break;
      case 'map':
        setKey(out, field.prop, mapFromWire(item as PlainObject, field.mapKey as MapKeyConverter, convert));
        break;
    }
  }
  for (const oneof of oneofs) oneofFromWire(oneof, message, out);
  const unknown = message[unknownFields];
  if (unknown !== undefined) out[unknownFields] = unknown;
  return out;
}

/** Sets a oneof's `{ case, value }` when the decoder found one of its members. */
function oneofFromWire(oneof: OneofPlan, message: PlainObject, out: PlainObject): void {
  const member = memberOnWire(oneof, message);
  if (member === undefined) return;
  const item = message[member.key];
  setKey(out, oneof.prop, { case: member.prop, value: member.value.fromWire === undefined ? item : member.value.fromWire(item) });
}

/**
 * The member of a oneof the decoder found. When the wire carried several, the last one wins, as in every
 * protobuf runtime: protobufjs sets each member it decodes as an own property, so the last in key order.
 */
function memberOnWire(oneof: OneofPlan, message: PlainObject): FieldPlan | undefined {
  let found: FieldPlan | undefined;
  let count = 0;
  for (const member of oneof.members) {
    if (Object.hasOwn(message, member.key)) {
      found = member;
      count++;
    }
  }
  if (count < 2) return found;
  const keys = Object.keys(message);
  let last = -1;
  for (const member of oneof.members) {
    const at = keys.indexOf(member.key);
    if (at > last) [last, found] = [at, member];
  }
  return found;
}

/** A decoded map as a plain object, keys converted (64-bit keys are decoded as bit hashes). */
export function mapFromWire(map: PlainObject, keys: MapKeyConverter, convert: ValueConverter['fromWire']): PlainObject {
  // The decoder made a fresh object for this message, so one needing no conversion is handed out as it is.
  if (keys.fromWire === undefined && convert === undefined) return map;
  const out: PlainObject = {};
  for (const key of Object.keys(map)) {
    const item = map[key];
    setKey(out, keys.fromWire === undefined ? key : keys.fromWire(key), convert === undefined ? item : convert(item));
  }
  return out;
}

/** Sets a key of an object, `__proto__` included, without touching the object's prototype. */
export function setKey(target: PlainObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}
