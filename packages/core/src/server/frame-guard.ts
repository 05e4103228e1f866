import { status as grpcStatus } from '@grpc/grpc-js';
import { markCompressedBytes } from './compressed-requests.js';
import { loadGrpcServerInterceptors } from './grpc-call-internals.js';

/**
 * The parts of grpc-js's `BaseServerInterceptingCall` (1.10 to 1.14) the guard relies on. They are private to
 * grpc-js: when a version lacks them, the guard steps aside and grpc-js's own handling applies (the hostile-input
 * suite, `src/hostile`, pins the statuses, so an upgrade that loses the guard fails a test).
 */
interface GrpcServerCallInternals {
  readonly handler?: { readonly deserialize?: unknown };
  readonly decoder?: { readonly readState?: unknown };
  decompressMessage(frame: Buffer, encoding: string): Buffer | Promise<Buffer>;
  handleEndEvent(): void;
  sendStatus(status: { code: number; details: string }): void;
}

/**
 * The request deserializer of every Wirekit rpc. Bytes pass through (the method runtime decodes them, so that a
 * bad message gets a status a person can act on), and its identity tells the frame guard that a call is Wirekit's:
 * other grpc-js servers in the same process keep grpc-js's own handling.
 */
export function passRequestBytes(bytes: Buffer): Buffer {
  return bytes;
}

const GUARDED = Symbol.for('wirekit.frameGuard');

/**
 * Refuses two framing errors grpc-js lets through, with INTERNAL as gRPC's protocol requires
 * (`doc/PROTOCOL-HTTP2.md`, `doc/compression.md`), on Wirekit's calls only:
 *
 * - a message whose compressed flag is set while the call declared no `grpc-encoding` (or `identity`), or whose
 *   flag byte is neither 0 nor 1: grpc-js reads such bytes as if they were not compressed;
 * - a request stream that ends inside a message (its length prefix announced more bytes than came): grpc-js
 *   drops the partial message, so a streaming handler saw a clean end and could commit a stream the client never
 *   finished, and a unary call got UNIMPLEMENTED ("Received no request message").
 *
 * It also notes which request messages arrived compressed (`receivedCompressed`).
 *
 * Installed once on grpc-js's call class rather than as a server interceptor: grpc-js sends every call of a server
 * with any interceptor down a slower path, and its intercepting call kept each call's objects alive past young
 * garbage collections (per unary call at C=1: ~25% more server CPU, scavenges ten times longer).
 */
export function installFrameGuard(): void {
  const base = loadGrpcCallClass();
  if (base === undefined || (base as { [GUARDED]?: true })[GUARDED]) return;
  const { decompressMessage, handleEndEvent } = base;
  if (typeof decompressMessage !== 'function' || typeof handleEndEvent !== 'function') return;
  (base as { [GUARDED]?: true })[GUARDED] = true;

  base.decompressMessage = function guardedDecompress(this: GrpcServerCallInternals, frame, encoding) {
    if (this.handler?.deserialize !== passRequestBytes) return decompressMessage.call(this, frame, encoding);
    const flag = frame[0];
    if (flag === 0) return decompressMessage.call(this, frame, encoding);
    if (encoding === 'identity') {
      return Promise.reject({
        code: grpcStatus.INTERNAL,
        details:
          flag === 1
            ? 'a request message is marked compressed, but the call declared no grpc-encoding'
            : `a request message has compressed flag ${flag}; it must be 0 or 1`,
      });
    }
    return Promise.resolve(decompressMessage.call(this, frame, encoding)).then(markCompressedBytes);
  };

  base.handleEndEvent = function guardedEnd(this: GrpcServerCallInternals) {
    // 0 is grpc-js's NO_DATA: between messages. Anything else is a prefix or a message cut short.
    const state = this.decoder?.readState;
    if (this.handler?.deserialize === passRequestBytes && state !== undefined && state !== 0) {
      this.sendStatus({
        code: grpcStatus.INTERNAL,
        details: 'the request stream ended inside a message: its length prefix announced more bytes than were sent',
      });
      return;
    }
    handleEndEvent.call(this);
  };
}

/** grpc-js's own server call class, from the same copy of grpc-js that `@grpc/grpc-js` resolves to here. */
function loadGrpcCallClass(): GrpcServerCallInternals | undefined {
  return loadGrpcServerInterceptors()?.BaseServerInterceptingCall?.prototype as GrpcServerCallInternals | undefined;
}
