import { status as grpcStatus, ServerInterceptingCall, type ServerInterceptingCallInterface } from '@grpc/grpc-js';

/**
 * The parts of grpc-js's `BaseServerInterceptingCall` (1.10 to 1.14) the guard relies on. They are private to
 * grpc-js: when a version lacks them, the guard steps aside and grpc-js's own handling applies (the hostile-input
 * suite, `src/hostile`, pins the statuses, so an upgrade that loses the guard fails a test).
 */
interface GrpcCallInternals {
  decoder?: { readonly readState?: unknown };
  decompressMessage?: (this: GrpcCallInternals, frame: Buffer, encoding: string) => Buffer | Promise<Buffer>;
}

/**
 * Wraps grpc-js's own call (the innermost, which holds the private parts above) to refuse two framing errors grpc-js
 * lets through, with INTERNAL as gRPC's protocol requires (`doc/PROTOCOL-HTTP2.md`, `doc/compression.md`):
 *
 * - a message whose compressed flag is set while the call declared no `grpc-encoding` (or `identity`), or whose
 *   flag byte is neither 0 nor 1: grpc-js reads such bytes as if they were not compressed;
 * - a request stream that ends inside a message (its length prefix announced more bytes than came): grpc-js
 *   drops the partial message, so a streaming handler saw a clean end and could commit a stream the client never
 *   finished, and a unary call got UNIMPLEMENTED ("Received no request message").
 */
export function guardFrames(call: ServerInterceptingCallInterface): ServerInterceptingCall {
  const internals = call as unknown as GrpcCallInternals;
  const decompress = internals.decompressMessage;
  if (typeof decompress === 'function') {
    internals.decompressMessage = function checkFlag(frame, encoding) {
      const flag = frame[0];
      if (flag !== 0 && encoding === 'identity') {
        return Promise.reject({
          code: grpcStatus.INTERNAL,
          details:
            flag === 1
              ? 'a request message is marked compressed, but the call declared no grpc-encoding'
              : `a request message has compressed flag ${flag}; it must be 0 or 1`,
        });
      }
      return decompress.call(this, frame, encoding);
    };
  }
  return new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveHalfClose: (halfClose) => {
          // 0 is grpc-js's NO_DATA: between messages. Anything else is a prefix or a message cut short.
          const state = internals.decoder?.readState;
          if (state !== undefined && state !== 0) {
            call.sendStatus({
              code: grpcStatus.INTERNAL,
              details: 'the request stream ended inside a message: its length prefix announced more bytes than were sent',
            });
            return;
          }
          halfClose();
        },
      }),
  });
}
