import type { Metadata, MetadataInit } from '../metadata.js';

/** Per-call options of a client method. */
export interface CallOptions {
  /** When the call must be over: a Date or epoch milliseconds. The server sees it as its deadline. */
  readonly deadline?: Date | number;
  /** A deadline this many milliseconds from now; the earlier of `deadline` and `timeoutMs` wins. */
  readonly timeoutMs?: number;
  /** Cancels the call when aborted; the call then fails with CANCELLED (the abort reason as its cause). */
  readonly signal?: AbortSignal;
  /** Request headers. */
  readonly metadata?: MetadataInit;
  /** Called with the response headers when they arrive. */
  readonly onHeader?: (header: Metadata) => void;
  /** Called with the trailers when the call ends, whether it succeeded or failed. */
  readonly onTrailer?: (trailer: Metadata) => void;
}

/** The earliest of the deadline and the timeout, as epoch milliseconds, or `undefined` for none. */
export function effectiveDeadline(options: CallOptions): number | undefined {
  const deadline = options.deadline instanceof Date ? options.deadline.getTime() : options.deadline;
  const timeout = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  if (deadline === undefined) return timeout;
  if (timeout === undefined) return deadline;
  return Math.min(deadline, timeout);
}
