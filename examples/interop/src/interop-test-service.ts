import { setTimeout as sleep } from 'node:timers/promises';
import {
  BidiStreamingMethod,
  type CallContext,
  ClientStreamingMethod,
  compressResponse,
  type MessageInit,
  RpcError,
  receivedCompressed,
  ServerStreamingMethod,
  Service,
  Status,
  UnaryMethod,
} from '@wirekit/core';
import { echoMetadata } from './echo-metadata.js';
import { echoStatusError } from './echo-status.js';
import {
  type Empty,
  type Payload,
  type PayloadType,
  type ResponseParameters,
  type SimpleRequest,
  type SimpleResponse,
  type StreamingInputCallRequest,
  type StreamingInputCallResponse,
  type StreamingOutputCallRequest,
  type StreamingOutputCallResponse,
  TestService,
} from './gen/test.js';
import { zeroPayload } from './payload.js';

/**
 * `grpc.testing.TestService` as the interop descriptions' "Server" section specifies it, on Wirekit's
 * decorators. `UnimplementedCall` has no handler, so calls to it get UNIMPLEMENTED; `UnimplementedService` is
 * not served at all, as its proto says.
 *
 * Compression (see docs/reliability.md, "Interop"):
 * - `expect_compressed: true` on a request that arrived uncompressed gets INVALID_ARGUMENT (the CompressedRequest
 *   feature), in UnaryCall and in each message of StreamingInputCall. grpc-js decompresses before any handler
 *   runs; Wirekit's frame guard sees each message's compressed flag and `receivedCompressed` reports it.
 * - `response_compressed` and `ResponseParameters.compressed` choose, message by message, whether a response is
 *   gzipped (the CompressedResponse feature): the app compresses responses (`responseCompression`, nothing by
 *   size) and each handler marks its messages with `compressResponse`. grpc-js 1.14's own server cannot.
 */
@Service(TestService, { allowUnimplemented: true })
export class InteropTestService {
  @UnaryMethod()
  emptyCall(_request: Empty, ctx: CallContext): Empty {
    echoMetadata(ctx);
    return {};
  }

  @UnaryMethod()
  unaryCall(request: SimpleRequest, ctx: CallContext): MessageInit<SimpleResponse> {
    echoMetadata(ctx);
    checkCompressed('UnaryCall', request);
    const status = echoStatusError(request.responseStatus);
    if (status) throw status;
    // The CompressedResponse feature: compressed when asked, for a client that accepts gzip.
    return compressResponse(
      { payload: responsePayload(request.responseType, request.responseSize) },
      request.responseCompressed?.value ?? false,
    );
  }

  /**
   * UnaryCall with a payload that differs on every call (the time in nanoseconds, in ASCII) and headers that let
   * a caching proxy keep the response for 60 s. The GET-based `cacheable_unary` case needs such a proxy; no
   * client case here runs it.
   */
  @UnaryMethod()
  cacheableUnaryCall(_request: SimpleRequest, ctx: CallContext): MessageInit<SimpleResponse> {
    echoMetadata(ctx);
    ctx.sendHeader({ 'cache-control': 'max-age=60, public' });
    return { payload: { type: 'COMPRESSABLE', body: new TextEncoder().encode(String(process.hrtime.bigint())) } };
  }

  @ServerStreamingMethod()
  async *streamingOutputCall(request: StreamingOutputCallRequest, ctx: CallContext): AsyncGenerator<StreamingOutputCallResponse> {
    echoMetadata(ctx);
    const status = echoStatusError(request.responseStatus);
    if (status) throw status;
    yield* respond(request, ctx.signal);
  }

  @ClientStreamingMethod()
  async streamingInputCall(requests: AsyncIterable<StreamingInputCallRequest>, ctx: CallContext): Promise<StreamingInputCallResponse> {
    echoMetadata(ctx);
    let aggregatedPayloadSize = 0;
    for await (const request of requests) {
      checkCompressed('StreamingInputCall', request);
      aggregatedPayloadSize += request.payload?.body.byteLength ?? 0;
    }
    return { aggregatedPayloadSize };
  }

  @BidiStreamingMethod()
  async *fullDuplexCall(
    requests: AsyncIterable<StreamingOutputCallRequest>,
    ctx: CallContext,
  ): AsyncGenerator<StreamingOutputCallResponse> {
    echoMetadata(ctx);
    for await (const request of requests) {
      const status = echoStatusError(request.responseStatus);
      if (status) throw status;
      yield* respond(request, ctx.signal);
    }
  }

  @BidiStreamingMethod()
  async *halfDuplexCall(
    requests: AsyncIterable<StreamingOutputCallRequest>,
    ctx: CallContext,
  ): AsyncGenerator<StreamingOutputCallResponse> {
    echoMetadata(ctx);
    const buffered: StreamingOutputCallRequest[] = [];
    for await (const request of requests) buffered.push(request);
    for (const request of buffered) {
      const status = echoStatusError(request.responseStatus);
      if (status) throw status;
      yield* respond(request, ctx.signal);
    }
  }
}

/** The CompressedRequest feature: a request that says it was compressed must have been. */
function checkCompressed(method: string, request: SimpleRequest | StreamingInputCallRequest): void {
  if (request.expectCompressed?.value && !receivedCompressed(request)) {
    throw new RpcError(
      Status.INVALID_ARGUMENT,
      `${method}: the request says expect_compressed: true, but it arrived uncompressed (send it with grpc-encoding gzip)`,
    );
  }
}

/** A payload of `size` zeros of the asked type; the suite defines only COMPRESSABLE. */
function responsePayload(type: PayloadType | number, size: number): Payload {
  if (type !== 'COMPRESSABLE') throw new RpcError(Status.INVALID_ARGUMENT, `response_type ${type} is not supported`);
  return zeroPayload(size);
}

/** One response per `ResponseParameters`, each after its `interval_us` ("Observe ResponseParameters.interval_us"). */
async function* respond(request: StreamingOutputCallRequest, signal: AbortSignal): AsyncGenerator<StreamingOutputCallResponse> {
  for (const parameters of request.responseParameters) {
    await waitInterval(parameters, signal);
    yield compressResponse({ payload: responsePayload(request.responseType, parameters.size) }, parameters.compressed?.value ?? false);
  }
}

async function waitInterval({ intervalUs }: ResponseParameters, signal: AbortSignal): Promise<void> {
  if (intervalUs <= 0) return;
  await sleep(intervalUs / 1000, undefined, { signal }).catch(() => {
    throw signal.reason;
  });
}
