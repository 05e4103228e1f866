/** A metadata key whose values are binary (the gRPC spec says such keys end in `-bin`). */
export type BinaryKey = `${string}-bin`;

/** One metadata value: text for ordinary keys, bytes for `-bin` keys. */
export type MetadataValue = string | Uint8Array;

/** What `new Metadata(init)` accepts: a record of values or lists of values, or key/value pairs. */
export type MetadataInit =
  | Metadata
  | Readonly<Record<string, MetadataValue | readonly MetadataValue[]>>
  | Iterable<readonly [string, MetadataValue]>;

// Keys are lower-case ASCII letters, digits, `-`, `_` and `.` (PROTOCOL-HTTP2, "Custom-Metadata").
const VALID_KEY = /^[0-9a-z_.-]+$/;
// ASCII values are printable characters from space to tilde.
const VALID_TEXT = /^[\x20-\x7e]*$/;

/**
 * Request headers, response headers or trailers of a call: a multimap from lower-case keys to values.
 *
 * Keys are normalised to lower case. A `-bin` key holds bytes, any other key printable ASCII text; a value of
 * the wrong kind or a key with characters the protocol forbids throws a `TypeError` naming the key.
 *
 * @example
 * const md = new Metadata({ 'x-request-id': 'abc', 'trace-bin': new Uint8Array([1, 2]) });
 * md.get('x-request-id'); // 'abc'
 */
export class Metadata implements Iterable<[string, MetadataValue]> {
  readonly #entries = new Map<string, MetadataValue[]>();

  constructor(init?: MetadataInit) {
    if (init === undefined) return;
    if (init instanceof Metadata) {
      for (const [key, value] of init) this.append(key, value);
    } else if (isIterable(init)) {
      for (const [key, value] of init) this.append(key, value);
    } else {
      for (const [key, value] of Object.entries(init)) {
        if (Array.isArray(value)) for (const item of value) this.append(key, item as MetadataValue);
        else this.append(key, value as MetadataValue);
      }
    }
  }

  /** The first value of `key`, or `undefined`. */
  get(key: BinaryKey): Uint8Array | undefined;
  get(key: string): string | undefined;
  get(key: string): MetadataValue | undefined {
    return this.#entries.get(key.toLowerCase())?.[0];
  }

  /** Every value of `key`, in the order they were added (empty when absent). */
  getAll(key: BinaryKey): Uint8Array[];
  getAll(key: string): string[];
  getAll(key: string): MetadataValue[] {
    return [...(this.#entries.get(key.toLowerCase()) ?? [])];
  }

  /** Replaces every value of `key` with `value`. */
  set(key: BinaryKey, value: Uint8Array): this;
  set(key: string, value: string): this;
  set(key: string, value: MetadataValue): this {
    const normalised = checkEntry(key, value);
    this.#entries.set(normalised, [value]);
    return this;
  }

  /** Adds `value` after the existing values of `key`. */
  append(key: BinaryKey, value: Uint8Array): this;
  append(key: string, value: MetadataValue): this;
  append(key: string, value: MetadataValue): this {
    const normalised = checkEntry(key, value);
    const values = this.#entries.get(normalised);
    if (values) values.push(value);
    else this.#entries.set(normalised, [value]);
    return this;
  }

  has(key: string): boolean {
    return this.#entries.has(key.toLowerCase());
  }

  delete(key: string): boolean {
    return this.#entries.delete(key.toLowerCase());
  }

  /** The distinct keys, in insertion order. */
  keys(): string[] {
    return [...this.#entries.keys()];
  }

  get size(): number {
    return this.#entries.size;
  }

  *[Symbol.iterator](): Iterator<[string, MetadataValue]> {
    for (const [key, values] of this.#entries) for (const value of values) yield [key, value];
  }

  /** A plain object for logs: binary values are shown as base64. */
  toJSON(): Record<string, string[]> {
    const result: Record<string, string[]> = {};
    for (const [key, values] of this.#entries) {
      result[key] = values.map((value) =>
        typeof value === 'string' ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'),
      );
    }
    return result;
  }
}

function isIterable(value: object): value is Iterable<readonly [string, MetadataValue]> {
  return Symbol.iterator in value;
}

function checkEntry(key: string, value: MetadataValue): string {
  const normalised = key.toLowerCase();
  if (!VALID_KEY.test(normalised)) {
    throw new TypeError(`metadata key "${key}" has characters gRPC forbids; use lower-case letters, digits, "-", "_" and "."`);
  }
  const binary = normalised.endsWith('-bin');
  if (binary && !(value instanceof Uint8Array)) {
    throw new TypeError(`metadata key "${key}" ends in "-bin", so its value must be a Uint8Array`);
  }
  if (!binary) {
    if (typeof value !== 'string') {
      throw new TypeError(`metadata key "${key}" is a text key, so its value must be a string (name it "${normalised}-bin" for bytes)`);
    }
    if (!VALID_TEXT.test(value)) {
      throw new TypeError(`metadata value of "${key}" must be printable ASCII; use a "-bin" key for other bytes`);
    }
  }
  return normalised;
}
