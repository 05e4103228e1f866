import type { Writable } from 'node:stream';
import type { ServerCallContext } from './server-call-context.js';

/**
 * Writes a handler's responses to the grpc-js call as they come, each encoded by `encode`. When the call's buffer
 * is full (the client reads slowly) the handler is not asked for its next response until the call drains, so a
 * slow reader holds the handler back instead of the server buffering. Ends with the abort reason once the call is
 * cancelled, expires or is aborted by a shutdown, also while it waits for the drain.
 */
export async function writeResponses(
  responses: AsyncIterable<unknown>,
  writable: Writable,
  context: ServerCallContext,
  encode: (message: unknown) => Buffer,
): Promise<void> {
  // The listeners that end a wait are added once per call, at its first wait, rather than per wait: an
  // AbortSignal listener costs about as much as writing a small message, and a fast stream waits every few
  // messages. The signal itself is made only then, too.
  let wake: (() => void) | undefined;
  const onEvent = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  let signal: AbortSignal | undefined;
  try {
    for await (const response of responses) {
      context.throwIfAborted();
      if (context.headerPending) context.sendHeader();
      if (writable.write(encode(response))) continue;
      if (!signal) {
        signal = context.signal;
        signal.addEventListener('abort', onEvent);
        writable.on('drain', onEvent);
        // A failed write ends the wait as well; whether the call goes on is then up to its signal.
        writable.on('error', onEvent);
      }
      // The write itself may have ended the call (a message over the size limit does).
      context.throwIfAborted();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      context.throwIfAborted();
    }
  } finally {
    if (signal) {
      signal.removeEventListener('abort', onEvent);
      writable.removeListener('drain', onEvent);
      writable.removeListener('error', onEvent);
    }
  }
}
