import type { JsonValue } from '@wirekit/core';

/** How a message becomes JSON: the method's `requestToJson` or `responseToJson`. */
export type ToJson = (message: unknown) => JsonValue;

/**
 * The messages of one direction of one call as JSON text for a log line, cut at a byte budget: one message as
 * `{…}`, a stream as `[{…},{…}]`. A cut text ends with `…(truncated)`. Messages that arrive once the budget is
 * spent are not serialized at all, so a long stream costs only its first few messages.
 *
 * Messages are shown in the canonical proto3 JSON mapping (`toJson`). A message that mapping cannot show (a
 * handler's response with a value of the wrong type, a NaN inside a `google.protobuf.Value`) is still shown,
 * as plain JSON (`messageJson`), and `problem()` says why.
 *
 * @example
 * const requests = new PayloadLog(2048, true, call.method.requestToJson);
 * requests.add({ name: 'Ada' });
 * requests.text(); // '[{"name":"Ada"}]'
 */
export class PayloadLog {
  readonly #maxBytes: number;
  readonly #stream: boolean;
  readonly #toJson: ToJson;
  readonly #parts: string[] = [];
  #bytes = 0;
  #problem: string | undefined;

  constructor(maxBytes: number, stream: boolean, toJson: ToJson) {
    this.#maxBytes = maxBytes;
    this.#stream = stream;
    this.#toJson = toJson;
  }

  add(message: unknown): void {
    // Past the budget the text will be cut anyway; more JSON would only cost time.
    if (this.#bytes > this.#maxBytes) return;
    let json: string;
    try {
      json = JSON.stringify(this.#toJson(message));
    } catch (error: unknown) {
      this.#problem ??= error instanceof Error ? error.message : String(error);
      json = messageJson(message, this.#maxBytes);
    }
    this.#parts.push(json);
    this.#bytes += Buffer.byteLength(json) + 1;
  }

  /** The collected JSON, or `undefined` when no message went by. */
  text(): string | undefined {
    if (this.#parts.length === 0) return undefined;
    const whole = this.#stream ? `[${this.#parts.join(',')}]` : (this.#parts[0] as string);
    return capBytes(whole, this.#maxBytes);
  }

  /**
   * Why the first message that could not be shown in the canonical JSON mapping was shown as plain JSON
   * instead (the mapping's error message), or `undefined` when every message was shown canonically.
   */
  problem(): string | undefined {
    return this.#problem;
  }
}

/**
 * Plain JSON of a message, for one the canonical mapping cannot show: 64-bit integers (`bigint`) as strings,
 * bytes as base64 (at most `maxBytes` of them), everything else as `JSON.stringify` has it.
 */
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
