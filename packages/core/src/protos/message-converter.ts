import type { Type } from 'protobufjs';
import type { FieldShape } from './field-shapes.js';
import { expected } from './field-type-error.js';
import { compileFromWire, type FromWire } from './from-wire.js';
import type { MapKeyConverter } from './map-keys.js';
import { compileToWire, type ToWire } from './to-wire.js';
import { unknownFields } from './unknown-fields.js';
import type { ValueConverter } from './value-converters.js';

/** One field, with everything its conversion needs looked up ahead of time. */
export interface FieldPlan {
  /** The plain-object property, `amountCents`. */
  readonly prop: string;
  /** The protobufjs field name, as written in the proto: `amount_cents`. */
  readonly key: string;
  readonly shape: FieldShape;
  readonly required: boolean;
  /** The converter of the value, each element, or each map value. */
  readonly value: ValueConverter;
  readonly mapKey: MapKeyConverter | undefined;
}

/**
 * A declared oneof: one property holding `{ case, value }`, `case` being the property name its member would
 * have as a field (`choiceText`), and `value` that member's value.
 */
export interface OneofPlan {
  /** The oneof's name in the proto, `choice`. */
  readonly name: string;
  /** Its plain-object property, `choice`. */
  readonly prop: string;
  /** The members, in proto order; each one's `prop` is its `case`. */
  readonly members: readonly FieldPlan[];
}

/** A message as a plain object, or as the object protobufjs's encoder reads and decoder returns. */
export type PlainObject = Record<string | symbol, unknown>;

/** Checks the object `toWire` made (a Duration's range, …); throws `FieldTypeError`. */
export type WireCheck = (wire: PlainObject) => void;

/** Converts the plain form of one message type to and from what protobufjs reads and writes. */
export class MessageConverter {
  #check: WireCheck | undefined;
  #toWire: ToWire = () => ({});
  #fromWire: FromWire = () => ({});
  readonly #type: Type;
  readonly #description: string;

  /** This message as the value of a field of another message. */
  readonly asValue: ValueConverter;

  constructor(type: Type) {
    this.#type = type;
    this.#description = `an object (a ${type.fullName.slice(1)})`;
    this.asValue = {
      toWire: (value) => this.toWire(value),
      // A map entry without its value decodes to null: the value is then the empty message.
      fromWire: (value) => this.fromWire((value ?? this.#type.create()) as PlainObject),
      isZero: () => false,
    };
  }

  /** Sets the fields (oneof members excluded) and oneofs, once they are planned; `check` validates the result. */
  plan(fields: readonly FieldPlan[], oneofs: readonly OneofPlan[], check?: WireCheck): void {
    this.#check = check;
    this.#toWire = compileToWire(fields, oneofs);
    this.#fromWire = compileFromWire(fields, oneofs);
  }

  /** The object protobufjs's encoder reads for a plain message; throws `FieldTypeError` naming the path. */
  toWire(value: unknown): PlainObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
      throw expected(this.#description, value);
    }
    const input = value as PlainObject;
    const out = this.#toWire(input);
    this.#check?.(out);
    const unknown = input[unknownFields];
    if (unknown !== undefined) {
      if (!(unknown instanceof Uint8Array)) throw expected('a Uint8Array under [unknownFields]', unknown);
      out[unknownFields] = unknown;
    }
    return out;
  }

  /** The plain form of a message protobufjs decoded. */
  fromWire(message: PlainObject): PlainObject {
    return this.#fromWire(message);
  }
}
