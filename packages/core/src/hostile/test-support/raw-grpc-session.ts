import http2, { type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

/** How a raw call ended, as the server put it on the wire. */
export interface RawReply {
  /** `grpc-status` from the trailers (or from the headers of a trailers-only response); `undefined` when none came. */
  readonly status: number | undefined;
  /** `grpc-message`, percent-decoded. */
  readonly message: string;
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders;
  /** The response messages' bytes, frames included. */
  readonly body: Buffer;
  /** The HTTP/2 RST_STREAM code the stream closed with (0 for a clean close). */
  readonly rstCode: number;
}

/** What the 5-byte gRPC prefix of a frame says, whatever the payload really is. */
export interface FrameOptions {
  /** The compressed-flag byte. Default 0. */
  readonly flag?: number;
  /** The announced length. Default: the payload's. */
  readonly length?: number;
}

/** One gRPC length-prefixed message, with a prefix that may lie. */
export function frame(payload: Uint8Array, options: FrameOptions = {}): Buffer {
  const { flag = 0, length = payload.byteLength } = options;
  const prefix = Buffer.alloc(5);
  prefix.writeUInt8(flag, 0);
  prefix.writeUInt32BE(length, 1);
  return Buffer.concat([prefix, payload]);
}

/**
 * A plain node:http2 client speaking gRPC by hand: the test decides every header and every byte of the body,
 * so it can send what no gRPC library would.
 */
export class RawGrpcSession {
  readonly #session: ClientHttp2Session;

  private constructor(session: ClientHttp2Session) {
    this.#session = session;
  }

  static async connect(address: string): Promise<RawGrpcSession> {
    const session = http2.connect(`http://${address}`);
    await new Promise<void>((resolve, reject) => {
      session.once('connect', () => resolve());
      session.once('error', reject);
    });
    // A request the server refuses may also fail the session's write side; the test looks at each stream instead.
    session.on('error', () => {});
    return new RawGrpcSession(session);
  }

  /** Opens a stream with gRPC's required headers plus `headers`; the caller writes and ends it. */
  open(path: string, headers: OutgoingHttpHeaders = {}): ClientHttp2Stream {
    return this.#session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
  }

  /** Sends `body` (already framed) and half-closes, then waits for the stream to close. */
  call(path: string, body: Uint8Array, headers: OutgoingHttpHeaders = {}): Promise<RawReply> {
    const stream = this.open(path, headers);
    const reply = replyOf(stream);
    stream.end(body);
    return reply;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.#session.close(() => resolve()));
  }
}

/** Waits for the stream to close and reports how it ended. */
export function replyOf(stream: ClientHttp2Stream): Promise<RawReply> {
  let headers: IncomingHttpHeaders = {};
  let trailers: IncomingHttpHeaders = {};
  const chunks: Buffer[] = [];
  stream.on('response', (received) => {
    headers = received;
  });
  stream.on('trailers', (received) => {
    trailers = received;
  });
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  // A reset stream emits 'error'; how it ended is read from rstCode on 'close'.
  stream.on('error', () => {});
  return new Promise((resolve) => {
    stream.on('close', () => {
      const status = trailers['grpc-status'] ?? headers['grpc-status'];
      const message = trailers['grpc-message'] ?? headers['grpc-message'];
      resolve({
        status: typeof status === 'string' ? Number(status) : undefined,
        message: typeof message === 'string' ? decodeURIComponent(message) : '',
        headers,
        trailers,
        body: Buffer.concat(chunks),
        rstCode: stream.rstCode ?? 0,
      });
    });
  });
}
