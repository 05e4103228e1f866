import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A JSON value as recorded in an exchange file. */
export type RecordedJson = null | boolean | number | string | RecordedJson[] | { [key: string]: RecordedJson };

/** The status a recorded exchange expects instead of a response. */
export interface RecordedStatus {
  /** The code's name (`NOT_FOUND`) or number. */
  readonly code: string | number;
  /** The status message, when the exchange pins it. */
  readonly message?: string;
  /** The rich details (as `RpcError.details` holds them), when the exchange pins them. */
  readonly details?: readonly RecordedJson[];
}

/**
 * One example exchange with a service, kept as a JSON file beside the test. Messages are in the proto3 JSON
 * mapping, in any of its valid spellings (JSON or proto field names, 64-bit numbers as strings or numbers, enums
 * by name or number, defaults written out or left out): expected messages are compared in the canonical form.
 * In expected messages, the string `"<any>"` matches any value that is present (generated ids, timestamps).
 *
 * @example
 * { "rpc": "GetPayment", "request": { "paymentId": "nope" }, "status": { "code": "NOT_FOUND" } }
 */
export interface RecordedExchange {
  /** A name for reports; defaults to the file name. */
  readonly name?: string;
  /**
   * Where the exchange was read from, for reports: the file's path, with `#n` for the n-th exchange of a file
   * that holds an array. Set by `readRecordedExchanges`.
   */
  readonly source?: string;
  /** The rpc's name as in the proto, e.g. `Charge`. */
  readonly rpc: string;
  /** Request headers. */
  readonly metadata?: Readonly<Record<string, string>>;
  /** The request of a unary or server-streaming rpc. */
  readonly request?: RecordedJson;
  /** The requests of a client-streaming or bidi rpc. */
  readonly requests?: readonly RecordedJson[];
  /** The response of a unary or client-streaming rpc. */
  readonly response?: RecordedJson;
  /** The responses of a server-streaming or bidi rpc, in order. */
  readonly responses?: readonly RecordedJson[];
  /** The failed status expected instead of (or, for streams, after) the responses. */
  readonly status?: RecordedStatus;
}

/** Reads every `*.json` file of a directory as one exchange (or an array of exchanges), sorted by file name. */
export function readRecordedExchanges(directory: string): RecordedExchange[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .flatMap((file) => {
      const path = join(directory, file);
      let parsed: unknown;
      try {
        parsed = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error: unknown) {
        throw new Error(`${path} is not valid JSON: ${(error as Error).message}`);
      }
      const exchanges = Array.isArray(parsed) ? parsed : [parsed];
      return exchanges.map((exchange, index) => {
        const position = exchanges.length > 1 ? ` #${index + 1}` : '';
        if (typeof exchange !== 'object' || exchange === null || typeof (exchange as { rpc?: unknown }).rpc !== 'string') {
          throw new Error(`${path}${position} needs an "rpc" naming the method, e.g. "Charge"`);
        }
        const named = exchange as RecordedExchange;
        return { ...named, name: named.name ?? `${file}${position}`, source: `${path}${position}` };
      });
    });
}
