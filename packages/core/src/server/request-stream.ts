import type { Readable } from 'node:stream';
import type { MessageCodec } from '../definition.js';
import { RpcError } from '../rpc-error.js';
import { Status } from '../status.js';
import { noteDecoded } from './compressed-requests.js';

/**
 * The client's messages as an async iterable, read only as fast as the handler asks for them: while the handler
 * does not pull, grpc-js stops reading the HTTP/2 stream and flow control holds the client back.
 *
 * Ends with the abort reason when the call is cancelled or its deadline passes. A Node.js client that cancels
 * (grpc-js, so also ours) sends END_STREAM and then RST_STREAM in separate writes, because node:http2's
 * `stream.close(code)` ends the writable side before it resets the stream; the server first sees what looks like
 * a clean end. So the end is reported only once `confirmEnd` resolves (see `ServerCallContext.confirmRequestEnd`),
 * and ends with the abort reason if the cancellation or the deadline arrived meanwhile. A handler that commits
 * work when the stream ends never commits a cancelled or expired stream.
 *
 * The grpc-js stream is read with `read()`, not its async iterator, because leaving that iterator early destroys
 * the stream, and for a bidi call that would also end the handler's responses.
 */
export async function* readRequests<Req>(
  readable: Readable,
  codec: MessageCodec<Req>,
  signal: AbortSignal,
  confirmEnd: () => Promise<void>,
): AsyncGenerator<Req, void, undefined> {
  // One set of listeners for the whole stream rather than one per wait: adding and removing a 'readable' listener
  // each schedule a tick and re-arm the stream, and an AbortSignal listener costs more still. In a ping-pong every
  // message waits, so per-wait listeners were a visible share of the cost of a message.
  let wake: (() => void) | undefined;
  let failure: { readonly error: unknown } | undefined;
  const onEvent = (): void => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const onError = (error: unknown): void => {
    failure ??= { error };
    onEvent();
  };
  readable.on('readable', onEvent);
  readable.on('end', onEvent);
  readable.on('error', onError);
  signal.addEventListener('abort', onEvent);
  try {
    let index = 0;
    while (true) {
      if (failure) throw failure.error;
      signal.throwIfAborted();
      const chunk = readable.read() as Buffer | null;
      if (chunk !== null) {
        yield decodeRequest(codec, chunk, index++);
        continue;
      }
      if (readable.readableEnded) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    readable.removeListener('readable', onEvent);
    readable.removeListener('end', onEvent);
    readable.removeListener('error', onError);
    signal.removeEventListener('abort', onEvent);
  }
  await confirmEnd();
  signal.throwIfAborted();
}

/** Decodes one request message; bytes that are not the expected message end the call with INTERNAL. */
export function decodeRequest<Req>(codec: MessageCodec<Req>, bytes: Uint8Array, index?: number): Req {
  let message: Req;
  try {
    message = codec.decode(bytes);
  } catch (error: unknown) {
    const which = index === undefined ? 'the request' : `request message #${index + 1}`;
    // gRPC's status code table: "Error parsing request proto" is INTERNAL.
    throw new RpcError(Status.INTERNAL, `could not parse ${which} as ${codec.typeName}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  noteDecoded(bytes, message);
  return message;
}
