/**
 * A value of the wrong JavaScript type met while encoding, with the path to it built up as the error passes
 * back out through nested messages, lists and maps. The codec turns it into a plain `TypeError` reading
 * `payments.v1.ChargeRequest.items[2].amountCents: expected a bigint, got string "12"`.
 */
export class FieldTypeError extends TypeError {
  /** Path segments from the outermost message inward: `.items`, `[2]`, `["key"]`. */
  readonly path: string[] = [];

  constructor(readonly detail: string) {
    super(detail);
    this.name = 'TypeError';
  }

  /** The error a caller sees, its path starting at the message type's full name. */
  toTypeError(typeName: string): TypeError {
    return new TypeError(`${typeName}${this.path.join('')}: ${this.detail}`);
  }
}

/** A `FieldTypeError` saying what was expected and what came instead. */
export function expected(what: string, value: unknown, note?: string): FieldTypeError {
  return new FieldTypeError(`expected ${what}, got ${describeValue(value)}${note === undefined ? '' : ` (${note})`}`);
}

/** A short description of a value for an error message: `string "12"`, `number 1.5`, `an array`. */
export function describeValue(value: unknown): string {
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
      if (value === null) return 'null';
      if (Array.isArray(value)) return 'an array';
      const prototype = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
      const name = prototype?.constructor?.name;
      return typeof name === 'string' && name !== 'Object' ? `an object (${name})` : 'an object';
    }
    default:
      return typeof value;
  }
}
