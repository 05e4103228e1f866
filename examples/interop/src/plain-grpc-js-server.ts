import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  type handleBidiStreamingCall,
  type handleClientStreamingCall,
  type handleServerStreamingCall,
  type handleUnaryCall,
  Metadata,
  Server,
  ServerCredentials,
  type ServerErrorResponse,
  type ServiceDefinition,
  status,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ECHO_INITIAL_KEY, ECHO_TRAILING_KEY } from './echo-metadata.js';
import { TEST_CERTIFICATES } from './interop-server.js';

/**
 * The reference the interop tests hold Wirekit against: `grpc.testing.TestService` on a plain `@grpc/grpc-js`
 * server, its protos loaded at run time with `@grpc/proto-loader`, written the way grpc-node's own interop
 * server is. Like every grpc-js 1.14 server it never compresses responses, and unlike Wirekit's it cannot tell
 * whether a request was compressed (grpc-js hides that from handlers), so `expect_compressed` is not enforced.
 */
export interface PlainGrpcJsServer {
  readonly port: number;
  /** Stops at once, cancelling calls in progress. */
  close(): Promise<void>;
}

/** Options of `startPlainGrpcJsServer`. */
export interface PlainGrpcJsServerOptions {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Serve over TLS with the committed test certificates. */
  readonly useTls?: boolean;
}

// Messages as proto-loader gives them with `keepCase`, `defaults` and `enums: String`.
interface PayloadObject {
  readonly type: string;
  readonly body: Buffer;
}
interface EchoStatusObject {
  readonly code: number;
  readonly message: string;
}
interface ResponseParametersObject {
  readonly size: number;
  readonly interval_us: number;
}
interface SimpleRequestObject {
  readonly response_type: string;
  readonly response_size: number;
  readonly response_status?: EchoStatusObject | null;
}
interface StreamingInputCallRequestObject {
  readonly payload?: PayloadObject | null;
}
interface StreamingOutputCallRequestObject {
  readonly response_type: string;
  readonly response_parameters: readonly ResponseParametersObject[];
  readonly response_status?: EchoStatusObject | null;
}
type Empty = Record<string, never>;
interface SimpleResponseObject {
  readonly payload: PayloadObject;
}
interface StreamingInputCallResponseObject {
  readonly aggregated_payload_size: number;
}
interface StreamingOutputCallResponseObject {
  readonly payload: PayloadObject;
}

const PROTO_DIR = fileURLToPath(new URL('../proto', import.meta.url));

/** Starts the plain grpc-js TestService server. */
export async function startPlainGrpcJsServer(options: PlainGrpcJsServerOptions = {}): Promise<PlainGrpcJsServer> {
  const { host = '127.0.0.1', port = 0, useTls = false } = options;
  const definitions = loadSync('grpc/testing/test.proto', {
    includeDirs: [PROTO_DIR],
    keepCase: true,
    defaults: true,
    enums: String,
    longs: String,
  });
  const testService = definitions['grpc.testing.TestService'];
  if (!testService || 'format' in testService) throw new Error('grpc/testing/test.proto has no grpc.testing.TestService');
  const server = new Server();
  server.addService(testService as ServiceDefinition, testServiceImplementation());
  const credentials = useTls
    ? ServerCredentials.createSsl(null, [
        { cert_chain: readFileSync(TEST_CERTIFICATES.serverCert), private_key: readFileSync(TEST_CERTIFICATES.serverKey) },
      ])
    : ServerCredentials.createInsecure();
  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
  return {
    port: boundPort,
    close: async () => {
      server.forceShutdown();
    },
  };
}

function testServiceImplementation(): UntypedServiceImplementation {
  const emptyCall: handleUnaryCall<Empty, Empty> = (call, callback) => {
    echoHeader(call);
    callback(null, {}, echoTrailer(call));
  };

  const unaryCall: handleUnaryCall<SimpleRequestObject, SimpleResponseObject> = (call, callback) => {
    echoHeader(call);
    const request = call.request;
    const failure = echoStatus(request.response_status, call) ?? unsupportedType(request.response_type, call);
    if (failure) return callback(failure);
    callback(null, { payload: zeroPayload(request.response_size) }, echoTrailer(call));
  };

  const cacheableUnaryCall: handleUnaryCall<SimpleRequestObject, SimpleResponseObject> = (call, callback) => {
    call.sendMetadata(new Metadata());
    callback(null, { payload: { type: 'COMPRESSABLE', body: Buffer.from(String(process.hrtime.bigint())) } });
  };

  const streamingOutputCall: handleServerStreamingCall<StreamingOutputCallRequestObject, StreamingOutputCallResponseObject> = (call) => {
    echoHeader(call);
    const failure = echoStatus(call.request.response_status, call) ?? unsupportedType(call.request.response_type, call);
    if (failure) {
      call.emit('error', failure);
      return;
    }
    void (async () => {
      for (const parameters of call.request.response_parameters) {
        if (parameters.interval_us > 0) await sleep(parameters.interval_us / 1000);
        if (call.cancelled) return;
        call.write({ payload: zeroPayload(parameters.size) });
      }
      call.end(echoTrailer(call));
    })();
  };

  const streamingInputCall: handleClientStreamingCall<StreamingInputCallRequestObject, StreamingInputCallResponseObject> = (
    call,
    callback,
  ) => {
    echoHeader(call);
    let aggregated = 0;
    call.on('data', (request: StreamingInputCallRequestObject) => {
      aggregated += request.payload?.body.length ?? 0;
    });
    call.on('end', () => callback(null, { aggregated_payload_size: aggregated }, echoTrailer(call)));
  };

  const duplex =
    (buffer: boolean): handleBidiStreamingCall<StreamingOutputCallRequestObject, StreamingOutputCallResponseObject> =>
    (call) => {
      echoHeader(call);
      const answer = async (request: StreamingOutputCallRequestObject): Promise<boolean> => {
        const failure = echoStatus(request.response_status, call) ?? unsupportedType(request.response_type, call);
        if (failure) {
          call.emit('error', failure);
          return false;
        }
        for (const parameters of request.response_parameters) {
          if (parameters.interval_us > 0) await sleep(parameters.interval_us / 1000);
          if (call.cancelled) return false;
          call.write({ payload: zeroPayload(parameters.size) });
        }
        return true;
      };
      const buffered: StreamingOutputCallRequestObject[] = [];
      // Requests are answered one after the other, each after the previous one's intervals. (Iterating the call
      // with `for await` would destroy it, both directions, when the client half-closes.)
      let answering = Promise.resolve(true);
      call.on('data', (request: StreamingOutputCallRequestObject) => {
        if (buffer) buffered.push(request);
        else answering = answering.then((going) => going && answer(request));
      });
      call.on('end', () => {
        answering = answering.then(async (going) => {
          for (const request of buffered) if (!(going && (await answer(request)))) return false;
          if (going && !call.cancelled) call.end(echoTrailer(call));
          return going;
        });
      });
    };

  return {
    emptyCall,
    unaryCall,
    cacheableUnaryCall,
    streamingOutputCall,
    streamingInputCall,
    fullDuplexCall: duplex(false),
    halfDuplexCall: duplex(true),
    // unimplementedCall is left out: grpc-js answers UNIMPLEMENTED.
  };
}

interface CallWithMetadata {
  readonly metadata: Metadata;
  sendMetadata(metadata: Metadata): void;
}

function echoHeader(call: CallWithMetadata): void {
  const initial = call.metadata.get(ECHO_INITIAL_KEY)[0];
  if (initial === undefined) return;
  const header = new Metadata();
  header.set(ECHO_INITIAL_KEY, initial);
  call.sendMetadata(header);
}

function echoTrailer(call: CallWithMetadata): Metadata {
  const trailer = new Metadata();
  const trailing = call.metadata.get(ECHO_TRAILING_KEY)[0];
  if (trailing !== undefined) trailer.set(ECHO_TRAILING_KEY, trailing);
  return trailer;
}

function echoStatus(requested: EchoStatusObject | null | undefined, call: CallWithMetadata): ServerErrorResponse | undefined {
  if (!requested || requested.code === status.OK) return undefined;
  return Object.assign(new Error(requested.message), { code: requested.code, details: requested.message, metadata: echoTrailer(call) });
}

function unsupportedType(type: string, call: CallWithMetadata): ServerErrorResponse | undefined {
  if (type === 'COMPRESSABLE') return undefined;
  return Object.assign(new Error('unsupported response_type'), {
    code: status.INVALID_ARGUMENT,
    details: `response_type ${type} is not supported`,
    metadata: echoTrailer(call),
  });
}

function zeroPayload(size: number): PayloadObject {
  return { type: 'COMPRESSABLE', body: Buffer.alloc(size) };
}
