import type { IncomingHttpHeaders } from 'node:http2';
import { deflateSync, gzipSync } from 'node:zlib';
import { Metadata } from '@grpc/grpc-js';
import { loadGrpcServerInterceptors } from './grpc-call-internals.js';

/** The algorithms a server can compress responses with; gRPC clients (grpc-js included) read both. */
export type ResponseCompressionAlgorithm = 'gzip' | 'deflate';

/** How a server compresses its response messages (gRPC's `doc/compression.md`). */
export interface ResponseCompressionOptions {
  readonly algorithm: ResponseCompressionAlgorithm;
  /**
   * Messages smaller than this many bytes are sent uncompressed: compressing a few bytes costs more than it saves,
   * and gRPC lets each message of a call choose. Default 1024; `Infinity` compresses only the messages a handler
   * marks with `compressResponse`.
   */
  readonly minBytes?: number;
}

/**
 * A handler's choice for single response messages, carried from the message to its encoded bytes. Weak maps, so
 * a mark lives exactly as long as its message, and nothing is looked up until some message has been marked.
 */
const markedMessages = new WeakMap<object, boolean>();
const markedBytes = new WeakMap<object, boolean>();
let anyMarked = false;

/**
 * Chooses for one response message whether it is sent compressed, whatever its size (gRPC lets every message
 * choose): `false` for bytes that will not shrink (images, already-compressed data), `true` to compress a small
 * message. It takes effect only on a server with `responseCompression`, for a client that accepts the algorithm;
 * elsewhere (and over the in-memory transport) messages go uncompressed. Returns the message.
 *
 * ```ts
 * yield compressResponse({ chunk: jpegBytes }, false);
 * ```
 */
export function compressResponse<Message extends object>(message: Message, compress = true): Message {
  anyMarked = true;
  markedMessages.set(message, compress);
  return message;
}

/** Carries the mark of a response message, if it has one, to the bytes it was encoded to. */
export function noteEncodedResponse(message: unknown, bytes: Buffer): void {
  if (!anyMarked || typeof message !== 'object' || message === null) return;
  const compress = markedMessages.get(message);
  if (compress !== undefined) markedBytes.set(bytes, compress);
}

interface CompressionSettings {
  readonly algorithm: ResponseCompressionAlgorithm;
  readonly minBytes: number;
  readonly compress: (bytes: Buffer) => Buffer;
}

/** The parts of grpc-js's `BaseServerInterceptingCall` used here (private to grpc-js; see grpc-call-internals). */
interface GrpcServerCall {
  readonly handler?: { readonly serialize?: ResponseSerializer };
  readonly metadataSent?: boolean;
  readonly maxSendMessageSize?: number;
  sendMetadata(metadata: Metadata | null | undefined): void;
  serializeMessage(value: unknown): Buffer;
  [RESPONSE_ENCODING]?: CompressionSettings;
}

type ResponseSerializer = ((bytes: Buffer) => Buffer) & { readonly [COMPRESSION]?: CompressionSettings };

// Symbol.for, so that two copies of @wirekit/core in one process recognise each other's servers.
const COMPRESSION = Symbol.for('wirekit.responseCompression');
const RESPONSE_ENCODING = Symbol.for('wirekit.responseEncoding');
const INSTALLED = Symbol.for('wirekit.responseCompressionInstalled');

/**
 * The response serializer of a Wirekit server's rpcs. Bytes pass through (the method runtime encodes messages);
 * with compression on, the function carries the settings, so that grpc-js's call, which keeps it as
 * `handler.serialize`, tells which calls to compress without a registry.
 */
export function responseSerializer(options: ResponseCompressionOptions | undefined): ResponseSerializer {
  const passResponseBytes = (bytes: Buffer): Buffer => bytes;
  if (options === undefined) return passResponseBytes;
  const { algorithm, minBytes = 1024 } = options;
  if (algorithm !== 'gzip' && algorithm !== 'deflate') {
    throw new Error(`responseCompression.algorithm must be 'gzip' or 'deflate', not ${JSON.stringify(algorithm)}`);
  }
  if (!(Number.isInteger(minBytes) || minBytes === Number.POSITIVE_INFINITY) || minBytes < 0) {
    throw new Error(`responseCompression.minBytes must be a whole number of bytes or Infinity, not ${minBytes}`);
  }
  const settings: CompressionSettings = {
    algorithm,
    minBytes,
    // Synchronous because grpc-js frames a message synchronously; compressing is bounded by the send limit.
    compress: algorithm === 'gzip' ? (bytes) => gzipSync(bytes) : (bytes) => deflateSync(bytes),
  };
  return Object.assign(passResponseBytes, { [COMPRESSION]: settings });
}

/**
 * Teaches grpc-js's server to compress responses, which grpc-js 1.14 cannot do itself (its server always sends
 * the compressed flag 0 and `grpc-encoding: identity`). Only calls whose serializer carries settings are touched,
 * and only when the client listed the algorithm in `grpc-accept-encoding`, as the spec requires; every other
 * call, of this server or of another grpc-js server in the process, runs grpc-js's code unchanged.
 *
 * Installed once: the call factory notes the chosen encoding on each new call (only it sees the request's
 * headers), `sendMetadata` announces it in `grpc-encoding`, and `serializeMessage` compresses and sets the flag.
 * A message over the send limit is left uncompressed, so grpc-js refuses it by its real size.
 */
export function installResponseCompression(): void {
  const internals = loadGrpcServerInterceptors();
  const base = internals?.BaseServerInterceptingCall?.prototype as (GrpcServerCall & { [INSTALLED]?: true }) | undefined;
  const createCall = internals?.getServerInterceptingCall;
  if (internals === undefined || base === undefined || base[INSTALLED] || typeof createCall !== 'function') return;
  const { sendMetadata, serializeMessage } = base;
  if (typeof sendMetadata !== 'function' || typeof serializeMessage !== 'function') return;
  base[INSTALLED] = true;

  internals.getServerInterceptingCall = function createCompressingCall(...args: unknown[]) {
    const call = createCall(...args) as GrpcServerCall;
    const headers = args[2] as IncomingHttpHeaders | undefined;
    const settings = call.handler?.serialize?.[COMPRESSION];
    // With grpc-js interceptors configured the call is a wrapper, whose sends Wirekit does not patch.
    if (settings !== undefined && Object.getPrototypeOf(call) === base && accepts(headers, settings.algorithm)) {
      call[RESPONSE_ENCODING] = settings;
    }
    return call;
  };

  base.sendMetadata = function announceEncoding(this: GrpcServerCall, metadata) {
    const settings = this[RESPONSE_ENCODING];
    if (settings === undefined || this.metadataSent) return sendMetadata.call(this, metadata);
    const headers = metadata ? metadata.clone() : new Metadata();
    headers.set('grpc-encoding', settings.algorithm);
    return sendMetadata.call(this, headers);
  };

  base.serializeMessage = function compressMessage(this: GrpcServerCall, value) {
    const settings = this[RESPONSE_ENCODING];
    if (settings === undefined) return serializeMessage.call(this, value);
    // Wirekit's rpcs hand grpc-js encoded bytes: their serializer passes them through.
    const bytes = value as Buffer;
    const limit = this.maxSendMessageSize ?? -1;
    const compress = (anyMarked ? markedBytes.get(bytes) : undefined) ?? bytes.byteLength >= settings.minBytes;
    if (!compress || (limit !== -1 && bytes.byteLength > limit)) return serializeMessage.call(this, value);
    const compressed = settings.compress(bytes);
    const framed = Buffer.allocUnsafe(compressed.byteLength + 5);
    framed.writeUInt8(1, 0);
    framed.writeUInt32BE(compressed.byteLength, 1);
    compressed.copy(framed, 5);
    return framed;
  };
}

/** Whether the client's `grpc-accept-encoding` lists `algorithm`. */
function accepts(headers: IncomingHttpHeaders | undefined, algorithm: ResponseCompressionAlgorithm): boolean {
  const accepted = headers?.['grpc-accept-encoding'];
  const listed = Array.isArray(accepted) ? accepted.join(',') : (accepted ?? '');
  return listed.split(',').some((name) => name.trim() === algorithm);
}
