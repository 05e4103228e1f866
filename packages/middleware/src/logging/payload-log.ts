/**
 * The messages of one direction of one call as JSON text for a log line, cut at a byte budget: one message as
 * `{…}`, a stream as `[{…},{…}]`. A cut text ends with `…(truncated)`. Messages that arrive once the budget is
 * spent are not serialized at all, so a long stream costs only its first few messages.
 *
 * @example
 * const requests = new PayloadLog(2048, true);
 * requests.add({ name: 'Ada' });
 * requests.text(); // '[{"name":"Ada"}]'
 */
export class PayloadLog {
  readonly #maxBytes: number;
  readonly #stream: boolean;
  readonly #parts: string[] = [];
  #bytes = 0;

  constructor(maxBytes: number, stream: boolean) {
    this.#maxBytes = maxBytes;
    this.#stream = stream;
  }

  add(message: unknown): void {
    // Past the budget the text will be cut anyway; more JSON would only cost time.
    if (this.#bytes > this.#maxBytes) return;
    const json = messageJson(message, this.#maxBytes);
    this.#parts.push(json);
    this.#bytes += Buffer.byteLength(json) + 1;
  }

  /** The collected JSON, or `undefined` when no message went by. */
  text(): string | undefined {
    if (this.#parts.length === 0) return undefined;
    const whole = this.#stream ? `[${this.#parts.join(',')}]` : (this.#parts[0] as string);
    return capBytes(whole, this.#maxBytes);
  }
}

/** JSON of a decoded message: 64-bit integers (`bigint`) as strings, bytes as base64 (at most `maxBytes` of them). */
export function messageJson(message: unknown, maxBytes: number): string {
  return (
    JSON.stringify(message, function replace(this: Record<string, unknown>, key: string, value: unknown): unknown {
      if (typeof value === 'bigint') return value.toString();
      // `this[key]` is the value before `toJSON`, which turns a Buffer into an array of numbers.
      const original = this[key];
      if (original instanceof Uint8Array) {
        const shown = Buffer.from(original.buffer, original.byteOffset, Math.min(original.byteLength, maxBytes)).toString('base64');
        return original.byteLength > maxBytes ? `${shown}…(${original.byteLength} bytes)` : shown;
      }
      return value;
    }) ?? 'null'
  );
}

const TRUNCATED = '…(truncated)';

/** Cuts `text` to at most `maxBytes` UTF-8 bytes, never inside a character, marking the cut. */
export function capBytes(text: string, maxBytes: number): string {
  // Each UTF-16 unit is at most 3 UTF-8 bytes, so short texts need no measuring.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  const { read } = new TextEncoder().encodeInto(text, new Uint8Array(maxBytes));
  return `${text.slice(0, read)}${TRUNCATED}`;
}
