import { describeValue, expected, FieldTypeError } from './field-type-error.js';
import { setKey } from './from-wire.js';
import type { MapKeyConverter } from './map-keys.js';
import type { FieldPlan, OneofPlan, PlainObject } from './message-converter.js';
import type { ValueConverter } from './value-converters.js';

/** Turns a plain message (known to be an object) into the object protobufjs's encoder reads. */
export type ToWire = (input: PlainObject) => PlainObject;

// Names that can be written into generated code as they are (see from-wire.ts).
const PLAIN_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The encoder-side conversion of one message type as a function of its own, generated once per type: each
 * field read, checked and converted by its converter, with the names written out (see `compileFromWire`).
 * A `FieldTypeError` leaves it with the property it was met at added to its path. Falls back to
 * `interpretToWire` for names that cannot be written into code.
 */
export function compileToWire(fields: readonly FieldPlan[], oneofs: readonly OneofPlan[]): ToWire {
  const cases = oneofs.map((oneof) => new Map<unknown, FieldPlan>(oneof.members.map((member) => [member.prop, member])));
  const names = [...fields.flatMap((f) => [f.prop, f.key]), ...oneofs.map((o) => o.prop)];
  if (names.some((name) => !PLAIN_NAME.test(name) || name === '__proto__')) return (input) => interpretToWire(fields, oneofs, cases, input);
  const props = [...fields.map((field) => field.prop), ...oneofs.map((oneof) => oneof.prop)];
  // A property named like one every object inherits (`toString`) counts only when the caller set it.
  const read = (prop: string): string =>
    prop in Object.prototype ? `(hasOwn(input, '${prop}') ? input.${prop} : undefined)` : `input.${prop}`;
  const statements = fields.map((field, i) => {
    const unset = field.value.nullIsValue === true ? 'v === undefined' : '(v === undefined || v === null)';
    let set: string;
    switch (field.shape) {
      case 'implicit':
        set = `{ const w = f[${i}].toWire(v); if (!f[${i}].isZero(w)) out.${field.key} = w; }`;
        break;
      case 'explicit':
        set = `out.${field.key} = f[${i}].toWire(v);`;
        break;
      case 'repeated':
        set = `out.${field.key} = listToWire(v, f[${i}]);`;
        break;
      case 'map':
        set = `out.${field.key} = mapToWire(v, k[${i}], f[${i}]);`;
        break;
    }
    const required = field.required ? ` else throw new FieldTypeError('is required, but not set');` : '';
    return `at = ${i}; v = ${read(field.prop)}; if (!(${unset})) ${set}${required}`;
  });
  oneofs.forEach((oneof, j) => {
    statements.push(
      `at = ${fields.length + j}; v = input.${oneof.prop}; if (v !== undefined && v !== null) oneofToWire(oneofs[${j}], cases[${j}], v, out);`,
    );
  });
  const body = [
    'const out = {};',
    'let at = -1;',
    'let v;',
    'try {',
    ...statements,
    '} catch (error) {',
    "  if (error instanceof FieldTypeError) error.path.unshift('.' + props[at]);",
    '  throw error;',
    '}',
    'return out;',
  ].join('\n');
  const factory = new Function(
    'f',
    'k',
    'oneofs',
    'cases',
    'props',
    'listToWire',
    'mapToWire',
    'oneofToWire',
    'FieldTypeError',
    'hasOwn',
    `return function toWire(input) {\n${body}\n};`,
  );
  const values = fields.map((field) => field.value);
  const keys = fields.map((field) => field.mapKey);
  return factory(values, keys, oneofs, cases, props, listToWire, mapToWire, oneofToWire, FieldTypeError, Object.hasOwn) as ToWire;
}

/** The same conversion as `compileToWire`'s, interpreting the plan field by field. */
export function interpretToWire(
  fields: readonly FieldPlan[],
  oneofs: readonly OneofPlan[],
  cases: readonly ReadonlyMap<unknown, FieldPlan>[],
  input: PlainObject,
): PlainObject {
  const out: PlainObject = {};
  let current: string | undefined;
  try {
    for (const field of fields) {
      current = field.prop;
      const item = ownValue(input, field.prop);
      if (item === undefined || (item === null && field.value.nullIsValue !== true)) {
        if (field.required) throw new FieldTypeError('is required, but not set');
        continue;
      }
      switch (field.shape) {
        case 'implicit': {
          const wire = field.value.toWire(item);
          if (!field.value.isZero(wire)) setKey(out, field.key, wire);
          break;
        }
        case 'explicit':
          setKey(out, field.key, field.value.toWire(item));
          break;
        case 'repeated':
          setKey(out, field.key, listToWire(item, field.value));
          break;
        case 'map':
          setKey(out, field.key, mapToWire(item, field.mapKey as MapKeyConverter, field.value));
          break;
      }
    }
    oneofs.forEach((oneof, i) => {
      current = oneof.prop;
      const item = ownValue(input, oneof.prop);
      if (item !== undefined && item !== null) oneofToWire(oneof, cases[i] as ReadonlyMap<unknown, FieldPlan>, item, out);
    });
  } catch (error: unknown) {
    if (error instanceof FieldTypeError && current !== undefined) error.path.unshift(`.${current}`);
    throw error;
  }
  return out;
}

/** Checks a `{ case, value }` and sets the member it names on the encoder's object. */
function oneofToWire(oneof: OneofPlan, cases: ReadonlyMap<unknown, FieldPlan>, item: unknown, out: PlainObject): void {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    throw expected(`an object { case, value } (oneof ${oneof.name})`, item);
  }
  const { case: name, value } = item as { case?: unknown; value?: unknown };
  const member = cases.get(name);
  if (member === undefined) {
    const known = oneof.members.map((m) => `'${m.prop}'`).join(', ');
    throw new FieldTypeError(`unknown case ${describeValue(name)} of oneof ${oneof.name}; expected one of ${known}`);
  }
  try {
    if (value === undefined || (value === null && member.value.nullIsValue !== true)) {
      throw new FieldTypeError(`is missing: case '${member.prop}' needs a value`);
    }
    setKey(out, member.key, member.value.toWire(value));
  } catch (error: unknown) {
    if (error instanceof FieldTypeError) error.path.unshift('.value');
    throw error;
  }
}

/**
 * The encoder's array for a list. The caller's own array serves when every item is already what the encoder
 * reads (strings, numbers, …): the encoder only reads it, and a list of scalars is then not copied.
 */
function listToWire(value: unknown, converter: ValueConverter): readonly unknown[] {
  if (!Array.isArray(value)) throw expected('an array', value);
  let out: unknown[] | undefined;
  let i = 0;
  try {
    for (; i < value.length; i++) {
      const item: unknown = value[i];
      const wire = converter.toWire(item);
      if (out === undefined && wire !== item) out = value.slice(0, i);
      if (out !== undefined) out.push(wire);
    }
  } catch (error: unknown) {
    if (error instanceof FieldTypeError) error.path.unshift(`[${i}]`);
    throw error;
  }
  return out ?? value;
}

/** The encoder's object for a map; the caller's own object serves when no key or value needs converting. */
function mapToWire(value: unknown, keys: MapKeyConverter, converter: ValueConverter): PlainObject {
  if (!isPlainObject(value)) throw expected('a plain object (a map)', value);
  const names = Object.keys(value);
  let out: PlainObject | undefined;
  let i = 0;
  try {
    for (; i < names.length; i++) {
      const key = names[i] as string;
      const item = value[key];
      const wireKey = keys.toWire(key);
      const wire = converter.toWire(item);
      if (out === undefined && (wireKey !== key || wire !== item)) {
        out = {};
        for (let j = 0; j < i; j++) setKey(out, names[j] as string, value[names[j] as string]);
      }
      if (out !== undefined) setKey(out, wireKey, wire);
    }
  } catch (error: unknown) {
    if (error instanceof FieldTypeError) error.path.unshift(`[${JSON.stringify(names[i])}]`);
    throw error;
  }
  return out ?? value;
}

/** A property of a plain message; one named like those every object inherits (`toString`) only when set. */
function ownValue(input: PlainObject, prop: string): unknown {
  return prop in Object.prototype && !Object.hasOwn(input, prop) ? undefined : input[prop];
}

function isPlainObject(value: unknown): value is PlainObject {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
